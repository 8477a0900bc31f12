"""Catalogue words in the reader's language: units of measure and the names of catalogue items.

Names of places, organisational units and people are never translated (they stay as written).
Catalogue items the project ships (the Liaoning indicator catalogue in data/) have an English name
in the message catalogue under the context "catalogue"; units of measure under "unit of measure".
A name an administrator adds later has no entry and shows as typed, which is the user's own word.

Units of measure in English follow one convention: the Chinese magnitude words become the SI-style
multiplier in front of the ISO currency code — 万 = 10k, 亿 = 100m: 万美元 → "10k USD",
亿元 → "100m CNY", 万元 → "10k CNY", 亿美元 → "100m USD"; counts name what is counted
(个 → "count", 人 → "persons", 项 → "items", 家 → "firms"); % stays %.
"""

from __future__ import annotations

from django.utils.translation import pgettext, pgettext_lazy

MEASURE_CONTEXT = "unit of measure"
CATALOGUE_CONTEXT = "catalogue"

# The units of measure the shipped catalogue and the ledgers use (listed so the .po carries them all).
MEASURES = (
    pgettext_lazy(MEASURE_CONTEXT, "万美元"),
    pgettext_lazy(MEASURE_CONTEXT, "亿美元"),
    pgettext_lazy(MEASURE_CONTEXT, "万元"),
    pgettext_lazy(MEASURE_CONTEXT, "亿元"),
    pgettext_lazy(MEASURE_CONTEXT, "个"),
    pgettext_lazy(MEASURE_CONTEXT, "人"),
    pgettext_lazy(MEASURE_CONTEXT, "项"),
    pgettext_lazy(MEASURE_CONTEXT, "家"),
)


def measure(text: str) -> str:
    """A unit of measure in the reader's language (万美元 → 10k USD in English); unknown ones as typed."""
    return pgettext(MEASURE_CONTEXT, text) if text else text


def catalogue_name(text: str) -> str:
    """A shipped catalogue item's name in the reader's language; any other name as typed."""
    return pgettext(CATALOGUE_CONTEXT, text) if text else text
