"""Words for the codes of 督查督办: audit actions, notice kinds, and the fields and values of an
audit record's before → after (published for the audit page and the inbox; see kaifang.labels)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from kaifang.supervision.models import SourceKind, TaskCategory, TaskState

AUDIT_ACTIONS = {
    "supervision.task.create": _("督办事项立项"),
    "supervision.task.update": _("修改督办事项"),
    "supervision.task.review": _("审核督办事项"),
    "supervision.task.issue": _("下发督办事项"),
    "supervision.task.reopen": _("督办事项退回修改"),
    "supervision.task.acknowledge": _("签收督办事项"),
    "supervision.task.start": _("开始办理"),
    "supervision.task.claim": _("申请办结"),
    "supervision.task.close": _("复核销号"),
    "supervision.task.return": _("退回重办"),
    "supervision.task.resume": _("继续办理"),
    "supervision.task.split": _("分解下达"),
    "supervision.task.urge": _("催办"),
    "supervision.task.notice": _("发出督办通知单"),
    "supervision.report.submit": _("报送进展"),
    "supervision.milestone.update": _("更新工作节点"),
    "supervision.attachment.add": _("上传附件"),
}
NOTICE_KINDS = {
    "task_issued": _("新交办事项"),
    "task_claimed": _("申请办结待复核"),
    "task_closed": _("事项已销号"),
    "task_returned": _("事项被退回重办"),
    "task_urged": _("催办"),
    "task_notice": _("督办通知单"),
    "task_due_soon": _("事项即将到期"),
    "task_overdue": _("事项已逾期"),
    "task_report_missing": _("进展未报送"),
}
FIELDS = {
    "state": _("状态"),
    "progress": _("进度（%）"),
    "period": _("报送月份"),
    "report": _("进展报告"),
    "code": _("编号"),
    "title": _("事项名称"),
    "category": _("类别"),
    "body": _("工作要求"),
    "source_kind": _("来源类型"),
    "source_title": _("来源"),
    "source_meeting_id": _("来源会议编号"),
    "lead_unit": _("牵头单位"),
    "lead_unit_id": _("牵头单位编号"),
    "parent_id": _("上级事项编号"),
    "co_units": _("配合单位"),
    "deadline": _("办理时限"),
    "report_day": _("每月报送日"),
    "responsible_leader": _("责任领导"),
    "message": _("催办内容"),
    "number": _("文号"),
    "requirement": _("督办要求"),
    "reply_by": _("回复时限"),
    "child": _("子事项"),
    "done": _("已完成"),
    "action": _("记录编号"),
}
VALUES = {
    "state": dict(TaskState.choices),
    "category": dict(TaskCategory.choices),
    "source_kind": dict(SourceKind.choices),
}
