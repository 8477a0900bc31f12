"""Investor names: normalisation and the similar-name warning (警示, never a block).

"大连万达集团股份有限公司" and "大连万达（集团）" are probably one investor; clerks type both. Names
are compared after folding full-width characters, dropping brackets, spaces and legal-form words,
then by difflib's ratio (or one name containing the other); at SIMILARITY or above the page
warns and suggests the existing investor.
"""

from __future__ import annotations

import difflib
import re
import unicodedata

from kaifang.ledgers.models import Investor

SIMILARITY = 0.85
LEGAL_WORDS = [
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "株式会社",
    "集团",
    "股份",
    "控股",
    "公司",
    "(中国)",
    "中国",
    "co.,ltd.",
    "co., ltd.",
    "co.,ltd",
    "co. ltd",
    "corporation",
    "company",
    "limited",
    "group",
    "holdings",
    "gmbh",
    "inc.",
    "inc",
    "ltd.",
    "ltd",
    "corp.",
    "corp",
    "ag",
    "plc",
    "pte",
]
_PUNCT = re.compile(r"[\s()\[\]{}<>.,;:!?'\"、，。；：！？“”‘’《》【】\-_/&·]+")


def normalize_investor_name(name: str) -> str:
    """Fold width (ＡＢＣ（中国）→ ABC(中国)), lowercase, strip legal-form words and punctuation."""
    text = unicodedata.normalize("NFKC", name or "").lower().strip()
    text = text.replace("(中国)", "")
    for word in LEGAL_WORDS:
        text = re.sub(rf"(?<![a-z]){re.escape(word)}(?![a-z])", " ", text) if word.isascii() else text.replace(word, "")
    return _PUNCT.sub("", text)


def similarity(a: str, b: str) -> float:
    """difflib's ratio; a name contained in the other (大连万达 / 大连万达商业) counts as 0.9."""
    ratio = difflib.SequenceMatcher(None, a, b).ratio()
    if min(len(a), len(b)) >= 3 and (a in b or b in a):
        ratio = max(ratio, 0.9)
    return ratio


def similar_investors(name: str, *, exclude_id: int | None = None, limit: int = 5) -> list[tuple[Investor, float]]:
    """Existing investors whose normalised name is close to `name`, best first."""
    key = normalize_investor_name(name)
    if not key:
        return []
    found: list[tuple[Investor, float]] = []
    for investor in Investor.objects.only("id", "name", "normalized_name", "origin", "is_fortune500"):
        if investor.pk == exclude_id:
            continue
        ratio = 1.0 if investor.normalized_name == key else similarity(key, investor.normalized_name)
        if ratio >= SIMILARITY:
            found.append((investor, ratio))
    found.sort(key=lambda pair: -pair[1])
    return found[:limit]
