"""Codes in words: the label tables each area publishes (`<area>/labels.py`), gathered here.

The audit page and the inbox show `签收督办事项` instead of `supervision.task.acknowledge`, `市级管理员`
instead of `city_officer`, and a record's before → after as `状态：已下发 → 已签收`, never a Python
dict. Each area owns its words (audit actions, notice kinds, the fields and values of its records);
this module, in the project package like the URL and API wiring, only puts them together.
An unknown code is shown as it is, so nothing is hidden by a missing label.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kaifang.accounts import labels as accounts
from kaifang.assessment import labels as assessment
from kaifang.indicators import labels as indicators
from kaifang.ledgers import labels as ledgers
from kaifang.meetings import labels as meetings
from kaifang.orgs import labels as orgs
from kaifang.reporting.models import RoundStatus, SubmissionStatus, Timeliness
from kaifang.supervision import labels as supervision

# 数据报送's table lives here for now: kaifang/reporting is being rewritten in parallel; it belongs in
# kaifang/reporting/labels.py with the same four names once that work has landed.
reporting = SimpleNamespace(
    AUDIT_ACTIONS={
        "reporting.round.open": gettext_lazy("开启报送批次"),
        "reporting.round.close": gettext_lazy("关闭报送批次"),
        "reporting.submission.submit": gettext_lazy("提交报表"),
        "reporting.submission.approve": gettext_lazy("审核通过报表"),
        "reporting.submission.return": gettext_lazy("退回报表"),
        "reporting.submission.unapprove": gettext_lazy("撤销审核"),
        "reporting.submission.lock": gettext_lazy("锁定报表"),
        "reporting.submission.withdraw": gettext_lazy("撤回报表"),
        "reporting.submission.urge": gettext_lazy("催报"),
        "reporting.import.upload": gettext_lazy("上传报表文件"),
        "reporting.import.apply": gettext_lazy("导入报表数据"),
    },
    NOTICE_KINDS={
        "reporting.submitted": gettext_lazy("报表待审核"),
        "reporting.approved": gettext_lazy("报表已审核通过"),
        "reporting.returned": gettext_lazy("报表被退回"),
        "reporting.reopened": gettext_lazy("报表已重新开放填报"),
        "reporting.urged": gettext_lazy("催报"),
        "reporting.withdrawn": gettext_lazy("报表已撤回"),
    },
    FIELDS={
        "status": gettext_lazy("状态"),
        "timeliness": gettext_lazy("及时性"),
        "period": gettext_lazy("期间"),
        "indicators": gettext_lazy("指标"),
        "units": gettext_lazy("报送单位数"),
        "deadline": gettext_lazy("截止时间"),
    },
    VALUES={
        "status": {**dict(RoundStatus.choices), **dict(SubmissionStatus.choices)},
        "timeliness": dict(Timeliness.choices),
    },
)

AREAS: dict[str, Any] = {
    "auth": accounts,
    "accounts": accounts,
    "security": accounts,
    "audit": accounts,
    "orgs": orgs,
    "indicators": indicators,
    "reporting": reporting,
    "supervision": supervision,
    "meetings": meetings,
    "ledgers": ledgers,
    "assessment": assessment,
}
AUDIT_ACTIONS: dict[str, Any] = {code: label for area in AREAS.values() for code, label in area.AUDIT_ACTIONS.items()}
NOTICE_KINDS: dict[str, Any] = {code: label for area in AREAS.values() for code, label in area.NOTICE_KINDS.items()}
EXPORTS = {  # what an `export.<what>` event exported
    "audit.events": gettext_lazy("审计日志"),
    "ledgers.projects": gettext_lazy("招商引资项目台账"),
    "ledgers.talents": gettext_lazy("招才引智台账"),
    "supervision.tasks": gettext_lazy("督办事项"),
    "meetings.relay": gettext_lazy("传达落实情况"),
    "notifications.inbox": gettext_lazy("消息"),
    "assessment.bulletins": gettext_lazy("通报列表"),
    "assessment.adjustments": gettext_lazy("加减分事项"),
    "indicators.values": gettext_lazy("指标数据"),
    "reporting.values": gettext_lazy("报送数据"),
}
COMMON_FIELDS = {
    "version": gettext_lazy("版本"),
    "reason": gettext_lazy("说明"),
    "rows": gettext_lazy("行数"),
    "format": gettext_lazy("格式"),
    "filters": gettext_lazy("筛选条件"),
    "q": gettext_lazy("搜索"),
    "sort": gettext_lazy("排序"),
    "title": gettext_lazy("标题"),
    "unit": gettext_lazy("单位"),
}
CHANNELS = {
    "web": gettext_lazy("网页"),
    "api": gettext_lazy("接口"),
    "import": gettext_lazy("导入"),
    "cli": gettext_lazy("命令行"),
    "system": gettext_lazy("系统"),
    "job": gettext_lazy("定时任务"),
}
AREA_NAMES = {
    "auth": gettext_lazy("登录"),
    "accounts": gettext_lazy("账号"),
    "orgs": gettext_lazy("组织机构"),
    "indicators": gettext_lazy("指标数据"),
    "reporting": gettext_lazy("数据报送"),
    "supervision": gettext_lazy("督查督办"),
    "meetings": gettext_lazy("会议"),
    "ledgers": gettext_lazy("双招双引"),
    "assessment": gettext_lazy("考核评估"),
    "export": gettext_lazy("导出"),
    "security": gettext_lazy("安全"),
    "audit": gettext_lazy("审计"),
}
TEXT_LIMIT = 120


def action_choices() -> list[tuple[str, str]]:
    """For the audit page's 操作 filter (a prefix): each area as a whole, then each action in words."""
    areas = [(f"{code}.", _("%(a)s（全部）") % {"a": name}) for code, name in AREA_NAMES.items()]
    actions = sorted(((code, str(label)) for code, label in AUDIT_ACTIONS.items()), key=lambda pair: pair[0])
    return areas + actions


def action_label(code: str) -> str:
    """签收督办事项 for supervision.task.acknowledge; 导出招商引资项目台账 for export.ledgers.projects."""
    if code in AUDIT_ACTIONS:
        return str(AUDIT_ACTIONS[code])
    if code.endswith(".denied"):
        return _("%(a)s（被拒绝）") % {"a": action_label(code.removesuffix(".denied"))}
    if code.startswith("export."):
        what = code.removeprefix("export.")
        return _("导出%(w)s") % {"w": EXPORTS.get(what, what)}
    return code


def notice_label(kind: str) -> str:
    return str(NOTICE_KINDS.get(kind, kind))


def role_label(role: str) -> str:
    return str(accounts.ROLES.get(role, role)) if role else ""


def channel_label(channel: str) -> str:
    return str(CHANNELS.get(channel, channel))


@dataclass(frozen=True)
class Change:
    """One line of a record's before → after: the field's label and both values in words."""

    field: str
    before: str | None  # None: the record did not have it before (created)
    after: str | None  # None: it is gone after (deleted)


def changes(action: str, before: Any, after: Any) -> list[Change]:
    """The fields that differ between `before` and `after` (all of `after` for a new record), each in
    words; a value that is not a dict on either side is one unnamed line."""
    area = AREAS.get(action.split(".", 1)[0])
    if action.startswith("export."):
        area = None
    if not isinstance(before, dict) and not isinstance(after, dict):
        if before is None and after is None:
            return []
        return [Change("", None if before is None else _text(area, "", before), _text(area, "", after))]
    old, new = before if isinstance(before, dict) else {}, after if isinstance(after, dict) else {}
    lines = []
    for key in dict.fromkeys([*old, *new]):
        if key in old and key in new and old[key] == new[key] and key != "reason":
            continue
        if key == "reason" and not new.get(key):
            continue
        lines.append(
            Change(
                field_label(area, key),
                _text(area, key, old[key]) if key in old and before is not None else None,
                _text(area, key, new[key]) if key in new and after is not None else None,
            )
        )
    return lines


def field_label(area: Any, key: str) -> str:
    fields = getattr(area, "FIELDS", {})
    return str(fields.get(key) or COMMON_FIELDS.get(key) or key)


def _text(area: Any, key: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, list):
        return "、".join(_text(area, key, v) for v in value) or "—"
    if isinstance(value, dict):
        return "；".join(f"{field_label(area, k)}：{_text(area, k, v)}" for k, v in value.items()) or "—"
    values = getattr(area, "VALUES", {}).get(key, {})
    if key == "role":
        return role_label(str(value))
    text = str(values.get(value, value)) if isinstance(value, str) else str(value)
    if isinstance(value, str) and len(value) >= 19 and value[4:5] == "-" and value[10:11] == "T":
        text = _datetime_text(value)
    return text if len(text) <= TEXT_LIMIT else text[: TEXT_LIMIT - 1] + "…"


def _datetime_text(value: str) -> str:
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        return value
    return f"{moment:%Y-%m-%d %H:%M}"
