"""Reading the catalogue: the indicators in use (by year) and one indicator by code;
`kaifang.indicators.selectors` re-exports them."""

from __future__ import annotations

from django.http import Http404

from kaifang.indicators.models import Indicator
from kaifang.indicators.selectors.targets import HandDown as HandDown
from kaifang.indicators.selectors.targets import hand_down as hand_down
from kaifang.indicators.selectors.targets import visible_targets as visible_targets
from kaifang.indicators.selectors.values import _guard as _guard
from kaifang.indicators.selectors.values import _number as _number
from kaifang.indicators.selectors.values import history_of as history_of
from kaifang.indicators.selectors.values import series as series
from kaifang.indicators.selectors.values import value_for as value_for
from kaifang.indicators.selectors.values import values_for_form as values_for_form
from kaifang.indicators.selectors.values import visible_values as visible_values


def indicators(*, active_only: bool = True, category: str | None = None) -> list[Indicator]:
    """The catalogue is province-wide; everybody signed in may read it."""
    qs = Indicator.objects.all()
    if active_only:
        qs = qs.active()
    if category:
        qs = qs.filter(category=category)
    return list(qs.order_by("sort_order", "code"))


def get_indicator(code: str) -> Indicator:
    indicator = Indicator.objects.filter(code=code[:32]).first()
    if indicator is None:
        raise Http404("indicator not found")
    return indicator
