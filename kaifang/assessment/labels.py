"""Words for the codes of 考核评估 (audit actions, fields and values); see kaifang.labels."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from kaifang.assessment.models import AdjustmentState, BulletinFormat, BulletinStatus, SchemeStatus

AUDIT_ACTIONS = {
    "assessment.scheme.create": _("创建考核方案"),
    "assessment.scheme.revise": _("修订考核方案"),
    "assessment.scheme.activate": _("启用考核方案"),
    "assessment.snapshot.publish": _("发布考核结果"),
    "assessment.adjustment.propose": _("登记加减分事项"),
    "assessment.adjustment.approve": _("批准加减分事项"),
    "assessment.adjustment.reject": _("驳回加减分事项"),
    "assessment.bulletin.request": _("生成通报"),
}
NOTICE_KINDS: dict[str, object] = {}
FIELDS = {
    "status": _("状态"),
    "state": _("状态"),
    "number": _("版本"),
    "scheme": _("考核方案"),
    "scheme_number": _("方案版本"),
    "period": _("期间"),
    "points": _("分值"),
    "item": _("考核项"),
    "name": _("名称"),
    "year": _("年度"),
    "digest": _("摘要值"),
    "format": _("格式"),
    "retired": _("停用的旧版本"),
}
VALUES = {
    "status": {**dict(SchemeStatus.choices), **dict(BulletinStatus.choices)},
    "state": dict(AdjustmentState.choices),
    "format": dict(BulletinFormat.choices),
}
