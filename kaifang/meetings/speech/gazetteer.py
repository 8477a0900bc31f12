"""The gazetteer: places, groups and departments a speech may name, and topic words → departments.

Matching is plain longest-match-first on names and aliases (沈阳经济区 is the group, not 沈阳 city;
大连市 is not also 大连), with no overlapping matches.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from kaifang.meetings.speech.normalize import clean_fragment


@dataclass(frozen=True)
class Place:
    """An entry of the gazetteer."""

    name: str  # "大连市"
    aliases: tuple[str, ...]  # ("大连",)
    code: str  # org unit or group code ("210200", "G-COASTAL6", "SWT"); "" when it has none
    kind: str  # province | city | county | department | platform | group | strategy | other_province


@dataclass(frozen=True)
class Gazetteer:
    """Places to find, and (topic word, unit code, unit name) triples for suggesting departments."""

    places: tuple[Place, ...]
    topic_units: tuple[tuple[str, str, str], ...]


class UnitRow(NamedTuple):
    """An org unit as `make_gazetteer` needs it."""

    code: str
    name: str
    kind: str
    short_name: str = ""
    parent_code: str = ""


# Kinds whose code is a unit (or group) a task can be assigned to.
ASSIGNABLE_KINDS = frozenset({"city", "county", "department", "platform", "group"})

NATIONAL_STRATEGIES: tuple[Place, ...] = tuple(
    Place(name, aliases, "", "strategy")
    for name, aliases in (
        ("一带一路", ("丝绸之路经济带", "21世纪海上丝绸之路", "海上丝绸之路")),
        ("京津冀", ("京津冀协同发展",)),
        ("长三角", ("长江三角洲", "长三角一体化")),
        ("长江经济带", ()),
        ("粤港澳大湾区", ("大湾区",)),
        ("东北振兴", ("东北全面振兴", "振兴东北", "东北地区全面振兴", "东北老工业基地振兴")),
        ("西部大开发", ()),
        ("中部崛起", ("中部地区崛起",)),
        ("黄河流域生态保护和高质量发展", ("黄河流域",)),
        ("成渝地区双城经济圈", ("成渝双城经济圈",)),
        ("海南自由贸易港", ("海南自贸港",)),
        ("雄安新区", ()),
        ("中蒙俄经济走廊", ()),
    )
)

OTHER_PROVINCES: tuple[Place, ...] = tuple(
    Place(name, (short,), "", "other_province")
    for name, short in (
        ("北京市", "北京"), ("天津市", "天津"), ("河北省", "河北"), ("山西省", "山西"),
        ("内蒙古自治区", "内蒙古"), ("辽宁省", "辽宁"), ("吉林省", "吉林"), ("黑龙江省", "黑龙江"),
        ("上海市", "上海"), ("江苏省", "江苏"), ("浙江省", "浙江"), ("安徽省", "安徽"),
        ("福建省", "福建"), ("江西省", "江西"), ("山东省", "山东"), ("河南省", "河南"),
        ("湖北省", "湖北"), ("湖南省", "湖南"), ("广东省", "广东"), ("广西壮族自治区", "广西"),
        ("海南省", "海南"), ("重庆市", "重庆"), ("四川省", "四川"), ("贵州省", "贵州"),
        ("云南省", "云南"), ("西藏自治区", "西藏"), ("陕西省", "陕西"), ("甘肃省", "甘肃"),
        ("青海省", "青海"), ("宁夏回族自治区", "宁夏"), ("新疆维吾尔自治区", "新疆"), ("台湾省", "台湾"),
        ("香港特别行政区", "香港"), ("澳门特别行政区", "澳门"),
    )
)  # fmt: skip

# (topic word, department code, department short name). Codes are those of the demo org tree;
# build_gazetteer keeps the ones that exist and re-maps the rest by department name.
DEFAULT_TOPIC_UNITS: tuple[tuple[str, str, str], ...] = tuple(
    (word, code, unit)
    for code, unit, words in (
        ("SWT", "商务厅", "外贸 对外贸易 出口 进口 进出口 外资 利用外资 外商投资 外企 招商 招商引资 "
                          "开放 对外开放 口岸 通关 跨境电商 服务贸易 服务外包 对外投资 境外投资 走出去 "
                          "会展 商贸 加工贸易 边境贸易 RCEP"),
        ("ZMB", "自贸办", "自贸 自贸区 自贸试验区 自由贸易试验区 制度创新"),
        ("RST", "人社厅", "人才 就业 社保 技能人才 职业技能"),
        ("KJT", "科技厅", "科技 创新 研发 科研 成果转化 高新技术 科技成果"),
        ("FGW", "发改委", "项目 投资 重大项目 规划 基础设施 对口合作 区域协调"),
        ("GXT", "工信厅", "工业 制造 制造业 数字化 数字经济 信息化 产业链 专精特新 中小企业 工业互联网 装备制造"),
        ("CZT", "财政厅", "财政 专项资金 预算 资金保障"),
        ("TJJ", "统计局", "统计"),
        ("WSB", "外办", "外事 友城 友好城市 国际交流 对外交往"),
        ("YSJ", "营商局", "营商环境 政务服务 放管服 一网通办 审批"),
        ("JTT", "交通厅", "交通 港口 港航 物流 中欧班列 海铁联运 通道建设"),
        ("GZW", "国资委", "国企 国有企业 国资 混合所有制"),
    )
    for word in words.split()
)  # fmt: skip

# Names of one group (UnitGroup.name ↔ the other names texts use for it).
GROUP_SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("沿海六市", "沿海经济带", "辽宁沿海经济带"),
    ("辽西北", "辽西北地区"),
    ("沈阳经济区", "沈阳现代化都市圈"),
)
# Short forms used for provincial departments besides their registered short name.
DEPARTMENT_SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("发展和改革委员会", "发展改革委", "发改委"),
    ("工业和信息化厅", "工信厅"),
    ("人力资源和社会保障厅", "人社厅"),
    ("科学技术厅", "科技厅"),
    ("自由贸易试验区工作办公室", "自贸办"),
    ("人民政府外事办公室", "外事办公室", "外办"),
    ("人民政府国有资产监督管理委员会", "国有资产监督管理委员会", "国资委"),
    ("营商环境建设局", "营商局"),
    ("交通运输厅", "交通厅"),
)
# Long forms in platform names → the abbreviations speeches use.
PLATFORM_ABBREVIATIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("自由贸易试验区", ("自贸试验区", "自贸区")),
    ("跨境电子商务综合试验区", ("跨境电商综试区", "跨境电商综合试验区")),
    ("经济技术开发区", ("经开区",)),
    ("高新技术产业开发区", ("高新区",)),
    ("高新技术产业园区", ("高新区",)),
    ("综合保税区", ("综保区",)),
)
# County stems that are ordinary words (和平区 → not "和平"; 振兴区 → not "振兴").
COMMON_STEMS = frozenset(
    "和平 中山 太平 新华 宏伟 振兴 元宝 太和 站前 千山 立山 明山 平山 灯塔 "  # noqa: SIM905 - a word list reads better
    "新民 白塔 清河 龙城 连山 高新 经济 开发 中心 城区 郊区 长海 东港 双塔 "
    "西市 老边 南票 龙港 望花 文圣 古塔 凌河 北镇 开原 建平".split()
)
# Words that contain a name but mean something else (朝阳产业 = a sunrise industry).
BLOCKED_WORDS = ("朝阳产业", "朝阳行业")

# Platform names minus their city that are still a category, not a name (大连出口加工区 → 出口加工区).
GENERIC_HEADS = ("出口", "边境", "保税", "综合", "经济", "高新", "跨境", "国际", "自由", "自贸", "经开", "综保", "口岸")
_ETHNIC = (
    "满族|蒙古族|回族|朝鲜族|锡伯族|土家族|苗族|壮族|瑶族|彝族|藏族|"
    "侗族|布依族|哈尼族|傣族|黎族|畲族|羌族|白族|土族|各族"
)
_NAME_SUFFIX = re.compile(r"(?:省|市|自治区|特别行政区|地区|盟)$")
_COUNTY_SUFFIX = re.compile(rf"(?:(?:{_ETHNIC})+自治县|新区|区|县|市|旗)$")
_KIND_PRIORITY = {"province": 0, "city": 1, "county": 2, "department": 3, "platform": 4, "group": 5}


def _normal(surface: str) -> str:
    return clean_fragment(surface)


def _unit_aliases(row: UnitRow, *, province: str, cities: dict[str, tuple[str, str]]) -> list[str]:
    name, kind = row.name, row.kind
    aliases = [row.short_name] if row.short_name else []
    if kind in ("province", "city"):
        aliases.append(_NAME_SUFFIX.sub("", name))
    elif kind == "county":
        aliases.append(_COUNTY_SUFFIX.sub("", name))
    elif kind == "department":
        rest = name.removeprefix(province).removeprefix("省") if province else name.removeprefix("省")
        short = [rest, row.short_name] if row.short_name else [rest]
        for synonyms in DEPARTMENT_SYNONYMS:
            if rest in synonyms or row.short_name in synonyms:
                short.extend(synonyms)
        aliases.extend(a for s in short if s for a in (s, "省" + s))
    elif kind == "platform":
        aliases.extend(_platform_aliases(name, cities.get(row.parent_code, ())))
    return [a for a in aliases if a and a != name and len(a) >= 2]


def _platform_aliases(name: str, city: tuple[str, ...]) -> list[str]:
    forms = [name]
    if china := re.match(r"^中国（(.+?)）(.+)$", name):
        forms.append(china[1] + china[2])
    elif "（" in name:
        forms.append(re.sub(r"（[^）]*）", "", name))
    if area := re.search(r"自由贸易试验区(.+片区)$", name):
        forms.extend((area[1], "自由贸易试验区" + area[1]))
    for form in list(forms):
        for long, shorts in PLATFORM_ABBREVIATIONS:
            forms.extend(form.replace(long, short) for short in shorts if long in form)
    for form in list(forms):
        for prefix in city:
            rest = form.removeprefix(prefix)
            if rest != form and len(rest) >= 4 and not rest.startswith(GENERIC_HEADS):
                forms.append(rest)
    return forms


def make_gazetteer(
    *,
    units: Iterable[UnitRow],
    groups: Iterable[tuple[str, str]] = (),
    topic_units: Iterable[tuple[str, str, str]] = DEFAULT_TOPIC_UNITS,
) -> Gazetteer:
    """A gazetteer from org units (code, name, kind, short name, parent code) and groups (code, name).

    Aliases: 大连市 → 大连; 浑南区 → 浑南 (a county stem only when it has ≥2 characters, is not an
    ordinary word and is unambiguous); 辽宁省商务厅 → 商务厅, 省商务厅; 中国(辽宁)自由贸易试验区大连片区 →
    大连片区 …. A county name used by two cities (铁西区) becomes one entry without a code; "沈阳市铁西区"
    still finds the right one. Topic units whose code is missing are re-mapped by department name.
    """
    rows = [UnitRow(r.code, _normal(r.name), r.kind, _normal(r.short_name), r.parent_code) for r in units]
    province = next((r.name for r in rows if r.kind == "province"), "")
    cities = {r.code: (r.name, _NAME_SUFFIX.sub("", r.name)) for r in rows if r.kind == "city"}
    order = {"province": 0, "city": 1, "county": 2, "department": 3, "platform": 4}
    rows.sort(key=lambda r: order.get(r.kind, 5))
    name_count: dict[str, int] = {}
    for row in rows:
        name_count[row.name] = name_count.get(row.name, 0) + 1
    entries: list[tuple[str, list[str], str, str]] = []
    for row in rows:
        aliases = _unit_aliases(row, province=province, cities=cities)
        if row.kind == "county":
            aliases = [a for a in aliases if a == row.short_name or a not in COMMON_STEMS]
            if (city := cities.get(row.parent_code)) is not None:
                aliases.extend(prefix + row.name for prefix in city)
        if name_count[row.name] > 1:
            qualified = [a for a in aliases if a.endswith(row.name) and a != row.name]
            entries.append((qualified[0] if qualified else row.name, qualified, row.code, row.kind))
        else:
            entries.append((row.name, aliases, row.code, row.kind))
    for code, name in groups:
        name = _normal(name)
        synonyms = next((s for s in GROUP_SYNONYMS if name in s), ())
        entries.append((name, [s for s in synonyms if s != name], code, "group"))
    entries.extend((name, [], "", rows_kind) for name, rows_kind in _ambiguous(rows, name_count))
    return Gazetteer(_dedupe_aliases(entries), _topic_units(topic_units, rows))


def _ambiguous(rows: list[UnitRow], name_count: dict[str, int]) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for row in rows:
        if name_count[row.name] > 1:
            seen.setdefault(row.name, row.kind)
    return list(seen.items())


def _dedupe_aliases(entries: list[tuple[str, list[str], str, str]]) -> tuple[Place, ...]:
    """Keep an alias only for its one owner: names beat aliases, a city beats a county, ties drop it."""
    names = {name for name, _aliases, _code, _kind in entries}
    owners: dict[str, set[int]] = {}
    for index, (_name, aliases, _code, _kind) in enumerate(entries):
        for surface in aliases:
            owners.setdefault(surface, set()).add(index)

    def owner(surface: str) -> int | None:
        claims = owners[surface]
        best = min(_KIND_PRIORITY.get(entries[i][3], 9) for i in claims)
        winners = [i for i in claims if _KIND_PRIORITY.get(entries[i][3], 9) == best]
        return winners[0] if len(winners) == 1 and surface not in names else None

    return tuple(
        Place(name, tuple(dict.fromkeys(a for a in aliases if a != name and owner(a) == index)), code, kind)
        for index, (name, aliases, code, kind) in enumerate(entries)
    )


def _topic_units(topic_units: Iterable[tuple[str, str, str]], rows: list[UnitRow]) -> tuple[tuple[str, str, str], ...]:
    by_code = {r.code: r for r in rows}
    departments = [r for r in rows if r.kind == "department"]
    kept: list[tuple[str, str, str]] = []
    for word, code, unit in topic_units:
        row = by_code.get(code) or next(
            (r for r in departments if unit in (r.short_name, r.name) or r.name.endswith(unit)), None
        )
        if row is not None:
            kept.append((word, row.code, row.name))
    return tuple(kept)


def build_gazetteer() -> Gazetteer:
    """The gazetteer of the current org tree and unit groups (reads the database)."""
    # Imported here, not at the top: the parser runs without Django settings (pure Python), and only
    # this function reads the database.
    from kaifang.orgs.models import OrgUnit, UnitGroup

    units = [
        UnitRow(str(code), str(name), str(kind), str(short or ""), str(parent or ""))
        for code, name, kind, short, parent in OrgUnit.objects.current().values_list(
            "code", "name", "kind", "short_name", "parent__code"
        )
    ]
    groups = [(str(code), str(name)) for code, name in UnitGroup.objects.values_list("code", "name")]
    return make_gazetteer(units=units, groups=groups)


class Matcher:
    """Longest-match-first lookup of a gazetteer's names (plus strategies and other provinces)."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.table: dict[str, Place | None] = {}
        for place in gazetteer.places:
            for surface in (place.name, *place.aliases):
                self.table.setdefault(_normal(surface), place)
        for place in (*NATIONAL_STRATEGIES, *OTHER_PROVINCES):
            surfaces = [_normal(s) for s in (place.name, *place.aliases)]
            if not any(s in self.table for s in surfaces):  # the gazetteer's own 辽宁省 wins
                for surface in surfaces:
                    self.table.setdefault(surface, place)
        for word in BLOCKED_WORDS:
            self.table.setdefault(word, None)
        self.topics: dict[str, tuple[str, str]] = {}
        for word, code, unit in gazetteer.topic_units:
            self.topics.setdefault(_normal(word), (code, unit))

    @staticmethod
    def _longest(text: str, table: Mapping[str, object]) -> list[tuple[int, str]]:
        """Non-overlapping (start, surface) matches, the longest claimed first, in text order."""
        lengths = sorted({len(key) for key in table if key}, reverse=True)
        found = [(i, n) for i in range(len(text)) for n in lengths if text[i : i + n] in table]
        found.sort(key=lambda hit: (-hit[1], hit[0]))
        taken = bytearray(len(text))
        kept: list[tuple[int, str]] = []
        for start, length in found:
            if not any(taken[start : start + length]):
                taken[start : start + length] = b"\x01" * length
                kept.append((start, text[start : start + length]))
        return sorted(kept)

    def places(self, text: str) -> list[Place]:
        """Places named in `text`, in order of first appearance, each once."""
        found: dict[str, Place] = {}
        for _start, surface in self._longest(text, self.table):
            place = self.table[surface]
            if place is not None:
                found.setdefault(place.name, place)
        return list(found.values())

    def topic_units(self, text: str) -> list[tuple[str, str]]:
        """(code, name) of the departments whose topic words `text` uses, in order, each once."""
        found: dict[str, str] = {}
        for _start, word in self._longest(text, self.topics):
            code, unit = self.topics[word]
            found.setdefault(code, unit)
        return list(found.items())


@lru_cache(maxsize=8)
def matcher_for(gazetteer: Gazetteer) -> Matcher:
    """A (cached) matcher for `gazetteer`."""
    return Matcher(gazetteer)
