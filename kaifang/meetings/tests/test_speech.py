"""The speech parser (讲话解析): corpus of realistic texts and rules one by one
(places and gazetteer in test_speech_places, properties and files in test_speech_properties).

No database and no Django settings: the gazetteer is built by hand (Liaoning places) and
`build_gazetteer` is exercised against a stand-in models module.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kaifang.meetings.speech import (
    EMPTY_TEXT_MESSAGE,
    normalize_text,
    parse_speech,
)
from kaifang.meetings.speech.markers import cn_number
from kaifang.meetings.tests.speech_helpers import (
    CORPUS,
    CORPUS_TEXTS,
    MAYOR_EXAMPLE,
    only_items,
    parse,
    read_corpus,
    titles,
)

# --- the corpus ---------------------------------------------------------------------------------


def test_corpus_has_at_least_forty_texts_each_with_expectations() -> None:
    assert len(CORPUS_TEXTS) >= 40
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
            if "subitems" in want_item:
                assert [sub["title"] for sub in item["subitems"]] == want_item["subitems"]
            start, end = item["span"]
            assert result["text"][start:end].startswith(item["marker"]), item["title"]


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
    assert set(result) == {"title", "date", "segments", "text"}
    segment = result["segments"][0]
    assert set(segment) == {"speaker", "role_words", "items"}
    item = segment["items"][0]
    assert set(item) == {"ordinal", "marker", "title", "text", "places", "suggested_units", "span", "subitems"}
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
