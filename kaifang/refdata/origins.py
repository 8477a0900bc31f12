"""Where investment comes from: ISO 3166-1 countries and regions with their Chinese names
(pycountry's zh_CN catalogue), 中国香港 / 中国澳门 / 中国台湾 as Chinese statistics name them, and
China's provinces (ISO 3166-2:CN, CN-xx) for domestic capital. `data/reference/origin_names.csv`
corrects or completes names (韩国 for 大韩民国, a typo in the catalogue) with its reasons.
"""

from __future__ import annotations

import functools
import gettext
import re
from dataclasses import dataclass
from typing import Any

import pycountry
from django.utils import translation
from django.utils.translation import gettext_lazy

from kaifang.refdata.files import origin_overrides

DOMESTIC_PREFIX = "CN-"
HMT = ("HK", "MO", "TW")
NOT_PROVINCES = {"CN-HK", "CN-MO", "CN-TW"}
PROVINCE_SUFFIX = re.compile(
    r"( (Zhuangzu|Huizu|Uygur))?( Sheng| Shi| Zizhiqu)$"
)  # "Guangxi Zhuangzu Zizhiqu" → "Guangxi"  # listed as regions (HK, MO, TW), not as provinces


@dataclass(frozen=True)
class Origin:
    code: str
    name: str
    is_foreign: bool  # 境外 (foreign countries and 港澳台), as foreign-capital statistics count it
    group: str  # domestic | hmt | foreign


def _english() -> bool:
    return (translation.get_language() or "zh-hans").startswith("en")


def origins() -> tuple[Origin, ...]:
    """Every origin, in the order a form lists them: provinces (GB/T 2260 order), 港澳台, then
    countries by pinyin of their Chinese name (alphabetically in English), then 其他 — named in
    the reader's language."""
    return _origins(english=_english())


@functools.cache
def _origins(*, english: bool) -> tuple[Origin, ...]:
    from pypinyin import lazy_pinyin

    overrides = origin_overrides()
    pick = 2 if english else 0
    countries = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["zh_CN"])
    subdivisions = gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=["zh_CN"], fallback=True)

    def province_name(sub: Any) -> str:
        if sub.code in overrides:
            return str(overrides[sub.code][pick])
        return PROVINCE_SUFFIX.sub("", sub.name) if english else subdivisions.gettext(sub.name)

    out: list[Origin] = []
    provinces = [s for s in pycountry.subdivisions.get(country_code="CN") or [] if s.code not in NOT_PROVINCES]
    for sub in sorted(provinces, key=lambda s: _gb_order(s.code)):
        out.append(Origin(sub.code, province_name(sub), False, "domestic"))
    for code in HMT:
        out.append(Origin(code, str(overrides[code][pick]), True, "hmt"))
    foreign = []
    for country in pycountry.countries:
        code = country.alpha_2
        if code in HMT or code == "CN":
            continue
        if code in overrides:
            name = str(overrides[code][pick])
        else:
            name = getattr(country, "common_name", country.name) if english else countries.gettext(country.name)
        foreign.append(Origin(code, name, True, "foreign"))
    key = (lambda o: o.name) if english else (lambda o: "".join(lazy_pinyin(o.name)))
    out.extend(sorted(foreign, key=key))
    if "OTHER" in overrides:
        out.append(Origin("OTHER", str(overrides["OTHER"][pick]), overrides["OTHER"][1], "foreign"))
    return tuple(out)


# GB/T 2260 order of the provincial-level divisions, by their ISO 3166-2:CN codes.
GB_ORDER = [
    "BJ",
    "TJ",
    "HE",
    "SX",
    "NM",
    "LN",
    "JL",
    "HL",
    "SH",
    "JS",
    "ZJ",
    "AH",
    "FJ",
    "JX",
    "SD",
    "HA",
    "HB",
    "HN",
    "GD",
    "GX",
    "HI",
    "CQ",
    "SC",
    "GZ",
    "YN",
    "XZ",
    "SN",
    "GS",
    "QH",
    "NX",
    "XJ",
]


def _gb_order(code: str) -> int:
    short = code.removeprefix(DOMESTIC_PREFIX)
    return GB_ORDER.index(short) if short in GB_ORDER else len(GB_ORDER)


def origin_names() -> dict[str, str]:
    return _names(english=_english())


@functools.cache
def _names(*, english: bool) -> dict[str, str]:
    return {o.code: o.name for o in _origins(english=english)}


@functools.cache
def foreign_origins() -> frozenset[str]:
    return frozenset(o.code for o in _origins(english=False) if o.is_foreign)


GROUP_LABELS = {
    "domestic": gettext_lazy("国内（省外）"),
    "hmt": gettext_lazy("港澳台"),
    "foreign": gettext_lazy("外国"),
}


def origin_choices() -> list[tuple[Any, list[tuple[str, str]]]]:
    """Grouped choices for forms and model fields: 国内（省外）, 港澳台, 外国."""
    grouped: dict[str, list[tuple[str, str]]] = {key: [] for key in GROUP_LABELS}
    for origin in origins():
        grouped[origin.group].append((origin.code, origin.name))
    return [(GROUP_LABELS[key], items) for key, items in grouped.items()]
