"""A typed figure and what can go wrong with it: the entry a user sends (`ValueEntry`), the check
every channel applies to it (`clean_figure`), the conflict a stale version raises (`StaleValues`)
and the refusal of a figure outside its window or in a locked month (`FiguresRefused`). Shared by
the value writes (`kaifang.indicators.services`), targets, the reporting form, the API and the
import."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kaifang.core.versions import StaleVersion

MAX_ABS = Decimal(10) ** 16
MAX_PLACES = 4
MAX_DIGITS = 15


@dataclass(frozen=True)
class ValueEntry:
    """One typed figure. `expected_version` is the version the user saw; None means "no value yet"."""

    indicator_code: str
    value: Decimal | None
    comment: str = ""
    expected_version: int | None = None


@dataclass(frozen=True)
class Conflict:
    """A value someone else changed since the user loaded it: shown beside what the user typed."""

    indicator_code: str
    indicator_name: str
    current_value: Decimal | None
    current_version: int
    current_comment: str
    your_value: Decimal | None
    expected_version: int | None
    updated_by: str
    updated_at: datetime.datetime | None
    unit_name: str = ""  # set when one save covers several units (an Excel import)


class StaleValues(StaleVersion):
    """Raised when any entry's expected version is stale; nothing was applied."""

    def __init__(self, conflicts: list[Conflict]):
        self.conflicts = conflicts
        names = "、".join(
            _("%(name)s（当前值 %(value)s，第 %(version)d 版，%(who)s 修改）")
            % {
                "name": f"{c.unit_name}·{c.indicator_name}" if c.unit_name else c.indicator_name,
                "value": "空" if c.current_value is None else plain(c.current_value),
                "version": c.current_version,
                "who": c.updated_by or _("他人"),
            }
            for c in conflicts
        )
        super().__init__(
            _("以下数据在您打开后已被修改，本次保存未生效：%(names)s。请核对后重新保存。") % {"names": names},
            code="stale",
        )


class FiguresRefused(ValidationError):
    """Raised when a write would type a figure outside an open window ("window") or change a locked
    month ("locked"), directly or through its derived month value or YTD; nothing was applied.
    Each message names the unit, the indicator and the month."""

    def __init__(self, messages: list[str], *, code: str):
        super().__init__(messages)
        self.code = code


def plain(value: Decimal) -> str:
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def clean_figure(raw: Any, *, label: str) -> Decimal | None:
    """A typed figure as a Decimal with at most 4 decimal places, or None; floats are refused."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, (float, bool)):
        raise ValidationError(_("%(label)s：数值必须以文本或 Decimal 传入。") % {"label": label}, code="type")
    try:
        value = Decimal(raw.strip().replace(",", "") if isinstance(raw, str) else raw)
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise ValidationError(
            _("%(label)s：“%(v)s”不是数字。") % {"label": label, "v": str(raw)[:30]}, code="type"
        ) from exc
    if not value.is_finite():
        raise ValidationError(_("%(label)s：不是有限数字。") % {"label": label}, code="type")
    if abs(value) >= MAX_ABS:
        raise ValidationError(_("%(label)s：数值过大。") % {"label": label}, code="range")
    shape = value.normalize().as_tuple()
    if len(shape.digits) > MAX_DIGITS:
        # SQLite keeps a number as a double: more digits would come back changed (nothing is lost
        # silently, and the rule is the same on PostgreSQL so a figure valid on one is valid on both).
        raise ValidationError(
            _("%(label)s：有效数字最多 %(n)d 位。") % {"label": label, "n": MAX_DIGITS}, code="digits"
        )
    exponent = shape.exponent
    if isinstance(exponent, int) and exponent < -MAX_PLACES:
        raise ValidationError(
            _("%(label)s：最多保留 %(n)d 位小数。") % {"label": label, "n": MAX_PLACES}, code="decimals"
        )
    return value + Decimal(0)  # normalises -0 to 0
