"""The checks on a unit's figures for a round — the same function for the form (as you type and on
save), the API and the Excel import.

Errors block submission: not a number, too many decimals, negative where a quantity cannot be
negative, a required figure missing (on submit), a cross-indicator rule stored as data broken
(出口额 ≤ 进出口总额), and a year-to-date flow falling below last month's year-to-date without an
explanation (a correction must say why).

Warnings need an explanation before submission. The outlier check is seasonal and uses the
unit's own history, not a normal-distribution z-score (monthly trade figures are skewed and
seasonal, so a z-score flags every busy December): this month's own figure is compared with the
same month last year and with the median of the unit's previous six months. It is an outlier
only when it lies outside 0.5–2 times EVERY reference available — a figure in line with last
year's same month is seasonal, one in line with recent months is a trend.
"""

from __future__ import annotations

import datetime
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError

from kaifang.indicators.figures import clean_figure
from kaifang.indicators.models import Indicator, ReportedAs, TimeAggregation
from kaifang.indicators.periods import add_months, same_month_last_year
from kaifang.indicators.selectors import stored_figures
from kaifang.orgs.models import OrgUnit
from kaifang.reporting.models import RuleOperator, ValidationRule

LOW, HIGH = Decimal("0.5"), Decimal(2)
RECENT_MONTHS = 6

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class Finding:
    indicator: str  # indicator code
    severity: str  # "error" | "warning"
    rule: str  # type | decimals | range | required | cross | ytd_fall | seasonal
    message: str
    explained: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "indicator": self.indicator,
            "severity": self.severity,
            "rule": self.rule,
            "message": self.message,
            "explained": self.explained,
        }


@dataclass
class CheckResult:
    findings: list[Finding] = field(default_factory=list)
    values: dict[str, Decimal | None] = field(default_factory=dict)  # parsed figures (None: empty or invalid)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def unexplained_warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == WARNING and not f.explained]

    @property
    def blocks_submission(self) -> bool:
        return bool(self.errors or self.unexplained_warnings)

    def for_indicator(self, code: str) -> list[Finding]:
        return [f for f in self.findings if f.indicator == code]

    def raise_if_blocking(self) -> None:
        if self.errors:
            raise ValidationError([f.message for f in self.errors], code="invalid")
        if self.unexplained_warnings:
            raise ValidationError(
                [f"{f.message}（提交前须填写说明）" for f in self.unexplained_warnings], code="unexplained"
            )


@dataclass
class History:
    """What the checks need to know about one unit and indicator besides the typed figure."""

    prev_ytd: Decimal | None = None  # last month's year-to-date (same year)
    last_year_month: Decimal | None = None  # same month last year, month value
    recent_months: list[Decimal] = field(default_factory=list)  # previous months' own values


def fmt(value: Decimal | None) -> str:
    if value is None:
        return "—"
    text = f"{value:,f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def load_history(
    *, units: Iterable[OrgUnit], indicators: Iterable[Indicator], period: datetime.date
) -> dict[tuple[int, int], History]:
    """One query for all units × indicators: last month, the previous six months, last year's month."""
    recent = [add_months(period, -k) for k in range(1, RECENT_MONTHS + 1)]
    last_year = same_month_last_year(period)
    unit_ids = [u.pk for u in units]
    indicator_ids = [i.pk for i in indicators]
    out: dict[tuple[int, int], History] = {}
    rows = stored_figures(units=unit_ids, indicators=indicator_ids, periods=[*recent, last_year])
    by_key: dict[tuple[int, int], dict[datetime.date, tuple[Decimal | None, Decimal | None]]] = {}
    for f in rows:
        by_key.setdefault((f.unit_id, f.indicator_id), {})[f.period] = (f.month_value, f.ytd_value)
    for key, months in by_key.items():
        history = History()
        previous = months.get(recent[0])
        if previous is not None and recent[0].year == period.year:
            history.prev_ytd = previous[1]
        ly = months.get(last_year)
        history.last_year_month = ly[0] if ly else None
        history.recent_months = [months[p][0] for p in recent if p in months and months[p][0] is not None]  # type: ignore[misc]
        out[key] = history
    return out


def check_values(
    *,
    unit: OrgUnit,
    period: datetime.date,
    indicators: list[Indicator],
    typed: dict[str, Any],
    comments: dict[str, str],
    final: bool,
    history: dict[tuple[int, int], History] | None = None,
    rules: list[ValidationRule] | None = None,
) -> CheckResult:
    """Check the figures of one unit and month. `typed` maps indicator code → raw figure (text or
    Decimal); `final` (submitting) adds the required check. Ledger and formula indicators are
    not typed and not checked here."""
    result = CheckResult()
    typed_indicators = [i for i in indicators if i.is_typed]
    if history is None:
        history = load_history(units=[unit], indicators=typed_indicators, period=period)
    if rules is None:
        rules = active_rules()
    ytd_of: dict[str, Decimal] = {}
    for indicator in typed_indicators:
        code = indicator.code
        comment = (comments.get(code) or "").strip()
        value = _parse(indicator, typed.get(code), result)
        result.values[code] = value
        if value is None:
            if final and not _is_error(result, code):
                result.findings.append(Finding(code, ERROR, "required", f"{indicator.name}：必填，尚未填写。"))
            continue
        past = history.get((unit.pk, indicator.pk), History())
        if value < 0 and indicator.unit_of_measure != "%" and not indicator.allow_negative:
            result.findings.append(
                Finding(code, ERROR, "range", f"{indicator.name}：不能为负数（填写了 {fmt(value)}）。")
            )
            continue
        own_month, ytd = _month_and_ytd(indicator, value, past, period)
        if ytd is not None:
            ytd_of[code] = ytd
        result.findings += _ytd_fall(indicator, value, past, period, comment)
        result.findings += _seasonal(indicator, own_month, past, comment)
    result.findings += _cross_rules(rules, {i.code: i for i in typed_indicators}, ytd_of)
    return result


def active_rules() -> list[ValidationRule]:
    return list(ValidationRule.objects.filter(is_active=True).select_related("left", "right"))


def _is_error(result: CheckResult, code: str) -> bool:
    return any(f.indicator == code and f.severity == ERROR for f in result.findings)


def _parse(indicator: Indicator, raw: Any, result: CheckResult) -> Decimal | None:
    try:
        value = clean_figure(raw, label=indicator.name)
    except ValidationError as exc:
        result.findings.append(Finding(indicator.code, ERROR, exc.code or "type", " ".join(exc.messages)))
        return None
    if value is None:
        return None
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > indicator.decimals:
        result.findings.append(
            Finding(
                indicator.code,
                ERROR,
                "decimals",
                f"{indicator.name}：最多保留 {indicator.decimals} 位小数（填写了 {fmt(value)}）。",
            )
        )
        return None
    return value


def _month_and_ytd(
    indicator: Indicator, value: Decimal, past: History, period: datetime.date
) -> tuple[Decimal | None, Decimal | None]:
    """The figure as this month's own value and as a year-to-date value (None when unknowable)."""
    if indicator.time_aggregation == TimeAggregation.STOCK:
        return value, value
    if indicator.reported_as == ReportedAs.YTD:
        if period.month == 1:
            return value, value
        return (value - past.prev_ytd if past.prev_ytd is not None else None), value
    if period.month == 1:
        return value, value
    return value, (past.prev_ytd + value if past.prev_ytd is not None else None)


def _ytd_fall(
    indicator: Indicator, value: Decimal, past: History, period: datetime.date, comment: str
) -> list[Finding]:
    if (
        indicator.time_aggregation != TimeAggregation.FLOW
        or indicator.reported_as != ReportedAs.YTD
        or period.month == 1
        or past.prev_ytd is None
        or value >= past.prev_ytd
    ):
        return []
    message = (
        f"{indicator.name}：累计值 {fmt(value)} 低于上月累计 {fmt(past.prev_ytd)}，"
        "累计数只增不减，如属数据修正请在说明中写明原因。"
    )
    # A warning, never an error: a correction of an earlier month is legitimate once explained, and an
    # error (which no explanation can clear) never asks for one.
    return [Finding(indicator.code, WARNING, "ytd_fall", message, explained=bool(comment))]


def _seasonal(indicator: Indicator, month_value: Decimal | None, past: History, comment: str) -> list[Finding]:
    if month_value is None:
        return []
    references: list[str] = []
    outside: list[bool] = []
    if past.last_year_month is not None and past.last_year_month > 0:
        ratio = month_value / past.last_year_month
        outside.append(not LOW <= ratio <= HIGH)
        references.append(f"去年同月 {fmt(past.last_year_month)} 的 {ratio:.2f} 倍")
    if past.recent_months:
        median = Decimal(statistics.median(past.recent_months))
        if median > 0:
            ratio = month_value / median
            outside.append(not LOW <= ratio <= HIGH)
            references.append(f"近{len(past.recent_months)}个月中位数 {fmt(median)} 的 {ratio:.2f} 倍")
    if not outside or not all(outside):
        return []
    message = (
        f"{indicator.name}：当月值 {fmt(month_value)} 是{'、'.join(references)}，"
        f"超出与本单位历史相比的正常范围（{LOW}–{HIGH} 倍）。请核实；如数据无误，请填写说明。"
    )
    return [Finding(indicator.code, WARNING, "seasonal", message, explained=bool(comment))]


OPERATORS = {
    RuleOperator.LE: lambda a, b: a <= b,
    RuleOperator.GE: lambda a, b: a >= b,
    RuleOperator.LT: lambda a, b: a < b,
    RuleOperator.EQ: lambda a, b: a == b,
}


def _cross_rules(
    rules: list[ValidationRule], indicators: dict[str, Indicator], ytd_of: dict[str, Decimal]
) -> list[Finding]:
    findings = []
    for rule in rules:
        left, right = rule.left.code, rule.right.code
        if left not in indicators or right not in indicators or left not in ytd_of or right not in ytd_of:
            continue
        if OPERATORS[RuleOperator(rule.operator)](ytd_of[left], ytd_of[right]):
            continue
        message = (
            f"{rule.left.name}（累计 {fmt(ytd_of[left])}）应 {rule.get_operator_display()} "
            f"{rule.right.name}（累计 {fmt(ytd_of[right])}），不符合校验规则“{rule.name}”。{rule.message}"
        )
        findings.append(Finding(left, ERROR, "cross", message))
    return findings
