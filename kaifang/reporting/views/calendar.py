"""The year's reporting calendar: a rule, its preview (every round with its dates and units), then
the rounds created at once."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kaifang.accounts.permissions import is_supervisor, user_of
from kaifang.core import clock
from kaifang.core.context import change_context
from kaifang.reporting.forms import CalendarForm
from kaifang.reporting.services import calendar as reporting_calendar


@login_required
def calendar(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    if not is_supervisor(user):
        raise PermissionDenied(_("只有省级督查可以生成年度报送日历。"))
    indicators = reporting_calendar.rule_indicators(reporting_calendar.CalendarRule(year=clock.today().year))
    initial = {
        "year": clock.today().year + (1 if clock.today().month >= 11 else 0),
        "months": list(range(1, 13)),
        "unit_kinds": ["county", "department"],
        "indicators": [i.code for i in indicators],
    }
    form = CalendarForm(request.POST or None, initial=initial, indicators=indicators)
    plans = None
    if request.method == "POST" and form.is_valid():
        try:
            if request.POST.get("create") == "1":
                with change_context(channel="web"):
                    created = reporting_calendar.create_calendar(actor=user, rule=form.rule())
                messages.success(request, _("已生成 %(n)d 个报送批次。") % {"n": len(created)})
                return redirect("reporting:index")
            plans = reporting_calendar.plan_calendar(actor=user, rule=form.rule())
        except ValidationError as exc:
            form.add_error(None, exc)
    context = {"form": form, "plans": plans, "new": [p for p in plans or [] if not p.exists]}
    return render(request, "reporting/calendar.html", context, status=400 if form.errors else 200)
