"""Words for the codes of 指标数据 (audit actions, fields and values); see kaifang.labels. The keys of
a figures event are indicator codes (or indicator/unit/month), shown as they are."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from kaifang.indicators.models import Direction, ReportedAs, TimeAggregation

AUDIT_ACTIONS = {
    "indicators.indicator.create": _("新增指标"),
    "indicators.target.set": _("设定目标"),
    "indicators.target.load": _("导入目标"),
    "indicators.values.save": _("保存指标数据"),
    "indicators.values.compute": _("重算来自台账的指标"),
    "indicators.values.export": _("导出指标数据"),
    "indicators.values.demo": _("载入示例数据"),
}
NOTICE_KINDS: dict[str, object] = {}
FIELDS = {
    "name": _("名称"),
    "unit_of_measure": _("计量单位"),
    "category": _("类别"),
    "direction": _("方向"),
    "time_aggregation": _("时间汇总"),
    "reported_as": _("报送方式"),
    "created": _("新增"),
    "updated": _("更新"),
    "rows": _("行数"),
    "from": _("起"),
    "to": _("止"),
}
VALUES = {
    "direction": dict(Direction.choices),
    "time_aggregation": dict(TimeAggregation.choices),
    "reported_as": dict(ReportedAs.choices),
}
