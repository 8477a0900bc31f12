"""Reading the audit trail with the filters a supervisor or auditor uses (AUDIT_LIST).

The audit area itself sits just above core (every area's writes record through it), so who may
read what — which needs the roles and the unit scope — lives here, with the audit page."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kaifang.accounts.permissions import can_read_security_audit
from kaifang.audit.models import AuditEvent, AuditEventQuerySet
from kaifang.core.listing import Filter, Listing, ListSpec, Sort
from kaifang.orgs.forms import visible_unit_picker
from kaifang.orgs.scope import unit_scope_q

DATE = r"\d{4}-\d{2}-\d{2}"


def _by_unit(events: Any, code: str) -> Any:
    return events.filter(Q(unit__code=code) | Q(actor_unit_code=code))


def _by_object(events: Any, text: str) -> Any:
    return events.filter(Q(object_repr__icontains=text) | Q(object_id=text))


def audit_list(action_choices: Any) -> ListSpec:
    """The audit page's list; the 操作 filter offers `action_choices()` (areas and actions in words)
    and matches by prefix, so 督查督办（全部） is every `supervision.` action."""
    return ListSpec(
        filters=(
            Filter("actor", _("账号"), lookup="actor_username__icontains", max_length=150, input_type="text"),
            Filter("action", _("操作"), lookup="action__startswith", choices_for=lambda _user: action_choices()),
            Filter("unit", _("单位"), lookup=_by_unit, pattern=r"[A-Za-z0-9_-]{1,32}", widget_for=visible_unit_picker),
            Filter("obj", _("对象"), lookup=_by_object, max_length=100, input_type="text"),
            Filter("date_from", _("起始日期"), lookup="at__date__gte", pattern=DATE, input_type="date"),
            Filter("date_to", _("截止日期"), lookup="at__date__lte", pattern=DATE, input_type="date"),
        ),
        sorts=(Sort("new", _("时间（新→旧）"), ("-id",)), Sort("old", _("时间（旧→新）"), ("id",))),
        page_size=50,
    )


def visible_events(user: Any) -> AuditEventQuerySet:
    """The audit administrator sees everything. Everyone else sees business events about units
    in their scope, never sign-in, account, role or security events (三员, SEC-17)."""
    if can_read_security_audit(user):
        return AuditEvent.objects.all()
    return AuditEvent.objects.business().filter(unit_scope_q(user, prefix="unit__"))


def filtered_events(user: Any, listing: Listing) -> AuditEventQuerySet:
    """The events `user` may read (`visible_events`), narrowed by `listing`."""
    events: AuditEventQuerySet = listing.apply(visible_events(user).select_related("unit"))
    return events
