"""parse_speech: pasted speech or meeting report → title, date, speakers and their numbered points."""

from __future__ import annotations

import datetime
import re
from typing import Any

from kaifang.meetings.speech.gazetteer import ASSIGNABLE_KINDS, Gazetteer, matcher_for
from kaifang.meetings.speech.markers import CN_DIGITS, Item, cn_number, extract_items, starts_with_marker
from kaifang.meetings.speech.normalize import join_lines, prepare_lines, wrap_width
from kaifang.meetings.speech.speakers import find_mentions, split_speakers

EMPTY_TEXT_MESSAGE = "讲话内容为空：请粘贴讲话稿或会议报道的全文。"
_DEFAULT_GAZETTEER = Gazetteer(places=(), topic_units=())
_DATELINES = ("本报讯", "新华社", "记者", "来源", "发布时间", "编者按", "据")
_FULL_DATE = re.compile(r"(?<!\d)(\d{4})年(\d{1,2})月(\d{1,2})日")
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")
_CN_DATE = re.compile(r"([〇零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日")
_SHORT_DATE = re.compile(r"(?<!\d)(\d{1,2})月(\d{1,2})日")
_YEAR = re.compile(r"(?<!\d)(\d{4})年|([〇零一二三四五六七八九]{4})年")


def _looks_like_title(line: str, *, width: int) -> bool:
    return (
        5 <= len(line) <= 60
        and not set("。；！？!?;").intersection(line)
        and line[-1] not in "：，、:,"
        and not line.startswith(_DATELINES)
        and not starts_with_marker(line)
        and not find_mentions(line)
        and not (_FULL_DATE.fullmatch(line) or _ISO_DATE.fullmatch(line))
        and not (width and len(line) >= 0.85 * width)
    )


def split_title(lines: list[str]) -> tuple[str | None, list[str]]:
    """(title, remaining lines): the first line is the title when it is short and not a sentence."""
    filled = [index for index, line in enumerate(lines) if line]
    if len(filled) < 2:
        return None, lines
    first = filled[0]
    rest = lines[first + 1 :]
    if _looks_like_title(lines[first], width=wrap_width(rest)):
        return lines[first], rest
    return None, lines


def _cn_year(text: str) -> int:
    return int("".join(str(CN_DIGITS[ch]) for ch in text))


def find_date(text: str) -> str | None:
    """The first date in `text` as YYYY-MM-DD; "3月12日" needs a year elsewhere in the text."""
    candidates: list[tuple[int, int, int, int]] = []
    for match in _FULL_DATE.finditer(text):
        candidates.append((match.start(), int(match[1]), int(match[2]), int(match[3])))
    for match in _ISO_DATE.finditer(text):
        candidates.append((match.start(), int(match[1]), int(match[2]), int(match[3])))
    for match in _CN_DATE.finditer(text):
        month, day = cn_number(match[2]), cn_number(match[3])
        if month and day:
            candidates.append((match.start(), _cn_year(match[1]), month, day))
    if year_match := _YEAR.search(text):
        year = int(year_match[1]) if year_match[1] else _cn_year(year_match[2])
        for match in _SHORT_DATE.finditer(text):
            candidates.append((match.start(), year, int(match[1]), int(match[2])))
    for _start, year, month, day in sorted(candidates):
        try:
            return datetime.date(year, month, day).isoformat()
        except ValueError:
            continue
    return None


def _locate(body: str, segment_text: str, item: Item, cursor: int) -> tuple[int, int]:
    """The item's span in `body` (the whole cleaned text), searching from `cursor`."""
    raw = segment_text[item.start : item.end]
    found = body.find(raw, cursor)
    if found < 0:  # a repeated speaker mention was cut out of the middle: anchor on the head
        found = body.find(raw[:12], cursor)
        return (found, found + len(raw)) if found >= 0 else (cursor, cursor)
    return found, found + len(raw)


def _item_dict(
    item: Item, gazetteer: Gazetteer, *, body: str = "", segment_text: str = "", cursor: int = 0
) -> dict[str, Any]:
    item_ordinal, marker, title, text = item.ordinal, item.marker, item.title, item.text
    span = _locate(body, segment_text, item, cursor) if body else (item.start, item.end)
    subitems = []
    for child in item.children:
        child_span = _locate(body, segment_text, child, span[0]) if body else (child.start, child.end)
        subitems.append(
            {"ordinal": child.ordinal, "marker": child.marker, "title": child.title, "span": list(child_span)}
        )
    matcher = matcher_for(gazetteer)
    places = matcher.places(text)
    units: dict[str, str] = {}
    for place in places:
        if place.kind in ASSIGNABLE_KINDS and place.code:
            units.setdefault(place.code, place.name)
    for code, name in matcher.topic_units(text):
        units.setdefault(code, name)
    return {
        "ordinal": item_ordinal,
        "marker": marker,
        "title": title,
        "text": text,
        "places": [{"name": p.name, "code": p.code, "kind": p.kind} for p in places],
        "suggested_units": [{"code": code, "name": name} for code, name in units.items()],
        "span": list(span),
        "subitems": subitems,
    }


def parse_speech(text: str, *, gazetteer: Gazetteer | None = None) -> dict[str, Any]:
    """Find the speakers of a speech or meeting report and, in each one's part, the numbered points.

    Returns a draft for a person to confirm (never publish it as is)::

        {"title": str | None, "date": "YYYY-MM-DD" | None, "text": str (the cleaned body),
         "segments": [{"speaker": str, "role_words": [str],
                       "items": [{"ordinal", "marker", "title", "text", "places", "suggested_units",
                                  "span": [start, end] in "text",
                                  "subitems": [{"ordinal", "marker", "title", "span"}]}]}]}

    Inline lists count wherever their markers stand ("各地区要（一）…；（二）…", "各地区一是要…"),
    and a list inside a point (（一） holding 1. 2.) gives that point's sub-items.

    Segments: one per speaker turn, in order (a speaker whose part has no numbered points keeps
    an empty item list); words before the first speaker, or a whole text without speakers, form a
    segment with speaker "" only when they contain numbered points. A text that is no speech
    (a recipe, English prose) therefore gives ``"segments": []``.

    Places come from `gazetteer` (see `build_gazetteer`) plus national strategies and other
    provinces; without a gazetteer only those two are found and no topic units are suggested.
    Raises ValueError (Chinese message) when the text is empty.
    """
    lines = prepare_lines(text)
    if not any(lines):
        raise ValueError(EMPTY_TEXT_MESSAGE)
    title, body_lines = split_title(lines)
    body = join_lines(body_lines)
    gazetteer = gazetteer or _DEFAULT_GAZETTEER
    segments: list[dict[str, Any]] = []
    cursor = 0
    for segment in split_speakers(body):
        items = []
        for item in extract_items(segment.text):
            items.append(_item_dict(item, gazetteer, body=body, segment_text=segment.text, cursor=cursor))
            cursor = max(cursor, items[-1]["span"][1])
        if segment.speaker or items:
            segments.append({"speaker": segment.speaker, "role_words": segment.role_words, "items": items})
    return {"title": title, "date": find_date("\n".join(lines)), "segments": segments, "text": body}
