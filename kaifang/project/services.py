"""Provincial working-day arrangements (调休, extra holidays) written by the system administrator:
the one audited write path for `kaifang.core.models.WorkdayOverride`, which `kaifang.core.workdays`
reads before the chinese-calendar data. It lives in the project package because it needs the
accounts (who may) and audit (the record) areas, which the ground-floor core may not import."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kaifang.accounts.permissions import is_admin
from kaifang.audit.services import record_event
from kaifang.core.actors import is_system_actor
from kaifang.core.models import WorkdayOverride
from kaifang.core.workdays import clear_cache


def set_override(*, actor: Any, day: datetime.date, is_workday: bool | None, note: str = "") -> None:
    """Record (or with `is_workday=None` remove) a provincial arrangement for `day`. Province admins
    and system actors only; audited."""
    if not is_system_actor(actor) and not is_admin(actor):
        raise PermissionDenied(_("只有系统管理员可以调整工作日。"))
    if is_workday is not None and not note.strip():
        raise ValidationError({"note": _("请写明调整依据（如省政府通知文号）。")})
    with transaction.atomic():
        before = WorkdayOverride.objects.filter(day=day).values("is_workday", "note").first()
        if is_workday is None:
            WorkdayOverride.objects.filter(day=day).delete()
        else:
            WorkdayOverride.objects.update_or_create(
                day=day, defaults={"is_workday": is_workday, "note": note.strip()[:200]}
            )
        record_event(
            actor=actor,
            action="core.workday.override",
            object_type="core.workday",
            object_id=day.isoformat(),
            object_repr=day.isoformat(),
            before=before,
            after=None if is_workday is None else {"is_workday": is_workday, "note": note.strip()[:200]},
        )
    transaction.on_commit(clear_cache)
    clear_cache()
