"""Template filters for catalogue words (kaifang.core.catalogue_words): `measure`, `catalogue`."""

from __future__ import annotations

from typing import Any

from django import template

from kaifang.core.catalogue_words import catalogue_name, measure

register = template.Library()


@register.filter(name="measure")
def measure_filter(value: Any) -> str:
    return measure(str(value or ""))


@register.filter(name="catalogue")
def catalogue_filter(value: Any) -> str:
    return catalogue_name(str(value or ""))
