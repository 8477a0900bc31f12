"""The exact rules of monthly figures (DESIGN.md "Rules that must be exact"). No Django here.

All figures are Decimal; None means "no value". Results that cannot be computed because a base is
zero or missing are the NOT_COMPARABLE sentinel (shown as 不可比), never an exception.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Final, Literal

FLOW: Final = "flow"
STOCK: Final = "stock"
ZERO = Decimal(0)
HUNDRED = Decimal(100)


class _NotComparable:
    """A base of zero or no base at all: the comparison has no meaning (不可比)."""

    _instance: _NotComparable | None = None

    def __new__(cls) -> _NotComparable:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NOT_COMPARABLE"

    def __str__(self) -> str:
        return "不可比"

    def __bool__(self) -> bool:
        return False


NOT_COMPARABLE: Final = _NotComparable()
Ratio = Decimal | _NotComparable
Light = Literal["green", "yellow", "red", "grey"]


def is_comparable(value: object) -> bool:
    return value is not None and value is not NOT_COMPARABLE


def ytd_from_monthly(monthly: Sequence[Decimal | None]) -> list[Decimal | None]:
    """Month values of one year (January first) → year-to-date values.

    A missing month counts as nothing reported that month: the YTD carries on from the months
    that were; a YTD is None only while no month at all has been reported.
    """
    out: list[Decimal | None] = []
    total: Decimal | None = None
    for value in monthly:
        if value is not None:
            total = value if total is None else total + value
        out.append(total)
    return out


def monthly_from_ytd(ytd: Sequence[Decimal | None]) -> list[Decimal | None]:
    """Year-to-date values of one year (January first) → month values.

    January's month value is its YTD; month m's is YTD(m) − YTD(m−1). When YTD(m−1) is missing
    the month value of m cannot be known and is None (the YTD itself stays valid).
    """
    out: list[Decimal | None] = []
    previous: Decimal | None = ZERO
    for value in ytd:
        if value is None or previous is None:
            out.append(None)
        else:
            out.append(value - previous)
        previous = value
    return out


def time_progress(month: int, time_aggregation: str = FLOW) -> Decimal:
    """时序进度: m/12 for a flow at month m, 1 for a stock (exact fraction as a Decimal)."""
    if not 1 <= month <= 12:
        raise ValueError("month must be 1–12")
    if time_aggregation == STOCK:
        return Decimal(1)
    return Decimal(month) / Decimal(12)


def completion(ytd: Decimal | None, target: Decimal | None) -> Ratio:
    """完成率 = YTD actual / annual target (a ratio: 0.2222…); no or zero target → not comparable."""
    if ytd is None or target is None or target == 0:
        return NOT_COMPARABLE
    return ytd / target


def progress_ratio(completion_value: Ratio, time_progress_value: Decimal) -> Ratio:
    """Completion relative to time progress (1 = exactly on schedule)."""
    if not isinstance(completion_value, Decimal) or time_progress_value == 0:
        return NOT_COMPARABLE
    return completion_value / time_progress_value


def light(completion_value: Ratio, time_progress_value: Decimal, red_margin: Decimal | int = 10) -> Light:
    """The warning light: green on or ahead of time progress; yellow behind it; red when more than
    `red_margin` percentage points behind; grey when there is nothing to compare (no target/value).

    Behind by exactly the margin is still yellow ("more than a margin behind → red").
    """
    if not isinstance(completion_value, Decimal):
        return "grey"
    gap_points = (time_progress_value - completion_value) * HUNDRED
    if gap_points <= 0:
        return "green"
    if gap_points > Decimal(red_margin):
        return "red"
    return "yellow"


def points_behind(completion_value: Ratio, time_progress_value: Decimal) -> Ratio:
    """Percentage points by which completion lags time progress (negative when ahead)."""
    if not isinstance(completion_value, Decimal):
        return NOT_COMPARABLE
    return (time_progress_value - completion_value) * HUNDRED


def yoy_growth(current: Decimal | None, base: Decimal | None) -> Ratio:
    """Year-on-year growth (current − base) / base as a ratio; zero or missing base → not comparable."""
    if current is None or base is None or base == 0:
        return NOT_COMPARABLE
    return (current - base) / abs(base)


def share(part: Decimal | None, whole: Decimal | None) -> Ratio:
    if part is None or whole is None or whole == 0:
        return NOT_COMPARABLE
    return part / whole


def forecast_year_end(ytd: Decimal | None, last_year_share: Ratio | None) -> Ratio:
    """Year-end forecast = YTD / share of last year's total that was done by the same month."""
    if ytd is None or not isinstance(last_year_share, Decimal) or last_year_share == 0:
        return NOT_COMPARABLE
    return ytd / last_year_share


def last_year_share(last_year_ytd_same_month: Decimal | None, last_year_total: Decimal | None) -> Ratio:
    return share(last_year_ytd_same_month, last_year_total)


def percent(value: Ratio, places: int = 1) -> str:
    """0.2222… → "22.2%"; not comparable → "不可比"."""
    if not isinstance(value, Decimal):
        return str(NOT_COMPARABLE)
    quantum = Decimal(1).scaleb(-places)
    return f"{(value * HUNDRED).quantize(quantum)}%"


def signed_percent(value: Ratio, places: int = 1) -> str:
    """Growth with its sign: 0.25 → "+25.0%"."""
    if not isinstance(value, Decimal):
        return str(NOT_COMPARABLE)
    text = percent(value, places)
    return text if text.startswith("-") else "+" + text


def rounded(value: Decimal | None, places: int) -> Decimal | None:
    if value is None:
        return None
    return value.quantize(Decimal(1).scaleb(-places))
