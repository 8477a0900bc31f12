"""Reading the audit trail with the filters a supervisor or auditor uses."""

from __future__ import annotations

import datetime
from typing import Any

from kaifang.audit.models import AuditEvent, AuditEventQuerySet


def filtered_events(
    user: Any,
    *,
    actor: str = "",
    action: str = "",
    unit: str = "",
    obj: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> AuditEventQuerySet:
    events = AuditEvent.objects.visible_to(user).select_related("unit")
    if actor:
        events = events.filter(actor_username__icontains=actor)
    if action:
        events = events.filter(action__startswith=action)
    if unit:
        events = events.filter(unit__code=unit) | events.filter(actor_unit_code=unit)
    if obj:
        events = events.filter(object_repr__icontains=obj) | events.filter(object_id=obj)
    if date_from:
        events = events.filter(at__date__gte=date_from)
    if date_to:
        events = events.filter(at__date__lte=date_to)
    return events.order_by("-id")
