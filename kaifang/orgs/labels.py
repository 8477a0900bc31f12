"""Words for the codes of 组织机构 (audit actions, fields and values); see kaifang.labels."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from kaifang.orgs.models import UnitKind

AUDIT_ACTIONS = {
    "orgs.unit.create": _("新增单位"),
    "orgs.unit.update": _("修改单位"),
    "orgs.group.create": _("新建单位分组"),
    "orgs.group.update": _("调整单位分组"),
}
NOTICE_KINDS: dict[str, object] = {}
FIELDS = {
    "code": _("代码"),
    "name": _("名称"),
    "short_name": _("简称"),
    "kind": _("类型"),
    "parent_id": _("上级单位"),
    "valid_from": _("启用日期"),
    "valid_to": _("停用日期"),
    "platform_type": _("平台类型"),
    "members": _("成员"),
}
VALUES = {"kind": dict(UnitKind.choices)}
