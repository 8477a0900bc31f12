"""The speech parser: places, suggested units and the gazetteer built from org units."""

from __future__ import annotations

import os
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from kaifang.meetings.speech import (
    DEFAULT_TOPIC_UNITS,
    NATIONAL_STRATEGIES,
    OTHER_PROVINCES,
    Gazetteer,
    Place,
    UnitRow,
    build_gazetteer,
    make_gazetteer,
    parse_speech,
)
from kaifang.meetings.tests.speech_helpers import (
    MAYOR_EXAMPLE,
    only_items,
)

# --- places and suggested units ---------------------------------------------------------------------------


def test_longest_place_wins_and_matches_do_not_overlap() -> None:
    [item] = only_items("会议强调，一要支持大连市和沈阳经济区发展。二要抓落实。")[:1]
    assert [(p["name"], p["code"], p["kind"]) for p in item["places"]] == [
        ("大连市", "210200", "city"),
        ("沈阳经济区", "G-SYEZ", "group"),
    ]


def test_places_are_deduplicated_in_order_of_first_appearance() -> None:
    item = only_items("一是大连、沈阳要联动，大连市要带头，沿海经济带和沿海六市协同。二是抓落实。")[0]
    assert [p["name"] for p in item["places"]] == ["大连市", "沈阳市", "沿海六市"]


def test_suggested_units_list_places_first_then_topic_departments() -> None:
    item = only_items("一是浑南区要扩大外贸出口，引进人才。二是抓落实。")[0]
    assert item["suggested_units"] == [
        {"code": "210112", "name": "浑南区"},
        {"code": "SWT", "name": "商务厅"},
        {"code": "RST", "name": "人社厅"},
    ]


def test_province_strategies_and_other_provinces_are_places_but_not_suggested_units() -> None:
    item = only_items("一是辽宁要对接京津冀和江苏，融入“一带一路”。二是抓落实。")[0]
    assert [(p["name"], p["code"], p["kind"]) for p in item["places"]] == [
        ("辽宁省", "210000", "province"),
        ("京津冀", "", "strategy"),
        ("江苏省", "", "other_province"),
        ("一带一路", "", "strategy"),
    ]
    assert item["suggested_units"] == []


def test_strategies_and_provinces_are_found_without_a_gazetteer() -> None:
    result = parse_speech("一是对接粤港澳大湾区和上海。二是推动东北全面振兴。")
    items = result["segments"][0]["items"]
    assert [p["name"] for p in items[0]["places"]] == ["粤港澳大湾区", "上海市"]
    assert [p["name"] for p in items[1]["places"]] == ["东北振兴"]
    assert items[0]["suggested_units"] == []


def test_sunrise_industry_is_not_chaoyang_city() -> None:
    item = only_items("一是发展朝阳产业。二是支持朝阳建设。")
    assert item[0]["places"] == []
    assert [p["name"] for p in item[1]["places"]] == ["朝阳市"]


def test_constants_cover_the_strategies_and_all_34_provincial_units() -> None:
    assert len(OTHER_PROVINCES) == 34
    assert {p.kind for p in OTHER_PROVINCES} == {"other_province"}
    names = {p.name for p in NATIONAL_STRATEGIES}
    assert {"一带一路", "京津冀", "长三角", "长江经济带", "粤港澳大湾区", "东北振兴"} <= names
    assert {"外贸", "自贸", "人才", "科技", "项目", "工业", "口岸"} <= {
        word for word, _code, _unit in DEFAULT_TOPIC_UNITS
    }


# --- the gazetteer from org units --------------------------------------------------------------------------

ORG_ROWS = [
    UnitRow("210000", "辽宁省", "province", "辽宁"),
    UnitRow("210100", "沈阳市", "city", "沈阳", "210000"),
    UnitRow("210200", "大连市", "city", "大连", "210000"),
    UnitRow("210300", "鞍山市", "city", "鞍山", "210000"),
    UnitRow("211300", "朝阳市", "city", "朝阳", "210000"),
    UnitRow("210102", "和平区", "county", "和平区", "210100"),
    UnitRow("210106", "铁西区", "county", "铁西区", "210100"),
    UnitRow("210112", "浑南区", "county", "浑南区", "210100"),
    UnitRow("210113", "沈北新区", "county", "沈北新区", "210100"),
    UnitRow("210303", "铁西区", "county", "铁西区", "210300"),
    UnitRow("210323", "岫岩满族自治县", "county", "岫岩满族自治县", "210300"),
    UnitRow("211321", "朝阳县", "county", "朝阳县", "211300"),
    UnitRow("210281", "瓦房店市", "county", "瓦房店市", "210200"),
    UnitRow("SWT", "辽宁省商务厅", "department", "商务厅", "210000"),
    UnitRow("FGW", "辽宁省发展和改革委员会", "department", "发改委", "210000"),
    UnitRow("PF01", "中国(辽宁)自由贸易试验区", "platform", "", "210000"),
    UnitRow("PF03", "中国(辽宁)自由贸易试验区大连片区", "platform", "", "210200"),
    UnitRow("PF05", "大连经济技术开发区", "platform", "", "210200"),
    UnitRow("PF06", "沈阳经济技术开发区", "platform", "", "210100"),
    UnitRow("PF30", "大连出口加工区", "platform", "", "210200"),
    UnitRow("PF33", "大连金普新区", "platform", "", "210200"),
]
ORG_GROUPS = [("G-COASTAL6", "沿海六市"), ("G-NORTHWEST", "辽西北"), ("G-SYEZ", "沈阳经济区")]


def places_by_name(gazetteer: Gazetteer) -> dict[str, Place]:
    return {place.name: place for place in gazetteer.places}


def test_gazetteer_from_org_units_follows_the_alias_rules() -> None:
    places = places_by_name(make_gazetteer(units=ORG_ROWS, groups=ORG_GROUPS))
    assert places["辽宁省"].aliases == ("辽宁",)
    assert places["大连市"].aliases == ("大连",)
    assert "浑南" in places["浑南区"].aliases
    assert "沈北" in places["沈北新区"].aliases
    assert "岫岩" in places["岫岩满族自治县"].aliases
    assert "瓦房店" in places["瓦房店市"].aliases
    assert "和平" not in places["和平区"].aliases  # an ordinary word
    assert "朝阳" not in places["朝阳县"].aliases  # the city keeps it
    assert places["朝阳市"].aliases == ("朝阳",)
    assert {"商务厅", "省商务厅"} <= set(places["辽宁省商务厅"].aliases)
    assert {"发改委", "省发改委", "发展改革委"} <= set(places["辽宁省发展和改革委员会"].aliases)
    assert places["沿海六市"].aliases == ("沿海经济带", "辽宁沿海经济带")
    assert places["沈阳经济区"].kind == "group"


def test_county_name_shared_by_two_cities_needs_its_city_to_get_a_code() -> None:
    gazetteer = make_gazetteer(units=ORG_ROWS, groups=ORG_GROUPS)
    places = places_by_name(gazetteer)
    assert places["铁西区"].code == ""
    assert places["沈阳市铁西区"].code == "210106"
    assert places["鞍山市铁西区"].code == "210303"
    assert "鞍山铁西区" in places["鞍山市铁西区"].aliases
    result = parse_speech("一是支持鞍山市铁西区和铁西区发展。二是抓落实。", gazetteer=gazetteer)
    item = result["segments"][0]["items"][0]
    assert [(p["name"], p["code"]) for p in item["places"]] == [("鞍山市铁西区", "210303"), ("铁西区", "")]
    assert item["suggested_units"][0] == {"code": "210303", "name": "鞍山市铁西区"}


def test_platform_aliases_cover_the_forms_speeches_use() -> None:
    places = places_by_name(make_gazetteer(units=ORG_ROWS, groups=ORG_GROUPS))
    ftz = places["中国（辽宁）自由贸易试验区"]
    assert {"辽宁自由贸易试验区", "辽宁自贸试验区", "辽宁自贸区"} <= set(ftz.aliases)
    assert {"大连片区", "自贸试验区大连片区"} <= set(places["中国（辽宁）自由贸易试验区大连片区"].aliases)
    assert "金普新区" in places["大连金普新区"].aliases
    assert "大连经开区" in places["大连经济技术开发区"].aliases
    assert "经济技术开发区" not in places["大连经济技术开发区"].aliases  # shared by several platforms
    assert "出口加工区" not in places["大连出口加工区"].aliases  # a category, not a name


def test_topic_units_are_kept_by_code_remapped_by_name_or_dropped() -> None:
    gazetteer = make_gazetteer(
        units=ORG_ROWS,
        topic_units=(("外贸", "SWT", "商务厅"), ("项目", "OLD-FGW", "发改委"), ("人才", "RST", "人社厅")),
    )
    assert gazetteer.topic_units == (("外贸", "SWT", "辽宁省商务厅"), ("项目", "FGW", "辽宁省发展和改革委员会"))


def test_gazetteer_from_the_reference_division_list_gives_every_city_its_short_name() -> None:
    source = Path(__file__).resolve().parents[3] / "data" / "liaoning_divisions.csv"
    if not source.exists():
        pytest.skip("reference division list not present")
    rows = [line.split(",") for line in source.read_text(encoding="utf-8").splitlines()[1:] if line]
    kinds = {"province": "province", "prefecture": "city", "county": "county"}
    units = [UnitRow(r[0], r[1], kinds.get(r[3], r[3]), "", r[2]) for r in rows]
    places = places_by_name(make_gazetteer(units=units))
    cities = [p for p in places.values() if p.kind == "city"]
    assert len(cities) == 14
    assert all(p.aliases == (p.name.removesuffix("市"),) for p in cities)
    assert places["铁西区"].code == ""
    assert "振兴" not in places["振兴区"].aliases
    assert "本溪" not in places["本溪满族自治县"].aliases


def test_build_gazetteer_reads_current_units_and_groups(monkeypatch: pytest.MonkeyPatch) -> None:
    class Rows:
        def __init__(self, rows: list[tuple[Any, ...]]) -> None:
            self.rows = rows

        def current(self) -> Rows:
            return self

        def values_list(self, *fields: str) -> list[tuple[Any, ...]]:
            return self.rows

    models = types.ModuleType("kaifang.orgs.models")
    models.OrgUnit = types.SimpleNamespace(  # type: ignore[attr-defined]
        objects=Rows(
            [("210200", "大连市", "city", "大连", "210000"), ("SWT", "辽宁省商务厅", "department", "商务厅", None)]
        )
    )
    models.UnitGroup = types.SimpleNamespace(objects=Rows([("G-COASTAL6", "沿海六市")]))  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "kaifang.orgs.models", models)
    gazetteer = build_gazetteer()
    assert [(p.name, p.code, p.kind) for p in gazetteer.places] == [
        ("大连市", "210200", "city"),
        ("辽宁省商务厅", "SWT", "department"),
        ("沿海六市", "G-COASTAL6", "group"),
    ]
    assert ("外贸", "SWT", "辽宁省商务厅") in gazetteer.topic_units
    item = parse_speech("一是大连要扩大出口。二是沿海经济带要协同。", gazetteer=gazetteer)["segments"][0]["items"][0]
    assert item["suggested_units"] == [{"code": "210200", "name": "大连市"}, {"code": "SWT", "name": "辽宁省商务厅"}]


def test_parser_imports_and_runs_without_django_settings() -> None:
    script = (
        "import sys; from kaifang.meetings.speech import parse_speech; "
        "assert 'kaifang.orgs.models' not in sys.modules; "
        "from django.conf import settings; assert not settings.configured; "
        f"print(len(parse_speech({MAYOR_EXAMPLE!r})['segments'][0]['items']))"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    root = Path(__file__).resolve().parents[3]
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=root, env=env, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "2"
