"""Inline lists (行内列表) in speeches: markers inside one paragraph, after 要/要求/强调, separated by
；;，。 or nothing; nested lists as items with sub-items; spans in the cleaned text.

Properties (hypothesis): for generated inline lists in every marker style, the items are exactly the
clauses written, and the items' spans cover the list end to end — no text lost, none duplicated.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kaifang.meetings.speech import parse_speech

CN = "一二三四五六七八九十"
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩"


def items_of(text: str) -> list[dict[str, Any]]:
    return [item for segment in parse_speech(text)["segments"] for item in segment["items"]]


@pytest.mark.parametrize(
    "text",
    [
        "会议要求，各地区要（一）抓项目；（二）优服务；（三）强保障。",
        "会议要求，各地区要(一)抓项目;(二)优服务;(三)强保障。",
        "会议要求，各地区要（一）抓项目（二）优服务（三）强保障。",
        "市长强调，各地区一是要抓项目；二是要优服务；三是要强保障。",
        "市长强调，各地区一要抓项目二要优服务三要强保障。",
        "会议要求：1.抓项目；2.优服务；3.强保障。",
        "会议要求1、抓项目；2、优服务；3、强保障。",
        "会议要求，各地区要①抓项目②优服务③强保障。",
        "会议要求，各地区要（1）抓项目（2）优服务（3）强保障。",
        "会议强调，各地区第一要抓项目，第二要优服务，第三要强保障。",
        "会议强调首先要抓项目，其次要优服务，最后要强保障。",
    ],
)
def test_an_inline_list_inside_one_paragraph_gives_its_three_items(text: str) -> None:
    assert [item["title"] for item in items_of(text)] == ["抓项目", "优服务", "强保障"]


def test_nested_list_gives_parent_items_with_their_sub_items() -> None:
    text = "会议要求，（一）稳外贸，1.兑现出口补贴；2.开拓新市场。（二）扩外资，1.办好推介会；2.推动开工。"
    items = items_of(text)
    assert [i["title"] for i in items] == ["稳外贸", "扩外资"]
    assert [s["title"] for s in items[0]["subitems"]] == ["兑现出口补贴", "开拓新市场"]
    assert [s["marker"] for s in items[1]["subitems"]] == ["1.", "2."]
    body = parse_speech(text)["text"]
    first = items[0]["subitems"][0]["span"]
    assert body[first[0] : first[1]] == "1.兑现出口补贴；"


def test_each_speaker_keeps_its_own_items_in_one_paragraph() -> None:
    text = "省长指出，全省一是要稳外贸；二是要扩外资。副省长要求，各部门一要抓落实；二要重考核。"
    result = parse_speech(text)
    assert [(s["speaker"], [i["title"] for i in s["items"]]) for s in result["segments"]] == [
        ("省长", ["稳外贸", "扩外资"]),
        ("副省长", ["抓落实", "重考核"]),
    ]


def test_spans_point_at_each_item_in_the_cleaned_text() -> None:
    result = parse_speech("市长强调，各地区一是要抓项目；二是要优服务。")
    spans = [tuple(i["span"]) for s in result["segments"] for i in s["items"]]
    assert [result["text"][a:b] for a, b in spans] == ["一是要抓项目；", "二是要优服务。"]


@pytest.mark.parametrize(
    "text",
    [
        "会议强调，要统一思想、统一行动，把开放作为关键之一，这是唯一的出路。",
        "该市排名全省第一，第二季度增速回落。",
        "1—5月全省进出口增长12.5%，实际利用外资3.2亿美元。",
    ],
)
def test_words_with_numerals_inside_a_paragraph_are_no_list(text: str) -> None:
    assert items_of(text) == []


# --- properties ---------------------------------------------------------------------------------

WORDS = ["抓项目", "优服务", "强保障", "稳外贸", "扩外资", "建机制", "重考核", "育主体", "拓市场", "促落地", "搭平台"]
CLAUSE = st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map("".join)


def _marker(style: str, n: int) -> str:
    return {
        "paren_cn": f"（{CN[n - 1]}）",
        "paren_half": f"({CN[n - 1]})",
        "shi": f"{CN[n - 1]}是",
        "shi_yao": f"{CN[n - 1]}是要",
        "yao": f"{CN[n - 1]}要",
        "arabic": f"{n}.",
        "arabic_dun": f"{n}、",
        "paren_ar": f"（{n}）",
        "circled": CIRCLED[n - 1],
        "di": f"第{CN[n - 1]}，",
    }[style]


# Styles whose markers are unmistakable even with nothing between the items.
GLUED = {"paren_cn", "paren_half", "shi", "shi_yao", "yao", "paren_ar", "circled"}


@st.composite
def inline_lists(draw: st.DrawFn) -> tuple[str, list[str], str]:
    style = draw(st.sampled_from(sorted(GLUED | {"arabic", "arabic_dun", "di"})))
    clauses = draw(st.lists(CLAUSE, min_size=2, max_size=8))
    seps = ["；", ";", "，", "。"] + ([""] if style in GLUED else [])
    lead = draw(st.sampled_from(["会议要求，各地区要", "市长强调，", "副省长要求：", "书记强调，各部门"]))
    parts = []
    for n, clause in enumerate(clauses, 1):
        sep = "。" if n == len(clauses) else draw(st.sampled_from(seps))
        parts.append(_marker(style, n) + clause + sep)
    return lead + "".join(parts), clauses, style


@settings(max_examples=300, deadline=None, database=None)
@given(case=inline_lists())
def test_inline_items_are_the_clauses_and_their_spans_lose_and_repeat_nothing(case: tuple[str, list[str], str]) -> None:
    text, clauses, _style = case
    result = parse_speech(text)
    items = [item for segment in result["segments"] for item in segment["items"]]
    assert [item["title"] for item in items] == clauses
    body = result["text"]
    spans = [item["span"] for item in items]
    for (_a, end), (start, _b) in itertools.pairwise(spans):
        assert end == start  # each item ends where the next begins: nothing between, nothing twice
    assert spans[-1][1] == len(body)
    assert "".join(body[a:b] for a, b in spans) == body[spans[0][0] :]
    for item, clause in zip(items, clauses, strict=True):
        assert item["text"].startswith(clause)


def test_the_demo_march_2018_teleconference_still_yields_its_speakers_items_and_places() -> None:
    from kaifang.meetings.demo.speeches import GOVERNOR_SPEECH, SECRETARY_SPEECH
    from kaifang.meetings.tests.speech_helpers import parse

    secretary = parse(SECRETARY_SPEECH)["segments"]
    assert [s["speaker"] for s in secretary] == ["省委书记"]
    items = secretary[0]["items"]
    assert [i["marker"] for i in items] == ["一是要", "二是要", "三是要", "四是要", "五是要"]
    assert items[0]["title"].startswith("主动融入国家重大战略")
    assert {"大连市", "丹东市"} <= {p["name"] for p in items[1]["places"]}
    governor = parse(GOVERNOR_SPEECH)["segments"]
    assert [s["speaker"] for s in governor] == ["省长"]
    assert [i["marker"] for i in governor[0]["items"]] == ["第一", "第二", "第三", "第四"]
    assert governor[0]["items"][1]["title"].startswith("提高利用外资水平")
    assert {"沈阳市", "大连市"} <= {p["name"] for p in governor[0]["items"][1]["places"]}
