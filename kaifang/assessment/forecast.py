"""Early warning and year-end forecast (预警与年末预测), per unit × indicator.

The light compares completion with time progress (the indicators' own rule). The forecast uses
the unit's own seasonal curve of last year: if by June last year 45% of last year's total was
done, forecast = YTD ÷ 0.45. A unit without last year's history (or a zero total) falls back to the
province's curve, and the row says which curve was used. A stock indicator is forecast at its
current value.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings

from kaifang.indicators import maths
from kaifang.indicators.aggregation import cells
from kaifang.indicators.models import Indicator
from kaifang.indicators.selectors import figures
from kaifang.orgs.models import OrgUnit

OWN_CURVE = "本单位上年进度"
PROVINCE_CURVE = "全省上年进度"
STOCK_CURVE = "存量指标按当前值"


@dataclass(frozen=True)
class Forecast:
    unit: OrgUnit
    indicator: Indicator
    period: datetime.date
    ytd: Decimal | None
    target: Decimal | None
    completion: maths.Ratio
    time_progress: Decimal
    light: str
    share: maths.Ratio  # share of last year's total done by the same month
    curve: str  # which curve gave the share ("" when none could)
    forecast: maths.Ratio
    forecast_completion: maths.Ratio

    @property
    def gap(self) -> Decimal | None:
        """How much the forecast falls short of the target (None when it does not, or is unknown)."""
        if isinstance(self.forecast, Decimal) and self.target is not None and self.forecast < self.target:
            return self.target - self.forecast
        return None

    @property
    def will_miss(self) -> bool:
        return self.gap is not None


def year_end_forecast(ytd: Decimal | None, share: maths.Ratio) -> maths.Ratio:
    """forecast = YTD ÷ share (the share of last year's total done by the same month)."""
    return maths.forecast_year_end(ytd, share)


def province_unit() -> OrgUnit | None:
    return OrgUnit.objects.filter(code=settings.KAIFANG_PROVINCE_CODE).first()


def forecasts(indicator: Indicator, units: list[OrgUnit], period: datetime.date) -> list[Forecast]:
    """One row per unit (callers pass units the user may see)."""
    rows = figures(indicator, units, period.replace(month=1), period)
    same_month, december = period.replace(year=period.year - 1), datetime.date(period.year - 1, 12, 1)
    province = province_unit()
    history_units = [*units, province] if province is not None else list(units)
    history = cells(indicator, history_units, [same_month, december])

    def share_of(unit: OrgUnit) -> maths.Ratio:
        done, total = history.get((unit.pk, same_month)), history.get((unit.pk, december))
        if done is None or total is None:
            return maths.NOT_COMPARABLE
        return maths.last_year_share(_dec(done.ytd_value), _dec(total.ytd_value))

    province_share = share_of(province) if province is not None else maths.NOT_COMPARABLE
    out = []
    for f in rows:
        ytd = _dec(f.ytd_value)
        share: maths.Ratio
        forecast: maths.Ratio
        if not indicator.is_flow:
            share, curve, forecast = Decimal(1), STOCK_CURVE, ytd if ytd is not None else maths.NOT_COMPARABLE
        else:
            share, curve = share_of(f.unit), OWN_CURVE
            if not isinstance(share, Decimal) or share == 0:
                share, curve = province_share, PROVINCE_CURVE
            if not isinstance(share, Decimal) or share == 0:
                curve = ""
            forecast = year_end_forecast(ytd, share)
        done = maths.completion(forecast if isinstance(forecast, Decimal) else None, f.target)
        out.append(
            Forecast(
                unit=f.unit,
                indicator=indicator,
                period=period,
                ytd=ytd,
                target=f.target,
                completion=f.completion,
                time_progress=f.time_progress,
                light=f.light,
                share=share,
                curve=curve,
                forecast=forecast,
                forecast_completion=done,
            )
        )
    return out


def _dec(value: Any) -> Decimal | None:
    return value if isinstance(value, Decimal) else None


def warnings(indicators: list[Indicator], units: list[OrgUnit], period: datetime.date) -> list[Forecast]:
    """Units forecast to miss their target, largest shortfall (as a share of target) first."""
    missing = [row for indicator in indicators for row in forecasts(indicator, units, period) if row.will_miss]
    return sorted(missing, key=lambda r: r.forecast_completion if isinstance(r.forecast_completion, Decimal) else 0)
