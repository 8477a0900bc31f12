"""Numbered points (一是/一要/第一/（一）/一、/1./（1）/①/首先…) and the lists they form.

Official Chinese numbers its points in several families. Markers of one family only form a list
when they run in sequence (1, 2, 3 …); a stray "一是" inside a sentence starts nothing. When several
families form lists in one speaker's part, the outer one becomes the items and the inner ones stay
in the item's text (（一） with 1. 2. inside → items 一, 二).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}

_CN = "[一二三四五六七八九十]{1,3}"
# A marker starts a clause: text start, a line break, sentence or clause punctuation, or a quote.
_AFTER_CLAUSE = r"(?<![^\n。；：！？，“”])"
_AFTER_SENTENCE = r"(?<![^\n。；：！？“”])"
# Inline lists follow their verb or subject directly: "要求（一）…", "各地区一是要…", "强调：首先…".
_AFTER_CLAUSE_OR_VERB = r"(?:(?<![^\n。；：！？，“”])|(?<=[要求调出是]))"
# 一是/二要 may stand right after its subject ("各地区一是要…") but not inside a word ending in a
# numeral (统一是、唯一要、之一是、第一是 is the 第 family, 十一 is read whole).
# 第一/第二 may follow its subject too ("各乡镇第一要…"), but not a ranking ("排名第一，").
_NOT_AFTER_RANK = r"(?<![名居列排届批])"
_NOT_IN_WORD = r"(?<![统唯之同万其第一二三四五六七八九十两逐专划])"

# (family, rank, pattern). Rank orders the conventional hierarchy 一、 > （一） > 1. > （1）;
# inline families (第一, 首先, 一是) sit between the headings and the arabic sub-points.
_FAMILIES: tuple[tuple[str, int, re.Pattern[str]], ...] = (
    ("dun", 0, re.compile(_AFTER_SENTENCE + rf"(?P<num>{_CN})、(?![一二三四五六七八九十])")),
    ("paren_cn", 1, re.compile(rf"（(?P<num>{_CN})）")),
    (
        "di",
        2,
        re.compile(_NOT_AFTER_RANK + rf"第(?P<num>{_CN})(?P<suffix>是要(?!求)|是|要(?![求务素])|(?=[，、：]))"),
    ),
    ("qi", 3, re.compile(_AFTER_CLAUSE_OR_VERB + r"其(?P<num>[一二三四五六七八九十])(?P<suffix>是|(?=[，、：]))")),
    (
        "seq",
        4,
        re.compile(_AFTER_CLAUSE_OR_VERB + r"(?P<word>首先|其次|再次|最后)(?P<suffix>要(?!求)|是|(?=[，、：]))"),
    ),
    ("shi", 5, re.compile(_NOT_IN_WORD + rf"(?P<num>{_CN})(?P<suffix>是要(?!求)|是|要(?![求务素点件]))")),
    ("arabic", 6, re.compile(r"(?<![\d.A-Za-z])(?P<num>\d{1,2})[.、](?![\d%])")),
    ("paren_ar", 7, re.compile(r"（(?P<num>\d{1,2})）")),
    ("circled", 8, re.compile(r"(?P<circ>[①-⑳])")),
)
# Families whose markers may stand at the head of a line of their own (a heading).
HEADING_FAMILIES = frozenset({"dun", "paren_cn", "arabic", "paren_ar"})
# Families used inside running text: a list of them ends with the paragraph of its last point.
INLINE_FAMILIES = frozenset({"di", "qi", "seq", "shi", "circled"})
_SEQ_WORDS = {"首先": 1, "其次": 2, "再次": 3}
_SEPARATORS = "，、：.:． "


def cn_number(text: str) -> int | None:
    """Parse a small Chinese numeral (一 … 九十九); None when it is not one."""
    if not text or any(ch not in CN_DIGITS and ch != "十" for ch in text):
        return None
    if "十" not in text:
        return CN_DIGITS[text] if len(text) == 1 else None
    tens, _, ones = text.partition("十")
    if "十" in ones or len(tens) > 1 or len(ones) > 1:
        return None
    value = (CN_DIGITS[tens] if tens else 1) * 10 + (CN_DIGITS[ones] if ones else 0)
    return value or None


@dataclass(frozen=True)
class Marker:
    """One numbered-point marker found in a text."""

    family: str
    rank: int
    ordinal: int  # 0 for 最后 until it joins a list
    start: int
    end: int  # index after the marker and its separators
    text: str


@dataclass(frozen=True)
class Item:
    """A top-level point: its marker and the text after it up to the next point. `start`/`end` are
    its span in the text it was found in (marker included); `children` its own numbered sub-points
    (（一） holding 1. 2.), whose spans are in the same text."""

    ordinal: int
    marker: str
    title: str
    text: str
    start: int = 0
    end: int = 0
    children: tuple[Item, ...] = ()


def _scan(text: str) -> Iterator[Marker]:
    for family, rank, pattern in _FAMILIES:
        for match in pattern.finditer(text):
            groups = match.groupdict()
            if family == "circled":
                ordinal = ord(groups["circ"]) - ord("①") + 1
            elif family == "seq":
                ordinal = _SEQ_WORDS.get(groups["word"], 0)
            elif family in ("arabic", "paren_ar"):
                ordinal = int(groups["num"])
            else:
                ordinal = cn_number(groups["num"]) or -1
            if ordinal < 0 or (ordinal == 0 and family != "seq"):
                continue
            end = match.end()
            while end < len(text) and text[end] in _SEPARATORS:
                end += 1
            yield Marker(family, rank, ordinal, match.start(), end, match.group())


def find_markers(text: str) -> list[Marker]:
    """Every marker candidate in `text`, in order; one per position (the highest-ranked family)."""
    by_start: dict[int, Marker] = {}
    for marker in _scan(text):
        known = by_start.get(marker.start)
        if known is None or marker.rank < known.rank:
            by_start[marker.start] = marker
    return [by_start[key] for key in sorted(by_start)]


def starts_with_marker(line: str, *, families: frozenset[str] | None = None) -> bool:
    """Whether `line` begins with a numbered-point marker (optionally of the given families)."""
    for family, _rank, pattern in _FAMILIES:
        if families is not None and family not in families:
            continue
        if pattern.match(line):
            return True
    return False


def _chains(markers: list[Marker]) -> list[list[Marker]]:
    """Sequences 1, 2, 3 … of one family; stray markers that continue nothing are dropped."""
    open_chains: list[list[Marker]] = []
    for marker in markers:
        if marker.family == "seq" and marker.ordinal == 0:  # 最后: the one after the last point
            if open_chains:
                chain = max(open_chains, key=lambda c: c[-1].start)
                last = chain[-1]
                if last.family == "seq" and last.ordinal > 0 and not last.text.startswith("最后"):
                    chain.append(
                        Marker(marker.family, marker.rank, last.ordinal + 1, marker.start, marker.end, marker.text)
                    )
            continue
        if marker.ordinal == 1:
            open_chains.append([marker])
            continue
        following = [c for c in open_chains if c[-1].ordinal == marker.ordinal - 1]
        if following:
            max(following, key=lambda c: c[-1].start).append(marker)
    found = sorted((c for c in open_chains if len(c) >= 2), key=lambda c: (-len(c), c[0].start))
    accepted: list[list[Marker]] = []
    for chain in found:  # longest first; a chain crossing an accepted one is a nested or stray run
        if all(chain[-1].start < other[0].start or chain[0].start > other[-1].start for other in accepted):
            accepted.append(chain)
    return sorted(accepted, key=lambda c: c[0].start)


def _spans(chains: list[list[Marker]], end: int) -> list[tuple[int, int, bool]]:
    """(start, end, is_last_of_its_list) of every point of these lists."""
    spans: list[tuple[int, int, bool]] = []
    for index, chain in enumerate(chains):
        chain_end = chains[index + 1][0].start if index + 1 < len(chains) else end
        for position, marker in enumerate(chain):
            is_last = position + 1 == len(chain)
            spans.append((marker.start, chain_end if is_last else chain[position + 1].start, is_last))
    return spans


def _nested(inner: list[list[Marker]], outer: list[list[Marker]], *, outer_ranks_higher: bool, end: int) -> bool:
    """Whether every list of `inner` lies inside a single point of `outer`."""
    spans = _spans(outer, end)
    inside_non_last = False
    for chain in inner:
        holder = next((s for s in spans if s[0] < chain[0].start < s[1]), None)
        if holder is None or not holder[0] < chain[-1].start < holder[1]:
            return False
        inside_non_last = inside_non_last or not holder[2]
    return inside_non_last or outer_ranks_higher


def top_level_lists(text: str) -> list[list[Marker]]:
    """The outermost numbered lists of `text`, in order."""
    by_family: dict[str, list[Marker]] = {}
    for marker in find_markers(text):
        by_family.setdefault(marker.family, []).append(marker)
    lists = {family: chains for family, markers in by_family.items() if (chains := _chains(markers))}
    ranks = {family: chains[0][0].rank for family, chains in lists.items()}
    top = [
        family
        for family, chains in lists.items()
        if not any(
            _nested(chains, other, outer_ranks_higher=ranks[name] < ranks[family], end=len(text))
            for name, other in lists.items()
            if name != family
        )
    ]
    if not top:
        return []
    top.sort(key=lambda family: ranks[family])
    chosen = list(lists[top[0]])
    for family in top[1:]:  # an earlier, separate list (e.g. before the headings) is kept too
        if lists[family][-1][-1].start < chosen[0][0].start:
            chosen = lists[family] + chosen
    return sorted(chosen, key=lambda c: c[0].start)


def first_clause(body: str) -> str:
    """The clause up to the first 。；！？ or line end, without trailing commas."""
    for clause in re.split(r"[。；！？!?;\n]", body):
        clause = clause.strip().rstrip("，、：,:")
        if clause:
            return clause
    return ""


def _own_paragraphs(body: str, rank: int) -> str:
    """The first paragraph of `body` and the following ones that start with a sub-point marker."""
    paragraphs = body.split("\n")
    kept = [paragraphs[0]]
    for paragraph in paragraphs[1:]:
        markers = find_markers(paragraph)
        if not (markers and markers[0].start == 0 and markers[0].rank > rank):
            break
        kept.append(paragraph)
    return "\n".join(kept).strip()


def extract_items(text: str, *, offset: int = 0, depth: int = 0) -> list[Item]:
    """The top-level numbered points of one speaker's part (each with its sub-points, one level)."""
    lists = top_level_lists(text)
    spans = iter(_spans(lists, len(text)))
    items: list[Item] = []
    for chain in lists:
        multi_paragraph = False
        for marker in chain:
            _start, end, is_last = next(spans)
            raw = text[marker.end : end]
            body = raw.strip()
            if is_last and marker.family in INLINE_FAMILIES and not multi_paragraph:
                body = _own_paragraphs(body, marker.rank)  # the list ended with its paragraph
            multi_paragraph = multi_paragraph or "\n" in body
            lead = len(raw) - len(raw.lstrip())
            body_start = marker.end + lead
            children: tuple[Item, ...] = ()
            if depth == 0:
                children = tuple(extract_items(body, offset=offset + body_start, depth=1))
            head = body
            if children:
                head = body[: children[0].start - offset - body_start]
            title = first_clause(head) or first_clause(body)
            item_end = body_start + len(body)
            body = re.sub(r"\n+", "\n", body)
            if title:
                items.append(
                    Item(marker.ordinal, marker.text, title, body, offset + marker.start, offset + item_end, children)
                )
    return items
