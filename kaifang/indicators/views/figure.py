"""The figure behind a point: where a chart's point, a score item or a cockpit card leads."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from kaifang.core.numbers import figure_display
from kaifang.indicators import maths
from kaifang.indicators.periods import parse_period, ytd_text
from kaifang.indicators.selectors import get_indicator
from kaifang.indicators.selectors.behind import figure_behind
from kaifang.orgs.scope import get_unit_for_user


@login_required
def figure(request: HttpRequest, indicator: str, unit: str, period: str) -> HttpResponse:
    """The figure behind a point: the value as reported, its history, and the target."""
    target_unit = get_unit_for_user(request.user, unit)
    ind = get_indicator(indicator)
    try:
        day = parse_period(period)
    except ValidationError as exc:
        raise Http404("bad period") from exc
    behind = figure_behind(user=request.user, indicator=ind, unit=target_unit, period=day)
    fig = behind.figure
    context = {
        "indicator": ind,
        "unit": target_unit,
        "period": day,
        "period_label": ytd_text(day),
        "figure": fig,
        "ytd_text": figure_display(fig.ytd_value, ind.decimals),
        "month_text": figure_display(fig.month_value, ind.decimals),
        "last_year_text": figure_display(fig.last_year_ytd, ind.decimals),
        "completion_text": maths.percent(fig.completion, 1),
        "time_progress_text": maths.percent(fig.time_progress, 1),
        "value": behind.value,
        "history": behind.history,
        "children": behind.children,
        "target": behind.target,
    }
    return render(request, "indicators/figure.html", context)
