"""Pages of the investment and talent ledgers (双招双引). Thin: guard, call a service, render."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kaifang.accounts.permissions import can_write_for_unit, is_read_only, user_of
from kaifang.audit.services import record_export
from kaifang.core import clock
from kaifang.core.listing import Listing
from kaifang.ledgers import exports, selectors
from kaifang.ledgers.counting import RULES
from kaifang.ledgers.forms import FollowUpForm, ProjectForm, TalentForm, TransferForm
from kaifang.ledgers.investors import similar_investors
from kaifang.ledgers.services import ACTION_LABELS, TRANSITIONS, create_project
from kaifang.ledgers.services.talents import create_talent


def _projects(request: HttpRequest) -> Listing:
    return selectors.PROJECT_LIST.read(request.GET, user=request.user)


def _year(request: HttpRequest) -> int:
    raw = request.GET.get("year", "")
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else clock.today().year


def _context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return {
        "rules": RULES,
        "can_write": not is_read_only(request.user),
        "years": list(range(2017, clock.today().year + 1)),
        **extra,
    }


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The pipeline kanban: one column per stage with counts, amounts, days in stage, conversion."""
    listing = _projects(request)
    board = selectors.pipeline(request.user, listing)
    return render(request, "ledgers/index.html", _context(request, board=board, listing=listing))


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    """Every visible project, a page at a time, with the total; filters combine; export = this set."""
    listing = _projects(request)
    page = listing.page(selectors.visible_projects(request.user, listing))
    return render(request, "ledgers/project_list.html", _context(request, page=page, listing=listing))


@login_required
def project_new(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    form = ProjectForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            project, warnings = create_project(actor=user, data=form.to_input())
        except ValidationError as exc:
            _add_errors(form, exc)
        except PermissionDenied:
            form.add_error("unit", _("您无权为该单位录入项目。"))
        else:
            messages.success(request, _("已录入线索“%(name)s”。") % {"name": project.name})
            for warning in warnings:
                messages.warning(request, warning)
            return redirect("ledgers:project", pk=project.pk)
    similar = similar_investors(request.POST.get("investor_name", "")) if request.method == "POST" else []
    return render(request, "ledgers/project_form.html", _context(request, form=form, similar=similar))


def _add_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = selectors.get_project_for_user(request.user, pk)
    today = clock.today()
    history = list(project.stage_changes.select_related("unit").order_by("effective_on", "id"))
    actions = [(action, ACTION_LABELS[action]) for action, _step in TRANSITIONS.allowed(project.stage, None)]
    writable = can_write_for_unit(request.user, project.unit)
    return render(
        request,
        "ledgers/project_detail.html",
        _context(
            request,
            project=project,
            history=history,
            visits=selectors.stage_durations(history, today),
            timers=selectors.lead_timers(project, today),
            actions=actions if writable else [],
            writable=writable,
            today=today,
            transfer_form=TransferForm(user=request.user, initial={"version": project.version, "effective_on": today}),
            follow_form=FollowUpForm(),
            follow_ups=project.follow_ups.all(),
            increases=project.capital_increases.all(),
            receipts=project.receipts.all(),
            transfers=project.transfers.select_related("from_unit", "to_unit"),
        ),
    )


@login_required
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a project's details (stage and unit change through their own dated actions)."""
    from kaifang.ledgers.services import update_project

    user = user_of(request)
    project = selectors.get_project_for_user(user, pk)
    if not can_write_for_unit(user, project.unit):
        raise PermissionDenied
    form = ProjectForm(request.POST or None, user=user, initial=project_initial(project))
    form.fields["unit"].disabled = form.fields["lead_received_on"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            version = int(request.POST.get("version", "0"))
            update_project(actor=user, project=project, data=form.to_input(), expected_version=version)
        except ValidationError as exc:
            _add_errors(form, exc)
        except ValueError:
            form.add_error(None, _("版本号有误，请刷新后重试。"))
        else:
            messages.success(request, _("已保存修改。"))
            return redirect("ledgers:project", pk=project.pk)
    return render(request, "ledgers/project_form.html", _context(request, form=form, project=project, similar=[]))


def project_initial(project: Any) -> dict[str, Any]:
    return {
        "name": project.name,
        "investor_name": project.investor.name,
        "is_fortune500": project.investor.is_fortune500,
        "origin": project.origin,
        "industry": project.industry,
        "unit": project.unit_id,
        "platform": project.platform_id,
        "leader": project.leader,
        "agreed_amount": project.agreed_amount,
        "currency": project.currency,
        "lead_received_on": project.lead_received_on,
        "description": project.description,
    }


@login_required
@require_POST
def project_act(request: HttpRequest, pk: int) -> HttpResponse:
    """One endpoint for the detail page's small forms (move, transfer, funds, 增资, timers, log)."""
    from kaifang.ledgers.actions import perform

    project = selectors.get_project_for_user(request.user, pk)
    try:
        message = perform(user=user_of(request), project=project, data=request.POST)
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("您无权执行该操作。"))
    else:
        messages.success(request, message)
    return redirect("ledgers:project", pk=project.pk)


@login_required
def stats(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    data = selectors.breakdowns(request.user, year)
    trend = selectors.monthly_trend(request.user, year)
    derived = selectors.derived_figures(request.user)
    return render(request, "ledgers/stats.html", _context(request, data=data, trend=trend, year=year, derived=derived))


@login_required
def leads(request: HttpRequest) -> HttpResponse:
    return render(request, "ledgers/leads.html", _context(request, rows=selectors.open_leads(request.user)))


@login_required
def talents(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    listing = selectors.TALENT_LIST.read(request.GET, user=request.user)
    page = listing.page(selectors.visible_talents(request.user, listing))
    data = selectors.talent_breakdowns(request.user, year)
    context = _context(request, page=page, listing=listing, data=data, year=year)
    return render(request, "ledgers/talents.html", context)


@login_required
def talent_new(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    form = TalentForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            record = create_talent(actor=user, data=form.to_input())
        except ValidationError as exc:
            _add_errors(form, exc)
        except PermissionDenied:
            form.add_error("unit", _("您无权为该单位录入。"))
        else:
            messages.success(request, _("已录入引进人才“%(name)s”。") % {"name": record.name})
            return redirect("ledgers:talents")
    return render(request, "ledgers/talent_form.html", _context(request, form=form))


@login_required
def export_projects(request: HttpRequest) -> HttpResponse:
    """Exactly the filtered list (every page, in the list's order); the export is audited."""
    listing = _projects(request)
    projects = list(selectors.visible_projects(request.user, listing))
    record_export(actor=request.user, what="ledgers.projects", rows=len(projects), filters=listing.described())
    return exports.xlsx_response(exports.projects_workbook(projects), "招商引资项目台账.xlsx")


@login_required
def export_talents(request: HttpRequest) -> HttpResponse:
    listing = selectors.TALENT_LIST.read(request.GET, user=request.user)
    records = list(selectors.visible_talents(request.user, listing))
    record_export(actor=request.user, what="ledgers.talents", rows=len(records), filters=listing.described())
    return exports.xlsx_response(exports.talents_workbook(records), "招才引智台账.xlsx")


@login_required
def import_ledger(request: HttpRequest) -> HttpResponse:
    """Upload → dry run with row-precise problems → confirm (the file is uploaded again to commit)."""
    from kaifang.ledgers.forms import ImportForm
    from kaifang.ledgers.services.imports import import_ledger as run_import

    user = user_of(request)
    if is_read_only(user):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        limit = getattr(settings, "KAIFANG_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
        if upload.size > limit:
            messages.error(request, _("文件超过上限 %(n)s MB，请分批导入。") % {"n": limit // 1048576})
            return redirect("ledgers:import")
        result = run_import(
            user=user, data=upload.read(), filename=upload.name, commit=request.POST.get("commit") == "1"
        )
        if result.committed:
            messages.success(request, result.summary())
            return redirect("ledgers:projects")
    return render(request, "ledgers/import.html", _context(request, form=form, result=result))
