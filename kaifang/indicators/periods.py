"""Periods are dates on the first of a month; helpers to parse, step and label them.

`month_label`, `ytd_label` and `range_label` write the official Chinese form ("2018年1-6月") and are
what stored text (audit records), bulletins and exports use whatever the reader's language;
`month_text`, `ytd_text` and `range_text` are the same labels in the active language, for pages.
"""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.translation import gettext as _

PERIOD_TEXT = re.compile(r"^(\d{4})-(\d{1,2})$")


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def check_period(period: datetime.date) -> datetime.date:
    if not isinstance(period, datetime.date) or period.day != 1:
        raise ValidationError(_("期间必须是某月 1 日（例如 2018-06-01）。"), code="period")
    if isinstance(period, datetime.datetime):
        return period.date()
    return period


def parse_period(text: str) -> datetime.date:
    """ "2018-06" → date(2018, 6, 1); anything else → ValidationError in Chinese."""
    match = PERIOD_TEXT.match((text or "").strip())
    if not match or not 1 <= int(match.group(2)) <= 12 or not 1900 < int(match.group(1)) < 2200:
        raise ValidationError(_("期间“%(v)s”格式应为 YYYY-MM。") % {"v": (text or "")[:20]}, code="period")
    return datetime.date(int(match.group(1)), int(match.group(2)), 1)


def add_months(period: datetime.date, months: int) -> datetime.date:
    index = period.year * 12 + period.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def months_between(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    out = []
    current = month_start(start)
    while current <= end:
        out.append(current)
        current = add_months(current, 1)
    return out


def same_month_last_year(period: datetime.date) -> datetime.date:
    return period.replace(year=period.year - 1)


def month_label(period: datetime.date) -> str:
    return f"{period.year}年{period.month}月"


def ytd_label(period: datetime.date) -> str:
    """2018-06 → "2018年1-6月"; January → "2018年1月"."""
    if period.month == 1:
        return f"{period.year}年1月"
    return f"{period.year}年1-{period.month}月"


def range_label(start: datetime.date, end: datetime.date) -> str:
    if start == end:
        return month_label(start)
    if start.year == end.year:
        return f"{start.year}年{start.month}-{end.month}月"
    return f"{start.year}年{start.month}月—{end.year}年{end.month}月"


def month_text(period: datetime.date) -> str:
    """The month in the active language: "2018年6月" / "June 2018"."""
    return formats.date_format(period, "YEAR_MONTH_FORMAT")


def ytd_text(period: datetime.date) -> str:
    """`ytd_label` in the active language: "2018年1-6月" / "months 1–6 of 2018"."""
    if period.month == 1:
        return month_text(period)
    return _("%(y)s年1-%(m)s月") % {"y": period.year, "m": period.month}


def range_text(start: datetime.date, end: datetime.date) -> str:
    """`range_label` in the active language."""
    if start == end:
        return month_text(start)
    if start.year == end.year:
        return _("%(y)s年%(m1)s-%(m2)s月") % {"y": start.year, "m1": start.month, "m2": end.month}
    return _("%(y1)s年%(m1)s月—%(y2)s年%(m2)s月") % {
        "y1": start.year,
        "m1": start.month,
        "y2": end.year,
        "m2": end.month,
    }
