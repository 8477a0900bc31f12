"""Task pages: the board, "my tasks", one task with its timeline and the buttons its viewer may use."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kaifang.accounts.models import Role
from kaifang.accounts.permissions import user_of
from kaifang.audit.services import record_export
from kaifang.core import clock
from kaifang.core.listing import Listing
from kaifang.core.versions import change_page, error_status
from kaifang.supervision import board as board_selectors
from kaifang.supervision import selectors, services, workflow
from kaifang.supervision.exports import board_workbook
from kaifang.supervision.forms import (
    AttachmentForm,
    NoticeForm,
    ProgressForm,
    SplitForm,
    TaskEditForm,
    TaskForm,
    TransitionForm,
    UrgeForm,
)
from kaifang.supervision.models import ActionKind, SupervisionAction, Task
from kaifang.supervision.notices import render_notice_ofd, render_notice_pdf
from kaifang.supervision.selectors import detail
from kaifang.supervision.views.steps import step_context, task_url


def _messages_of(exc: ValidationError) -> str:
    return "；".join(exc.messages)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Province and city users land on the board; county, department and platform users on their tasks."""
    if getattr(request.user, "role", None) == Role.REPORTER:
        return redirect("supervision:mine")
    return board(request)


def _board(request: HttpRequest) -> tuple[Listing, list[selectors.TaskRow]]:
    listing = selectors.TASK_LIST.read(request.GET, user=request.user)
    return listing, selectors.board_rows(user_of(request), listing)


@login_required
def board(request: HttpRequest) -> HttpResponse:
    listing = selectors.TASK_LIST.read(request.GET, user=request.user)
    paged = board_selectors.board(user_of(request), listing)  # counts over all, models for one page
    context = {
        "listing": listing,
        "page": paged.page,
        "summary": paged.summary,
        "missing_by_unit": paged.missing_by_unit,
        "help_requests": detail.help_requests(request.user),
        "today": clock.today(),
        "can_create": workflow.can_create_tasks(request.user),
    }
    return render(request, "supervision/board.html", context)


@login_required
def export_board(request: HttpRequest) -> HttpResponse:
    """Exactly the board's filtered rows in its order (every page); the export is audited."""
    listing, rows = _board(request)
    record_export(actor=request.user, what="supervision.tasks", rows=len(rows), filters=listing.described())
    response = HttpResponse(
        board_workbook(rows), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="tasks-{clock.today():%Y%m%d}.xlsx"'
    response["X-Row-Count"] = str(len(rows))  # audited with the filter (kaifang.audit.middleware)
    return response


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    return render(request, "supervision/mine.html", {"mine": selectors.my_tasks(request.user), "today": clock.today()})


@login_required
def create(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    if not workflow.can_create_tasks(user):
        raise PermissionDenied
    form = TaskForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            task = services.create_task(
                actor=user,
                title=data["title"],
                body=data["body"],
                category=data["category"],
                level=data.get("level") or "",
                lead_unit=data["lead_unit"],
                co_units=list(data["co_units"]),
                responsible_leader=data["responsible_leader"],
                deadline=data["deadline"],
                report_day=data["report_day"],
                source_kind=data["source_kind"],
                source_title=data["source_title"],
                source_excerpt=data["source_excerpt"],
                milestones=data["milestones"],
                request_key=data["request_key"],
            )
        except ValidationError as exc:
            _attach_errors(form, exc)
        else:
            messages.success(request, _("已立项：%(c)s（草稿，审核后下发）") % {"c": task.code})
            return redirect("supervision:task", pk=task.pk)
    return render(request, "supervision/task_form.html", {"form": form})


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a draft. A stale version re-renders what the user typed with a conflict message (409)."""
    user = user_of(request)
    task = selectors.get_task_for_user(user, pk)
    if workflow.SUPERVISOR not in workflow.actor_kinds(user, task):
        raise PermissionDenied
    initial = {
        "title": task.title,
        "body": task.body,
        "category": task.category,
        "lead_unit": task.lead_unit.code,
        "co_units": [u.code for u in task.co_units.all()],
        "responsible_leader": task.responsible_leader,
        "deadline": task.deadline,
        "report_day": task.report_day,
        "version": task.version,
    }
    form = TaskEditForm(request.POST or None, user=user, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_task(
                actor=user,
                task=task,
                expected_version=data["version"],
                title=data["title"],
                body=data["body"],
                category=data["category"],
                lead_unit=data["lead_unit"],
                co_units=list(data["co_units"]),
                responsible_leader=data["responsible_leader"],
                deadline=data["deadline"],
                report_day=data["report_day"],
            )
        except ValidationError as exc:
            status = error_status(exc)
            if status == 409:  # keep what they typed; saving again (after a look) applies it to the new version
                data = request.POST.copy()
                data["version"] = str(Task.objects.get(pk=task.pk).version)
                form = TaskEditForm(data, user=user, initial=initial)
                form.is_valid()
            _attach_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("supervision:task", pk=task.pk)
    elif request.method == "POST":
        status = 400
    return render(request, "supervision/task_form.html", {"form": form, "task": task}, status=status)


def _attach_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _detail(request: HttpRequest, task: Any, *, status: int = 200, **forms: Any) -> HttpResponse:
    user = user_of(request)
    task = selectors.get_task_for_user(user, task.pk)  # fresh, after any change
    children = selectors.task_rows(selectors.task_queryset().filter(parent=task).order_by("code"))
    context = {
        "task": task,
        "light": selectors.light_of(task),
        "progress": selectors.effective_progress(task),
        "missing": selectors.missing_periods_of(task, today=clock.today()),
        "timeline": detail.timeline(task),
        "children": children,
        "actions": workflow.allowed_actions(user, task),
        "can_report": workflow.can_report(user, task),
        "can_supervise": workflow.can_supervise(user, task) and task.state not in ("draft", "reviewed", "closed"),
        "can_split": workflow.can_split(user, task),
        "can_edit": task.state == "draft" and workflow.SUPERVISOR in workflow.actor_kinds(user, task),
        "transition_form": forms.get("transition_form") or TransitionForm(initial={"version": task.version}),
        "progress_form": forms.get("progress_form") or ProgressForm(initial={"version": task.version}),
        "urge_form": forms.get("urge_form") or UrgeForm(),
        "notice_form": forms.get("notice_form") or NoticeForm(),
        "split_form": forms.get("split_form") or SplitForm(parent_unit=task.lead_unit),
        "attachment_form": forms.get("attachment_form") or AttachmentForm(),
        "can_attach": bool(workflow.actor_kinds(user, task)),
        "error": forms.get("error", ""),
        "lead_actions": ("acknowledge", "start", "claim", "resume"),
        "today": clock.today(),
        **step_context(user, task, forms),
    }
    return render(request, "supervision/task_detail.html", context, status=status)


@login_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.get_task_for_user(request.user, pk))


@login_required
@require_POST
def task_transition(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    task = selectors.get_task_for_user(user, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        return _detail(request, task, status=400, transition_form=form, error=_("请求不完整，未作任何修改。"))
    data = form.cleaned_data
    return change_page(
        request,
        lambda: services.transition(
            actor=user, task=task, action=data["action"], expected_version=data["version"], reason=data["reason"]
        ),
        done=_("操作成功。"),
        then=task_url(task),
        refused=lambda status, error: _detail(request, task, status=status, transition_form=form, error=error),
    )


@login_required
@require_POST
def task_report(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    task = selectors.get_task_for_user(user, pk)
    form = ProgressForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        return change_page(
            request,
            lambda: services.submit_progress_report(
                actor=user,
                task=task,
                text=data["text"],
                percent=data["percent"],
                problems=data["problems"],
                help_needed=data["help_needed"],
                expected_version=data["version"],
            ),
            done=_("进展已报送。"),
            then=task_url(task),
            refused=lambda status, error: _detail(request, task, status=status, progress_form=form, error=error),
        )
    return _detail(request, task, status=400, progress_form=form, error=_("请检查进展报告中标出的内容。"))


@login_required
@require_POST
def task_urge(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    task = selectors.get_task_for_user(user, pk)
    form = UrgeForm(request.POST)
    if form.is_valid():
        return change_page(
            request,
            lambda: services.urge_task(actor=user, task=task, message=form.cleaned_data["message"]),
            done=_("已催办，牵头单位将收到站内消息。"),
            then=task_url(task),
            refused=lambda status, error: _detail(request, task, status=status, urge_form=form, error=error),
        )
    return _detail(request, task, status=400, urge_form=form, error=_("请填写催办内容。"))


@login_required
@require_POST
def task_notice(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    task = selectors.get_task_for_user(user, pk)
    form = NoticeForm(request.POST)
    if form.is_valid():
        return change_page(
            request,
            lambda: services.issue_notice(
                actor=user,
                task=task,
                requirement=form.cleaned_data["requirement"],
                reply_by=form.cleaned_data["reply_by"],
            ),
            done=lambda action: _("已发出督办通知单 %(n)s。") % {"n": action.number},
            then=task_url(task),
            refused=lambda status, error: _detail(request, task, status=status, notice_form=form, error=error),
        )
    return _detail(request, task, status=400, notice_form=form, error=_("请填写督办要求。"))


@login_required
@require_POST
def task_split(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    task = selectors.get_task_for_user(user, pk)
    form = SplitForm(request.POST, parent_unit=task.lead_unit)
    if form.is_valid():
        data = form.cleaned_data
        return change_page(
            request,
            lambda: services.split_task(
                actor=user, parent=task, lead_unit=data["lead_unit"], title=data["title"], deadline=data["deadline"]
            ),
            done=lambda child: _("已分解下达：%(c)s") % {"c": child.code},
            then=task_url(task),
            refused=lambda status, error: _detail(request, task, status=status, split_form=form, error=error),
        )
    return _detail(request, task, status=400, split_form=form, error=_("请选择承办的县（市、区）。"))


@login_required
@require_POST
def milestone_toggle(request: HttpRequest, pk: int, milestone_id: int) -> HttpResponse:
    user = user_of(request)
    task = selectors.get_task_for_user(user, pk)
    milestone = task.milestones.filter(pk=milestone_id).first()
    if milestone is None:
        raise Http404
    try:
        services.set_milestone_done(actor=user, milestone=milestone, done=request.POST.get("done") == "1")
    except ValidationError as exc:
        return _detail(request, task, status=400, error=_messages_of(exc))
    return redirect("supervision:task", pk=task.pk)


@login_required
@require_POST
def attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    task = selectors.get_task_for_user(user, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        return _detail(request, task, status=400, attachment_form=form, error=_("请选择要上传的文件。"))
    upload = form.cleaned_data["file"]
    if upload.size > settings.KAIFANG_MAX_UPLOAD_BYTES:
        return _detail(request, task, status=400, attachment_form=form, error=_("文件过大。"))
    try:
        services.add_attachment(actor=user, task=task, name=upload.name, data=upload.read())
    except ValidationError as exc:
        return _detail(request, task, status=400, attachment_form=form, error=_messages_of(exc))
    messages.success(request, _("附件已上传。"))
    return redirect("supervision:task", pk=task.pk)


@login_required
def attachment_download(request: HttpRequest, pk: int, attachment_id: int) -> FileResponse:
    task = selectors.get_task_for_user(request.user, pk)
    attachment = task.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404
    response = FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def notice_pdf(request: HttpRequest, pk: int, fmt: str = "pdf") -> HttpResponse:
    """The 督办通知单 as PDF (shown inline) or OFD (downloaded), only inside the user's scope."""
    action = SupervisionAction.objects.filter(pk=pk, kind=ActionKind.NOTICE).select_related("task").first()
    if action is None:
        raise Http404
    selectors.get_task_for_user(request.user, action.task_id)  # 404 outside scope
    if fmt == "ofd":
        response = HttpResponse(render_notice_ofd(action), content_type="application/ofd")
        response["Content-Disposition"] = f'attachment; filename="notice-{action.pk}.ofd"'
        return response
    response = HttpResponse(render_notice_pdf(action), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="notice-{action.pk}.pdf"'
    return response
