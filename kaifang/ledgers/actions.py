"""The small forms of a project's page, each mapped to its service (so the view stays thin)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from kaifang.ledgers import services
from kaifang.ledgers.forms import AmountForm, FollowUpForm, MilestoneForm, TransferForm, TransitionForm
from kaifang.ledgers.models import FollowUp, InvestmentProject
from kaifang.ledgers.services import leads, money


def _valid(form: Any) -> dict[str, Any]:
    if not form.is_valid():
        raise ValidationError([f"{form.fields[k].label or k}：{' '.join(v)}" for k, v in form.errors.items()])
    return dict(form.cleaned_data)


def perform(*, user: Any, project: InvestmentProject, data: Any) -> str:
    """Run the operation named by data["op"]; returns the success message."""
    op = data.get("op", "")
    if op == "move":
        d = _valid(TransitionForm(data))
        project = services.transition_project(
            actor=user,
            project=project,
            action=d["action"],
            effective_on=d["effective_on"],
            evidence=d["evidence"],
            expected_version=d["version"],
        )
        return f"已{services.ACTION_LABELS.get(d['action'], '')}：项目现处于“{project.get_stage_display()}”阶段。"
    if op == "transfer":
        d = _valid(TransferForm(data, user=user))
        project = services.transfer_project(
            actor=user,
            project=project,
            to_unit=d["to_unit"],
            effective_on=d["effective_on"],
            reason=d["reason"],
            expected_version=d["version"],
        )
        return f"已移交给{project.unit.name}。"
    if op in ("funds", "increase"):
        d = _valid(AmountForm(data))
        if op == "funds":
            money.record_funds(
                actor=user,
                project=project,
                amount=d["amount"],
                currency=d["currency"],
                received_on=d["on"],
                note=d["note"],
            )
            return "已登记到位资金。"
        money.add_capital_increase(
            actor=user, project=project, amount=d["amount"], currency=d["currency"], signed_on=d["on"], note=d["note"]
        )
        return "已登记增资。"
    if op == "milestone":
        d = _valid(MilestoneForm(data))
        leads.record_lead_milestone(actor=user, project=project, milestone=d["milestone"], on=d["on"])
        return "已登记线索处理情况。"
    if op == "follow":
        d = _valid(FollowUpForm(data))
        leads.add_follow_up(actor=user, project=project, kind=d["kind"], text=d["text"])
        return "已添加跟踪记录。"
    if op == "follow_status":
        raw = str(data.get("item", ""))[:12]
        item = FollowUp.objects.filter(project=project, pk=int(raw)).first() if raw.isdigit() else None
        if item is None:
            raise ValidationError("跟踪记录不存在。")
        leads.set_follow_up_status(actor=user, item=item, status=data.get("status", ""))
        return "已更新跟踪记录状态。"
    raise ValidationError("未知的操作。")
