"""Task page parts for step deadlines, cards (黄牌/红牌), extension requests and four eyes."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kaifang.accounts.permissions import user_of
from kaifang.core import clock
from kaifang.core.versions import change_page
from kaifang.supervision import selectors, services, workflow
from kaifang.supervision.forms import EscalateForm, ExtensionDecisionForm, ExtensionRequestForm
from kaifang.supervision.models import OPEN_STATES, ActionKind, ExtensionStatus, Task, TaskState
from kaifang.supervision.steps import limits_for, load_limits


def step_context(user: Any, task: Task, forms: dict[str, Any]) -> dict[str, Any]:
    """What the task page shows about step limits, cards, extensions and who created/reviewed it."""
    today = clock.today()
    steps = selectors.steps_of(task, today=today)
    cards = [a for a in task.actions.all() if a.kind in (ActionKind.YELLOW_CARD, ActionKind.RED_CARD)]
    extensions = list(task.extensions.order_by("at", "id"))
    pending = next((e for e in extensions if e.status == ExtensionStatus.PENDING), None)
    kinds = workflow.actor_kinds(user, task)
    by_action = {t.action: t.actor_name for t in task.transitions.all() if t.action in ("review", "issue")}
    four_eyes_blocked = any(
        workflow.four_eyes_problem(user, task, action)
        for (state, action), step in workflow.TRANSITIONS.items()
        if state == task.state and step.actors & kinds
    )
    return {
        "steps": steps,
        "limits": limits_for(task.category, task.level, load_limits()),
        "overdue_steps": [s for s in steps if s.overdue],
        "card": cards[-1] if cards else None,
        "can_escalate": workflow.can_supervise(user, task)
        and any(s.overdue for s in steps)
        and not any(c.kind == ActionKind.RED_CARD for c in cards),
        "escalate_form": forms.get("escalate_form") or EscalateForm(),
        "extensions": extensions,
        "pending_extension": pending,
        "can_request_extension": workflow.LEAD in kinds and task.state in OPEN_STATES and pending is None,
        "can_decide_extension": workflow.can_supervise(user, task) and pending is not None,
        "extension_form": forms.get("extension_form") or ExtensionRequestForm(initial={"version": task.version}),
        "decision_form": forms.get("decision_form") or ExtensionDecisionForm(),
        "created_by_name": str(task.created_by) if task.created_by_id else _("系统导入"),
        "reviewed_by_name": by_action.get("review", ""),
        "issued_by_name": by_action.get("issue", ""),
        "four_eyes_blocked": four_eyes_blocked,
        "single_person_ok": getattr(settings, "KAIFANG_TASK_SINGLE_PERSON_OK", False),
        "step_lead_actions": task.state == TaskState.ISSUED,
    }


def _detail(request: HttpRequest, task: Task, **kwargs: Any) -> HttpResponse:
    from kaifang.supervision.views import _detail as detail

    return detail(request, task, **kwargs)


def task_url(task: Task) -> str:
    return reverse("supervision:task", kwargs={"pk": task.pk})


@login_required
@require_POST
def task_escalate(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    task = selectors.get_task_for_user(user, pk)
    form = EscalateForm(request.POST)
    if not form.is_valid():
        return _detail(request, task, status=400, escalate_form=form, error=_("请填写亮牌理由。"))
    return change_page(
        request,
        lambda: services.escalate_task(actor=user, task=task, reason=form.cleaned_data["reason"]),
        done=lambda action: _("已亮%(k)s。") % {"k": action.get_kind_display()},
        then=task_url(task),
        refused=lambda status, error: _detail(request, task, status=status, escalate_form=form, error=error),
    )


@login_required
@require_POST
def extension_request(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    task = selectors.get_task_for_user(user, pk)
    form = ExtensionRequestForm(request.POST)
    if not form.is_valid():
        return _detail(request, task, status=400, extension_form=form, error=_("请填写延期后的时限和理由。"))
    data = form.cleaned_data
    return change_page(
        request,
        lambda: services.request_extension(
            actor=user,
            task=task,
            new_deadline=data["new_deadline"],
            reason=data["reason"],
            expected_version=data["version"],
        ),
        done=_("延期申请已提交，待交办单位审批。"),
        then=task_url(task),
        refused=lambda status, error: _detail(request, task, status=status, extension_form=form, error=error),
    )


@login_required
@require_POST
def extension_decide(request: HttpRequest, pk: int, request_id: int) -> HttpResponse:
    user = user_of(request)
    task = selectors.get_task_for_user(user, pk)
    pending = task.extensions.filter(pk=request_id).first()
    if pending is None:
        raise Http404
    form = ExtensionDecisionForm(request.POST)
    if not form.is_valid():
        return _detail(request, task, status=400, decision_form=form, error=_("请选择审批结果。"))
    approve = form.cleaned_data["decision"] == "approve"
    return change_page(
        request,
        lambda: services.decide_extension(actor=user, request=pending, approve=approve, note=form.cleaned_data["note"]),
        done=_("已批准延期。") if approve else _("已决定不批准延期。"),
        then=task_url(task),
        refused=lambda status, error: _detail(request, task, status=status, decision_form=form, error=error),
    )
