"""The speech parser (讲话解析): corpus of realistic texts, rules one by one, properties, file reading.

No database and no Django settings: the gazetteer is built by hand (Liaoning places) and
`build_gazetteer` is exercised against a stand-in models module.
"""

from __future__ import annotations

import io
import json
import os
import random
import re
import subprocess
import sys
import types
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kaifang.meetings.speech import (
    DEFAULT_TOPIC_UNITS,
    EMPTY_TEXT_MESSAGE,
    MAX_FILE_BYTES,
    NATIONAL_STRATEGIES,
    OTHER_PROVINCES,
    Gazetteer,
    Place,
    SpeechFileError,
    UnitRow,
    build_gazetteer,
    make_gazetteer,
    normalize_text,
    parse_speech,
    read_speech_file,
)
from kaifang.meetings.speech.markers import cn_number, starts_with_marker

CORPUS = Path(__file__).parent / "corpus"
CORPUS_TEXTS = sorted(CORPUS.glob("*.txt"))
MAYOR_EXAMPLE = "市长强调，一是要抓好项目建设。加快推进重点项目。二要优化营商环境，提升服务效率。"
CITIES = (
    ("沈阳市", "210100"), ("大连市", "210200"), ("鞍山市", "210300"), ("抚顺市", "210400"),
    ("本溪市", "210500"), ("丹东市", "210600"), ("锦州市", "210700"), ("营口市", "210800"),
    ("阜新市", "210900"), ("辽阳市", "211000"), ("盘锦市", "211100"), ("铁岭市", "211200"),
    ("朝阳市", "211300"), ("葫芦岛市", "211400"),
)  # fmt: skip
DEPARTMENTS = (
    ("商务厅", "SWT", ("省商务厅",)),
    ("发改委", "FGW", ("省发改委", "发展改革委", "省发展改革委")),
    ("工信厅", "GXT", ("省工信厅",)),
    ("科技厅", "KJT", ("省科技厅",)),
    ("人社厅", "RST", ("省人社厅",)),
    ("自贸办", "ZMB", ("省自贸办",)),
)


def liaoning_gazetteer() -> Gazetteer:
    """A hand-built gazetteer: the province, 14 cities, a few counties, departments, platforms, groups."""
    places = [Place("辽宁省", ("辽宁",), "210000", "province")]
    places += [Place(name, (name.removesuffix("市"),), code, "city") for name, code in CITIES]
    places += [
        Place("浑南区", ("浑南",), "210112", "county"),
        Place("沈河区", ("沈河",), "210103", "county"),
        Place("甘井子区", ("甘井子",), "210211", "county"),
        Place("瓦房店市", ("瓦房店",), "210281", "county"),
    ]
    places += [Place(name, aliases, code, "department") for name, code, aliases in DEPARTMENTS]
    places += [
        Place("中国（辽宁）自由贸易试验区", ("辽宁自贸试验区", "辽宁自由贸易试验区"), "PF01", "platform"),
        Place("中国（辽宁）自由贸易试验区大连片区", ("大连片区", "自贸试验区大连片区"), "PF03", "platform"),
        Place("大连金普新区", ("金普新区",), "PF33", "platform"),
        Place("沿海六市", ("沿海经济带", "辽宁沿海经济带"), "G-COASTAL6", "group"),
        Place("辽西北", ("辽西北地区",), "G-NORTHWEST", "group"),
        Place("沈阳经济区", (), "G-SYEZ", "group"),
    ]
    codes = {code for _name, code, _aliases in DEPARTMENTS}
    return Gazetteer(tuple(places), tuple(t for t in DEFAULT_TOPIC_UNITS if t[1] in codes))


GAZETTEER = liaoning_gazetteer()


def parse(text: str) -> dict[str, Any]:
    return parse_speech(text, gazetteer=GAZETTEER)


def titles(result: dict[str, Any]) -> list[list[str]]:
    return [[item["title"] for item in segment["items"]] for segment in result["segments"]]


def only_items(text: str) -> list[dict[str, Any]]:
    result = parse(text)
    return [item for segment in result["segments"] for item in segment["items"]]


def read_corpus(path: Path) -> str:
    return path.read_bytes().decode("utf-8")  # bytes: keep the CRLF of the pasted-PDF sample


# --- the corpus ---------------------------------------------------------------------------------


def test_corpus_has_at_least_ten_texts_each_with_expectations() -> None:
    assert len(CORPUS_TEXTS) >= 10
    for path in CORPUS_TEXTS:
        assert path.with_suffix(".json").exists(), path.name


@pytest.mark.parametrize("path", CORPUS_TEXTS, ids=lambda p: p.stem)
def test_corpus_text_yields_the_expected_speakers_points_and_places(path: Path) -> None:
    expected = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    result = parse(read_corpus(path))
    assert result["title"] == expected["title"]
    assert result["date"] == expected["date"]
    assert [s["speaker"] for s in result["segments"]] == [s["speaker"] for s in expected["segments"]]
    for segment, want in zip(result["segments"], expected["segments"], strict=True):
        assert segment["role_words"] == want["role_words"], segment["speaker"]
        assert len(segment["items"]) == len(want["items"]), segment["speaker"]
        for item, want_item in zip(segment["items"], want["items"], strict=True):
            assert item["ordinal"] == want_item["ordinal"]
            assert item["marker"] == want_item["marker"]
            assert item["title"] == want_item["title"]
            names = [place["name"] for place in item["places"]]
            assert [n for n in names if n in want_item["places_include"]] == want_item["places_include"]
            codes = [unit["code"] for unit in item["suggested_units"]]
            assert set(want_item["suggested_include"]) <= set(codes), (item["title"], codes)
            for fragment in want_item.get("text_includes", []):
                assert fragment in item["text"]
            for fragment in want_item.get("text_excludes", []):
                assert fragment not in item["text"]


def test_mayor_example_yields_two_items() -> None:
    result = parse(MAYOR_EXAMPLE)
    assert result["title"] is None
    assert result["date"] is None
    [segment] = result["segments"]
    assert segment["speaker"] == "市长"
    assert segment["role_words"] == ["强调"]
    first, second = segment["items"]
    assert (first["ordinal"], first["marker"], first["title"]) == (1, "一是要", "抓好项目建设")
    assert first["text"] == "抓好项目建设。加快推进重点项目。"
    assert (second["ordinal"], second["marker"], second["title"]) == (2, "二要", "优化营商环境，提升服务效率")
    assert first["suggested_units"] == [{"code": "FGW", "name": "发改委"}]


def test_result_has_exactly_the_documented_keys() -> None:
    result = parse(read_corpus(CORPUS / "01_provincial_opening_up_teleconference.txt"))
    assert set(result) == {"title", "date", "segments"}
    segment = result["segments"][0]
    assert set(segment) == {"speaker", "role_words", "items"}
    item = segment["items"][0]
    assert set(item) == {"ordinal", "marker", "title", "text", "places", "suggested_units"}
    assert set(item["places"][0]) == {"name", "code", "kind"}
    assert set(item["suggested_units"][0]) == {"code", "name"}
    json.dumps(result, ensure_ascii=False)  # plain JSON, ready for a JSONField


# --- empty and non-speech texts -------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "\n\r\n\t", "\u3000\u00a0\u200b"])
def test_empty_text_raises_value_error_with_a_chinese_message(text: str) -> None:
    with pytest.raises(ValueError, match="讲话内容为空") as caught:
        parse_speech(text)
    assert str(caught.value) == EMPTY_TEXT_MESSAGE


@pytest.mark.parametrize("name", ["09_recipe_not_a_speech.txt", "12_english_paragraph.txt"])
def test_non_speech_text_yields_no_segments(name: str) -> None:
    assert parse(read_corpus(CORPUS / name))["segments"] == []


def test_speech_without_numbered_points_keeps_its_speakers_with_empty_items() -> None:
    result = parse(read_corpus(CORPUS / "08_inspection_no_points.txt"))
    assert [s["speaker"] for s in result["segments"]] == ["省委副书记、省长赵振东", "丹东市市长李建国"]
    assert all(s["items"] == [] for s in result["segments"])


def test_numbered_points_without_a_speaker_go_to_an_anonymous_segment() -> None:
    result = parse("今年重点抓好三件事：一是稳外贸。二是扩外资。三是建平台。")
    [segment] = result["segments"]
    assert segment["speaker"] == ""
    assert segment["role_words"] == []
    assert [i["title"] for i in segment["items"]] == ["稳外贸", "扩外资", "建平台"]


# --- speakers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "speaker", "role_words"),
    [
        ("省委书记陈求发在讲话中指出，一是要稳外贸。二是要扩外资。", "省委书记陈求发", ["指出"]),
        ("市长强调，一要稳外贸；二要扩外资。", "市长", ["强调"]),
        ("副省长卢柯要求，一是稳外贸。二是扩外资。", "副省长卢柯", ["要求"]),
        ("省长唐一军在会上强调并要求：一要稳外贸；二要扩外资。", "省长唐一军", ["强调", "要求"]),
        ("会上，省委副书记、省长李振华表示，第一，稳外贸；第二，扩外资。", "省委副书记、省长李振华", ["表示"]),
        (
            "辽宁省委书记、省人大常委会主任王建国说：“一是稳外贸，二是扩外资。”",
            "辽宁省委书记、省人大常委会主任王建国",
            ["说"],
        ),
        ("省商务厅负责人介绍，一是稳外贸；二是扩外资。", "省商务厅负责人", ["介绍"]),
        ("省政府常务会议指出，一要稳外贸；二要扩外资。", "省政府常务会议", ["指出"]),
        ("会议由副省长卢柯主持。卢柯指出，一是稳外贸。二是扩外资。", "副省长卢柯", ["指出"]),
        ("陈求发同志在讲话中指出，一是稳外贸。二是扩外资。", "陈求发同志", ["指出"]),
    ],
)
def test_speaker_is_the_name_or_title_before_a_speech_verb(text: str, speaker: str, role_words: list[str]) -> None:
    [segment] = parse(text)["segments"]
    assert segment["speaker"] == speaker
    assert segment["role_words"] == role_words
    assert [i["ordinal"] for i in segment["items"]] == [1, 2]


def test_pronoun_and_repeated_name_continue_the_current_speaker() -> None:
    text = "省长李振华出席会议并讲话。李振华指出，一要稳外贸。他还强调，二要扩外资。"
    [segment] = parse(text)["segments"]
    assert segment["speaker"] == "省长李振华"
    assert segment["role_words"] == ["讲话", "指出", "强调"]
    assert [i["title"] for i in segment["items"]] == ["稳外贸", "扩外资"]
    assert "他还强调" not in segment["items"][0]["text"]


def test_quoted_central_leader_is_not_a_new_speaker() -> None:
    text = "省委书记王建国指出，习近平总书记强调，要推动东北全面振兴。一是要稳外贸。二是要扩外资。"
    [segment] = parse(text)["segments"]
    assert segment["speaker"] == "省委书记王建国"
    assert segment["role_words"] == ["指出"]
    assert [i["title"] for i in segment["items"]] == ["稳外贸", "扩外资"]


def test_two_speakers_each_get_their_own_points() -> None:
    text = "省委书记王建国指出，一是要稳外贸。二是要扩外资。最后，省长李振华强调，一要抓落实。二要重实效。"
    result = parse(text)
    assert [s["speaker"] for s in result["segments"]] == ["省委书记王建国", "省长李振华"]
    assert titles(result) == [["稳外贸", "扩外资"], ["抓落实", "重实效"]]


@pytest.mark.parametrize(
    "text", ["会议指出的问题要整改。", "也就是说，要抓落实。", "文件要求，一是稳外贸。", "妈妈说，要早点睡。"]
)
def test_words_that_only_look_like_speakers_are_ignored(text: str) -> None:
    assert parse(text)["segments"] == []


# --- numbered points --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "markers"),
    [
        ("一是稳外贸。二是扩外资。三是建平台。", ["一是", "二是", "三是"]),
        ("一要稳外贸。二要扩外资。", ["一要", "二要"]),
        ("一是要稳外贸。二是要扩外资。", ["一是要", "二是要"]),
        ("第一，稳外贸。第二，扩外资。", ["第一", "第二"]),
        ("第一、稳外贸。第二、扩外资。", ["第一", "第二"]),
        ("（一）稳外贸。（二）扩外资。", ["（一）", "（二）"]),
        ("(一)稳外贸。(二)扩外资。", ["（一）", "（二）"]),
        ("一、稳外贸\n二、扩外资", ["一、", "二、"]),
        ("1.稳外贸。2.扩外资。", ["1.", "2."]),
        ("1、稳外贸。2、扩外资。", ["1、", "2、"]),
        ("１．稳外贸。２．扩外资。", ["1.", "2."]),
        ("(1)稳外贸；(2)扩外资。", ["（1）", "（2）"]),
        ("（１）稳外贸；（２）扩外资。", ["（1）", "（2）"]),
        ("①稳外贸；②扩外资。", ["①", "②"]),
        ("首先，稳外贸。其次，扩外资。再次，建平台。最后，抓落实。", ["首先", "其次", "再次", "最后"]),
        ("其一，稳外贸。其二，扩外资。", ["其一", "其二"]),
        ("十是稳外贸。十一是扩外资。", []),
        ("九是稳外贸。十是扩外资。", []),
    ],
)
def test_every_numbering_style_is_recognised(text: str, markers: list[str]) -> None:
    items = only_items(text)
    assert [i["marker"] for i in items] == markers
    assert [i["ordinal"] for i in items] == list(range(1, len(markers) + 1))
    if markers:
        assert items[0]["title"] == "稳外贸"


def test_ordinals_continue_past_ten_in_chinese_numerals() -> None:
    text = (
        "".join(f"{n}是抓好第{i}项工作。" for i, n in enumerate("一二三四五六七八九十", start=1)) + "十一是抓好收尾。"
    )
    items = only_items(text)
    assert [i["ordinal"] for i in items] == list(range(1, 12))
    assert items[-1]["marker"] == "十一是"


def test_zuihou_is_the_ordinal_after_the_previous_point() -> None:
    items = only_items("首先，稳外贸。其次，扩外资。最后，抓落实。")
    assert [(i["marker"], i["ordinal"]) for i in items] == [("首先", 1), ("其次", 2), ("最后", 3)]


def test_yao_is_stripped_only_when_part_of_the_marker() -> None:
    items = only_items("一是要抓好项目。二是要求各地加快进度。三要优化服务。")
    assert [(i["marker"], i["title"]) for i in items] == [
        ("一是要", "抓好项目"),
        ("二是", "要求各地加快进度"),
        ("三要", "优化服务"),
    ]
    assert only_items("第一，要抓好项目。第二，要优化服务。")[0]["title"] == "要抓好项目"


def test_mixed_yishi_and_yiyao_styles_count_as_one_sequence() -> None:
    assert [i["marker"] for i in only_items("一是抓项目。二要优服务。三是要强保障。")] == ["一是", "二要", "三是要"]


def test_stray_yishi_inside_a_sentence_does_not_start_a_list() -> None:
    assert only_items("市长强调，开放的关键一是靠改革，要持续推进。") == []
    assert only_items("市长强调，说到底，一是要靠改革。发展要靠实干。") == []
    text = "市长指出，原因很多，一是历史包袱重。市长强调，一要抓项目。二要优服务。"
    assert [[i["title"] for i in s["items"]] for s in parse(text)["segments"]] == [["抓项目", "优服务"]]


def test_a_lone_marker_before_the_real_list_is_dropped() -> None:
    text = "会议强调，开放是必由之路，一是看区位。一要抓项目；二要优服务；三要强保障。"
    assert [i["title"] for i in only_items(text)] == ["抓项目", "优服务", "强保障"]


def test_words_containing_numerals_are_not_markers() -> None:
    text = "全市要统一要求、统一标准，把发展作为第一要务，推动一、二、三产业融合，增长1.5%。"
    assert only_items(text) == []


def test_nested_points_belong_to_the_text_of_their_parent_item() -> None:
    text = "（一）扩大开放\n1.稳外贸。\n2.扩外资。\n（二）优化环境\n1.减审批。\n2.强服务。\n3.重考核。"
    items = only_items(text)
    assert [(i["marker"], i["title"]) for i in items] == [("（一）", "扩大开放"), ("（二）", "优化环境")]
    assert items[0]["text"] == "扩大开放\n1.稳外贸。\n2.扩外资。"
    assert "3.重考核。" in items[1]["text"]


def test_inner_yishi_list_stays_inside_a_dun_heading() -> None:
    text = "一、稳外贸\n一是抓订单；二是拓市场。\n二、扩外资\n一是抓招商；二是优服务。"
    items = only_items(text)
    assert [i["title"] for i in items] == ["稳外贸", "扩外资"]
    assert "二是拓市场" in items[0]["text"]


def test_inline_list_ends_with_the_paragraph_of_its_last_point() -> None:
    items = only_items("市长强调，一要抓项目。二要优服务。\n会议还研究了其他事项。")
    assert items[-1]["text"] == "优服务。"


def test_heading_list_keeps_the_paragraphs_under_its_last_heading() -> None:
    items = only_items("一、稳外贸\n要抓订单。\n二、扩外资\n要抓招商。\n要优服务。")
    assert items[-1]["text"] == "扩外资\n要抓招商。\n要优服务。"


@pytest.mark.parametrize(
    ("numeral", "value"),
    [("一", 1), ("十", 10), ("十一", 11), ("二十", 20), ("九十九", 99), ("一一", None), ("", None)],
)
def test_chinese_numerals_are_parsed(numeral: str, value: int | None) -> None:
    assert cn_number(numeral) == value


# --- normalisation ------------------------------------------------------------------------------------


def test_normalisation_joins_wrapped_lines_and_drops_spaces_between_chinese_characters() -> None:
    text = "市长 强调 ,一是要抓好项目\r\n建设.加快推进重点\u00a0项目.\r\n二要优化营商环境 , 提升服务效率."
    assert normalize_text(text) == "市长强调，一是要抓好项目建设。加快推进重点项目。\n二要优化营商环境，提升服务效率。"
    assert titles(parse(text)) == [["抓好项目建设", "优化营商环境，提升服务效率"]]


def test_normalisation_converts_full_width_digits_and_keeps_numbers_intact() -> None:
    assert (
        normalize_text("２０２３年增长３．５％，达到1,200亿元，时间10:30。")
        == "2023年增长3.5%，达到1,200亿元，时间10:30。"
    )


def test_normalisation_keeps_spaces_between_latin_words() -> None:
    assert normalize_text("The  meeting\nwas held  in Dalian.") == "The meeting was held in Dalian."


def test_a_break_before_a_marker_or_after_a_heading_is_kept() -> None:
    assert normalize_text("（一）扩大开放\n全省要抓好外贸\n1.稳订单") == "（一）扩大开放\n全省要抓好外贸\n1.稳订单"


# --- title and date -----------------------------------------------------------------------------------


def test_first_short_line_without_sentence_punctuation_is_the_title() -> None:
    result = parse("大连市召开项目推进会\n市长强调，一要抓项目。二要优服务。")
    assert result["title"] == "大连市召开项目推进会"
    assert parse("市长强调，一要抓项目。\n二要优服务。")["title"] is None
    assert parse("大连市召开项目推进会")["title"] is None  # a single line is the text, not a title


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("2018年3月12日，全省召开会议。", "2018-03-12"),
        ("发布时间：2018-03-12 09:30", "2018-03-12"),
        ("3月12日，全省召开2018年对外开放工作会议。", "2018-03-12"),
        ("3月12日，全省召开对外开放工作会议。", None),
        ("二〇一八年三月十二日", "2018-03-12"),
        ("2018年2月30日召开会议，2018年3月1日印发通知。", "2018-03-01"),
        ("全省召开会议。", None),
    ],
)
def test_date_is_found_in_any_common_form(text: str, date: str | None) -> None:
    assert parse(text)["date"] == date


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


# --- properties -----------------------------------------------------------------------------------------

INLINE_TEXTS = [
    read_corpus(CORPUS / name)
    for name in (
        "01_provincial_opening_up_teleconference.txt",
        "02_city_mayor_yiyao.txt",
        "03_vice_governor_diyi.txt",
        "06_county_secretary_shouxian.txt",
        "07_messy_pasted_pdf.txt",
        "10_mayor_example.txt",
        "11_city_conference_several_speakers.txt",
    )
]
ALL_TEXTS = [read_corpus(path) for path in CORPUS_TEXTS]
IDEOGRAPH = re.compile(r"[\u4e00-\u9fff]")
HALF_WIDTH = {"，": ",", "；": ";", "：": ":", "！": "!", "？": "?", "（": "(", "）": ")", "。": "."}


def spaced_and_wrapped(text: str, seed: int, breaks: int) -> str:
    """Random spaces between Chinese characters and a few line breaks that start no new marker."""
    rng = random.Random(seed)
    first_line_end = text.find("\n") if "\n" in text.strip() else 0
    out: list[str] = []
    budget = breaks
    for index, char in enumerate(text):
        out.append(char)
        nxt = text[index + 1 : index + 2]
        if not (IDEOGRAPH.match(char) and nxt and IDEOGRAPH.match(nxt)):
            continue
        roll = rng.random()
        if roll < 0.15:
            out.append(rng.choice([" ", "  ", "\u00a0", "\u3000"]))
        elif roll < 0.20 and budget and index > first_line_end and not starts_with_marker(text[index + 1 :]):
            out.append(rng.choice(["\n", "\r\n"]))
            budget -= 1
    return "".join(out)


def swapped_punctuation(text: str, seed: int) -> str:
    """Full-width punctuation next to Chinese characters randomly replaced by its half-width form."""
    rng = random.Random(seed)
    chars = list(text)
    for index, char in enumerate(chars):
        prev = chars[index - 1] if index else ""
        nxt = chars[index + 1] if index + 1 < len(chars) else ""
        beside_chinese = bool(IDEOGRAPH.match(prev) or (char != "。" and IDEOGRAPH.match(nxt or " ")))
        if char in HALF_WIDTH and beside_chinese and rng.random() < 0.5:
            chars[index] = HALF_WIDTH[char]
        elif char.isdigit() and char.isascii() and rng.random() < 0.3:
            chars[index] = chr(ord(char) + 0xFEE0)
    return "".join(chars)


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.sampled_from(INLINE_TEXTS), seed=st.integers(0, 2**32), breaks=st.integers(0, 3))
def test_random_spaces_and_line_breaks_between_chinese_characters_never_change_the_titles(
    text: str, seed: int, breaks: int
) -> None:
    original = parse(text)
    noisy = parse(spaced_and_wrapped(text, seed, breaks))
    assert titles(noisy) == titles(original)
    assert [s["speaker"] for s in noisy["segments"]] == [s["speaker"] for s in original["segments"]]


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.sampled_from(ALL_TEXTS), seed=st.integers(0, 2**32))
def test_swapping_full_and_half_width_punctuation_never_changes_the_titles(text: str, seed: int) -> None:
    original = parse(text)
    swapped = parse(swapped_punctuation(text, seed))
    assert titles(swapped) == titles(original)
    assert swapped["date"] == original["date"]


SPEECHY = st.text(
    alphabet=st.sampled_from(
        list("一二三十是要第（）()1２.．、，,。；：:首先其次最后")
        + list("市长省委书记陈求发强调指出说他在会上\n 　大连市沈阳经济区“”")
    ),
    max_size=200,
)


@settings(max_examples=300, deadline=None, database=None)
@given(text=st.one_of(st.text(max_size=300), SPEECHY))
def test_parse_never_raises_on_arbitrary_text(text: str) -> None:
    if not normalize_text(text).strip():
        with pytest.raises(ValueError):
            parse(text)
        return
    result = parse(text)
    assert set(result) == {"title", "date", "segments"}
    for segment in result["segments"]:
        assert segment["speaker"] or segment["items"]
        for item in segment["items"]:
            assert item["title"] and isinstance(item["ordinal"], int) and item["ordinal"] > 0


# --- reading uploaded files -----------------------------------------------------------------------------


def docx_bytes(*paragraphs: tuple[str, str | None]) -> bytes:
    from docx import Document

    document = Document()
    for text, style in paragraphs:
        document.add_paragraph(text, style=style)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("data", [b"", b"   \n\t"])
def test_empty_file_is_rejected(data: bytes) -> None:
    with pytest.raises(SpeechFileError, match="文件为空"):
        read_speech_file(data, filename="讲话.txt")


def test_binary_garbage_is_rejected() -> None:
    with pytest.raises(SpeechFileError, match="不是文本文件"):
        read_speech_file(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), filename="讲话.txt")
    rng = random.Random(7)
    noise = bytes(rng.randrange(1, 256) for _ in range(4096))
    with pytest.raises(SpeechFileError):
        read_speech_file(noise, filename="讲话.txt")


def test_file_over_two_megabytes_is_rejected() -> None:
    with pytest.raises(SpeechFileError, match="2 MB"):
        read_speech_file("讲".encode() * (MAX_FILE_BYTES // 3 + 1), filename="讲话.txt")


def test_docx_that_is_not_a_zip_is_rejected() -> None:
    with pytest.raises(SpeechFileError, match="不是有效的 Word"):
        read_speech_file("市长强调，一是要抓好项目建设。".encode(), filename="讲话.docx")


def test_zip_without_a_word_document_is_rejected() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(SpeechFileError, match="不是有效的 Word"):
        read_speech_file(buffer.getvalue(), filename="讲话.docx")


def test_real_docx_is_read_with_word_numbering_written_out() -> None:
    data = docx_bytes(
        ("大连市召开项目推进会", None),
        ("市长强调：", None),
        ("抓好项目建设。", "List Number"),
        ("优化营商环境，提升服务效率。", "List Number"),
    )
    text = read_speech_file(data, filename="讲话.DOCX")
    assert text == "大连市召开项目推进会\n市长强调：\n1.抓好项目建设。\n2.优化营商环境，提升服务效率。"
    result = parse(text)
    assert result["title"] == "大连市召开项目推进会"
    assert titles(result) == [["抓好项目建设", "优化营商环境，提升服务效率"]]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
def test_text_files_in_common_chinese_encodings_are_decoded(encoding: str) -> None:
    assert read_speech_file(MAYOR_EXAMPLE.encode(encoding), filename="讲话.txt") == MAYOR_EXAMPLE


def test_unsupported_file_types_are_rejected_with_advice() -> None:
    with pytest.raises(SpeechFileError, match=r"\.docx"):
        read_speech_file(b"{\\rtf1}", filename="speech.doc")
    with pytest.raises(SpeechFileError, match="不支持的文件类型"):
        read_speech_file(b"%PDF-1.7", filename="speech.pdf")


def test_speech_file_error_is_a_value_error() -> None:
    assert issubclass(SpeechFileError, ValueError)
