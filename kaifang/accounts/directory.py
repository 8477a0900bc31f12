"""The directory mapping (LDAP and CAS sign-in): which unit and role a person of the province's
identity service gets, from their directory attributes and groups, through `DirectoryRule` rows the
security administrator edits. A person the rules do not map gets no access (no account is created).

Reads: `resolve` (pure: attributes and groups in, a `Resolution` out). Writes: `add_rule`,
`delete_rule`, `sync_directory_user` — each audited in its own transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kaifang.accounts.models import DirectoryRule, Role, User
from kaifang.accounts.permissions import can_manage_security
from kaifang.audit.services import record_event
from kaifang.core import clock
from kaifang.core.actors import SystemActor
from kaifang.orgs.models import OrgUnit

UNMAPPED_MESSAGE = gettext_lazy(
    "您的统一身份账号已通过验证，但尚未对应到本系统的单位和角色，暂不能使用本系统。"
    "请联系省级安全管理员在“目录映射”中为您所在单位或用户组配置映射后再登录。"
)
ANY_VALUE = "*"


@dataclass
class Resolution:
    unit: OrgUnit | None = None
    role: str = ""
    reasons: list[str] = field(default_factory=list)

    @property
    def mapped(self) -> bool:
        return self.unit is not None and bool(self.role) and not self.reasons


def _lower_values(attrs: Mapping[str, Iterable[Any]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, values in attrs.items():
        if isinstance(values, (str, bytes)):
            values = [values]
        out[name.lower()] = [v.decode("utf-8") if isinstance(v, bytes) else str(v) for v in values]
    return out


def _group_matches(rule_value: str, groups: set[str]) -> bool:
    """A group rule names a group by its full DN or by its cn ("reporters" matches "cn=reporters,ou=…")."""
    wanted = rule_value.strip().lower()
    return any(g == wanted or g.startswith(f"cn={wanted},") for g in groups)


def resolve(
    attrs: Mapping[str, Iterable[Any]], groups: Iterable[str], rules: list[DirectoryRule] | None = None
) -> Resolution:
    """The unit and role the mapping gives a person with these attributes and groups."""
    values = _lower_values(attrs)
    group_set = {g.strip().lower() for g in groups}
    result = Resolution()
    rules = rules if rules is not None else list(DirectoryRule.objects.select_related("unit"))
    for rule in rules:
        unit: OrgUnit | None = None
        if rule.source == DirectoryRule.Source.GROUP:
            if not _group_matches(rule.value, group_set):
                continue
            unit = rule.unit
        else:
            found = values.get(rule.attribute.strip().lower(), [])
            if rule.value == ANY_VALUE and rule.unit_id is None:
                unit = OrgUnit.objects.current().filter(code__in=found).first() if found else None
                if unit is None:
                    continue
            elif rule.value in found:
                unit = rule.unit
            else:
                continue
        if result.unit is None and unit is not None:
            result.unit = unit
        if not result.role and rule.role:
            result.role = rule.role
    if result.unit is None:
        result.reasons.append(_("没有映射规则给出单位"))
    if not result.role:
        result.reasons.append(_("没有映射规则给出角色"))
    if result.unit is not None and result.role:
        from kaifang.accounts.services import ROLE_UNIT_KINDS

        if result.unit.kind not in ROLE_UNIT_KINDS.get(result.role, set()):
            result.reasons.append(
                _("角色“%(role)s”不能绑定到“%(unit)s”") % {"role": Role(result.role).label, "unit": result.unit.name}
            )
    return result


def _rule_snapshot(rule: DirectoryRule) -> dict[str, Any]:
    return {
        "source": rule.source,
        "attribute": rule.attribute,
        "value": rule.value,
        "unit": rule.unit.code if rule.unit else None,
        "role": rule.role,
        "priority": rule.priority,
    }


def _check_editor(actor: Any) -> None:
    if not isinstance(actor, SystemActor) and not can_manage_security(actor):
        raise PermissionDenied(_("只有安全管理员可以修改目录映射。"))


def add_rule(
    *,
    actor: Any,
    source: str,
    value: str,
    attribute: str = "",
    unit: OrgUnit | None = None,
    role: str = "",
    priority: int = 100,
) -> DirectoryRule:
    """Add one mapping rule (the security administrator: a mapping is a grant of scope)."""
    _check_editor(actor)
    errors: dict[str, list[str]] = {}
    if source not in DirectoryRule.Source.values:
        errors["source"] = [_("请选择依据：目录属性或目录组。")]
    if source == DirectoryRule.Source.ATTRIBUTE and not attribute.strip():
        errors["attribute"] = [_("按目录属性映射时请填写属性名，例如 departmentNumber。")]
    if not value.strip():
        errors["value"] = [_("请填写属性值或组名。")]
    if role and role not in Role.values:
        errors["role"] = [_("未知角色：%(role)s") % {"role": role}]
    if unit is None and not role and value.strip() != ANY_VALUE:
        errors["unit"] = [_("请至少选择单位或角色。")]
    if value.strip() == ANY_VALUE and source == DirectoryRule.Source.GROUP:
        errors["value"] = [_("“*”只能用于目录属性（按属性值匹配单位代码）。")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        rule = DirectoryRule.objects.create(
            source=source,
            attribute=attribute.strip(),
            value=value.strip(),
            unit=unit,
            role=role,
            priority=priority,
        )
        record_event(actor=actor, action="accounts.directory_rule.add", obj=rule, unit=unit, after=_rule_snapshot(rule))
    return rule


def delete_rule(*, actor: Any, rule: DirectoryRule) -> None:
    _check_editor(actor)
    with transaction.atomic():
        before = _rule_snapshot(rule)
        record_event(
            actor=actor,
            action="accounts.directory_rule.delete",
            object_type="accounts.directoryrule",
            object_id=str(rule.pk),
            object_repr=str(rule),
            unit=rule.unit,
            before=before,
        )
        DirectoryRule.objects.filter(pk=rule.pk).delete()


def sync_directory_user(*, user: User, resolution: Resolution, source: str, display_name: str = "") -> User:
    """Give a directory person (just authenticated by LDAP or CAS) the unit and role the mapping
    gives, with scope; audited when anything changed. The account is marked as a directory account."""
    from kaifang.accounts.services import _reassign, _user_snapshot

    assert resolution.mapped and resolution.unit is not None
    actor = SystemActor(f"directory.{source}")
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        before = _user_snapshot(locked)
        changed = (
            locked.unit_id != resolution.unit.pk
            or locked.role != resolution.role
            or locked.scope_granted_at is None
            or locked.directory != source
            or (display_name and locked.display_name != display_name)
        )
        if changed:
            locked.unit, locked.role, locked.directory = resolution.unit, resolution.role, source
            if display_name:
                locked.display_name = display_name[:50]
            moved = before["unit"] != resolution.unit.code or before["role"] != locked.role
            if locked.scope_granted_at is None or moved:
                locked.scope_granted_at = clock.now()
            locked.version += 1
            locked.save(update_fields=["unit", "role", "directory", "display_name", "scope_granted_at", "version"])
            _reassign(user=locked, actor=actor, reason=_("目录映射"))
            record_event(
                actor=actor,
                action="accounts.user.directory_sync",
                obj=locked,
                unit=locked.unit,
                before=before,
                after={**_user_snapshot(locked), "source": source},
            )
    return locked


def refuse_unmapped(*, username: str, source: str, resolution: Resolution) -> None:
    """Audit a directory person who authenticated but whom the mapping does not map."""
    with transaction.atomic():
        record_event(
            actor=SystemActor(f"directory.{source}"),
            action="auth.directory_unmapped",
            object_type="accounts.user",
            object_repr=username[:150],
            after={"username": username[:150], "source": source, "reasons": resolution.reasons},
        )
