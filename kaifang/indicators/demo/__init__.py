"""示例数据: the opening-up indicator set, 2018 targets and monthly values 2017-01 … 2018-05.

Synthetic but plausible and deterministic (seeded by unit and indicator codes): seasonality with the
Chinese New Year dip in January/February and a December peak; city sizes (大连 and 沈阳 largest);
province totals in line with the published figures in data/README.md:
- FDI (实际利用外资): 2018 H1 32.1亿美元 = 321,000万美元 across the 14 cities in the published
  tiers (above 1亿美元: 大连, 沈阳, 盘锦, 营口; 0.2–1亿: 阜新, 朝阳, 本溪, 锦州, 铁岭, 葫芦岛;
  below 0.2亿: 抚顺, 丹东, 辽阳, 鞍山), down on 2017 in 大连, 抚顺, 辽阳, 鞍山, 葫芦岛; 2018 target
  613,000万美元 (61.3亿美元); 2017 Jan–Nov about 50亿美元.
- New foreign-invested enterprises: 240 in 2018 H1, more than 10 only in 大连, 沈阳, 营口.
- Goods trade 2017: 998.1亿美元 × 6.75 元/美元 (2017 average rate, stated) = 6,737.2亿元; 2018 H1
  +11.8% on 2017 H1. 进出口总额 = 出口额 + 进口额 at every unit.
- Domestic capital introduced (引进内资) about 2,240亿元 in 2018 H1 (Jan–Jul 2,614.5).

The figures of 2017-01 … 2018-05 go through the same doors as anyone's: the ledger-derived ones
through `set_computed_values` (here), the typed ones through historical reporting rounds and
`save_many` (`kaifang.reporting.demo.load_history_demo`, fed by `history_batches`), which close
and lock each month.
June 2018 (H1's last month) is deliberately NOT loaded: the 2018-06 reporting round creates it.
`planned_value()` gives the value this generator intends for any unit and month (June included),
so the round's demo can type plausible, consistent figures. 大连, 营口 and 锦州 report their own
city figures (their districts' sum is about 96% of it: the rest is city-level enterprises); the
other cities are the sum of their counties.
"""

from __future__ import annotations

import datetime
import functools
import random
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction

from kaifang.audit.models import AuditEvent
from kaifang.audit.services import record_event
from kaifang.core.actors import SystemActor
from kaifang.indicators.demo.catalogue import INDICATORS as INDICATORS
from kaifang.indicators.models import Indicator, ReportedAs
from kaifang.indicators.services.catalogue import save_indicator
from kaifang.indicators.services.targets import set_targets_bulk
from kaifang.orgs.demo import CITY_CODES
from kaifang.orgs.models import OrgUnit, UnitKind

ACTOR = SystemActor(name="demo")
PROVINCE = "210000"
LAST_LOADED = datetime.date(2018, 5, 1)
ROUND_PERIOD = datetime.date(2018, 6, 1)
USD_CNY_2017 = Decimal("6.75")
DEMO_MARK = "indicators.values.demo"
CITY_REPORTERS = ("210200", "210800", "210700")  # 大连, 营口, 锦州 report their own figures
CITY_SHARE_IN_COUNTIES = Decimal("0.96")

# Seasonality of flows: Chinese New Year dip in January/February, a December peak.
SEASON = [
    Decimal(x) for x in ("0.62", "0.52", "0.95", "0.97", "1.00", "1.10", "1.00", "1.00", "1.04", "0.93", "1.04", "1.43")
]
H1_SHARE: Decimal = sum(SEASON[:6], Decimal(0)) / sum(SEASON, Decimal(0))

CITIES = CITY_CODES
# Size weights from 2017 GDP (亿元, approximate): 大连 7,364, 沈阳 5,870 …
GDP = dict(
    zip(
        CITIES,
        (5870, 7364, 1700, 900, 750, 800, 1100, 1300, 450, 764, 1200, 600, 800, 700),
        strict=True,
    )
)
PORT_BONUS: dict[str, Decimal] = {
    "210200": Decimal(3),
    "210800": Decimal("1.5"),
    "211100": Decimal("1.3"),
    "210600": Decimal("1.3"),
}


@dataclass
class Spec:
    """How one generated indicator's 2018 H1 province figure spreads over cities and time."""

    quantum: Decimal
    h1_2018: dict[str, Decimal]  # per city
    growth: dict[str, Decimal]  # 2018 H1 over 2017 H1, per city
    county_spread: Decimal = Decimal("0.6")
    noise: Decimal = Decimal("0.08")
    year_2017: dict[str, Decimal] = field(default_factory=dict)  # per city, when 2017 is the anchor


def _rng(*parts: object) -> random.Random:
    return random.Random("kaifang-demo-" + "-".join(str(p) for p in parts))


def _spread(total: Decimal, weights: dict[str, Decimal], quantum: Decimal) -> dict[str, Decimal]:
    """Split `total` by weights into multiples of `quantum` that add up to `total` exactly."""
    units = int((total / quantum).to_integral_value(ROUND_HALF_UP))
    weight_sum = sum(weights.values()) or Decimal(1)
    raw = {k: Decimal(units) * w / weight_sum for k, w in weights.items()}
    floors = {k: int(v) for k, v in raw.items()}
    remainder = units - sum(floors.values())
    for k in sorted(raw, key=lambda k: (raw[k] - floors[k], k), reverse=True)[: max(remainder, 0)]:
        floors[k] += 1
    return {k: Decimal(v) * quantum for k, v in floors.items()}


def _by_size(total: Decimal, *, port: bool = False, quantum: Decimal) -> dict[str, Decimal]:
    weights = {c: Decimal(GDP[c]) * (PORT_BONUS.get(c, Decimal(1)) if port else Decimal(1)) for c in CITIES}
    return _spread(total, weights, quantum)


def _growth(
    code: str, centre: str, spread: str = "0.12", *, overrides: dict[str, str] | None = None
) -> dict[str, Decimal]:
    out = {}
    for city in CITIES:
        rng = _rng("growth", code, city)
        out[city] = Decimal(centre) + Decimal(str(round(rng.uniform(-1, 1), 3))) * Decimal(spread)
    for city, value in (overrides or {}).items():
        out[city] = Decimal(value)
    return out


def _from_2017(year_2017: dict[str, Decimal], growth: dict[str, Decimal], quantum: Decimal) -> Spec:
    """A spec anchored on a known 2017 total: 2018 H1 = 2017 × H1 share × growth."""
    h1 = {
        c: (v * H1_SHARE * growth[c] / quantum).to_integral_value(ROUND_HALF_UP) * quantum for c, v in year_2017.items()
    }
    return Spec(quantum, h1, growth, year_2017=year_2017)


@functools.cache
def specs() -> dict[str, Spec]:
    fdi = {
        "210200": 130000,
        "210100": 101000,
        "210800": 30000,
        "211100": 25000,
        "210900": 6000,
        "211300": 5500,
        "210500": 5000,
        "210700": 4500,
        "211200": 4000,
        "211400": 3500,
        "210400": 1800,
        "210600": 1700,
        "211000": 1500,
        "210300": 1500,
    }
    down = {"210200": "0.95", "210400": "0.88", "211000": "0.9", "211400": "0.92", "210300": "0.86"}
    fdi_growth = _growth("FDI", "2.2", "0.5", overrides=down)
    fie = {
        "210200": 110,
        "210100": 70,
        "210800": 25,
        "210700": 6,
        "211100": 5,
        "210300": 4,
        "210600": 4,
        "210500": 3,
        "210400": 3,
        "211000": 2,
        "211200": 2,
        "211300": 2,
        "210900": 2,
        "211400": 2,
    }
    trade_2017 = Decimal("998.1") * USD_CNY_2017  # 亿元
    export_2017 = _by_size(trade_2017 * Decimal("0.45"), port=True, quantum=Decimal("0.01"))
    import_2017 = _by_size(trade_2017 * Decimal("0.55"), port=True, quantum=Decimal("0.01"))
    export_growth, import_growth = _growth("EXPORT", "1.118", "0.1"), _growth("IMPORT", "1.118", "0.1")
    cbec_weights = {c: Decimal({"210200": 40, "210100": 25, "210800": 10}.get(c, 2)) for c in CITIES}
    return {
        "FDI": Spec(Decimal(1), {c: Decimal(v) for c, v in fdi.items()}, fdi_growth),
        "FIE_NEW": Spec(Decimal(1), {c: Decimal(v) for c, v in fie.items()}, _growth("FIE", "0.91", "0.2")),
        "EXPORT": _from_2017(export_2017, export_growth, Decimal("0.01")),
        "IMPORT": _from_2017(import_2017, import_growth, Decimal("0.01")),
        "DOMESTIC": Spec(Decimal("0.01"), _by_size(Decimal(2240), quantum=Decimal("0.01")), _growth("DOM", "1.05")),
        "CBEC": Spec(
            Decimal("0.01"), _spread(Decimal(42), cbec_weights, Decimal("0.01")), _growth("CBEC", "1.4", "0.2")
        ),
        "ODI": Spec(Decimal(1), _by_size(Decimal(54000), quantum=Decimal(1)), _growth("ODI", "0.9", "0.2")),
        "PROJ_SIGNED": Spec(Decimal(1), _by_size(Decimal(520), quantum=Decimal(1)), _growth("PS", "1.1")),
        "PROJ_STARTED": Spec(Decimal(1), _by_size(Decimal(340), quantum=Decimal(1)), _growth("PST", "1.08")),
        "TALENT": Spec(Decimal(1), _by_size(Decimal(14200), quantum=Decimal(1)), _growth("TAL", "1.15")),
    }


def _months() -> list[datetime.date]:
    return [datetime.date(y, m, 1) for y in (2017, 2018) for m in range(1, 13) if (y, m) <= (2018, 6)]


@functools.cache
def _tree() -> dict[str, list[str]]:
    """City code → its current counties' codes (as of 2018-06)."""
    counties = OrgUnit.objects.current(ROUND_PERIOD).filter(kind=UnitKind.COUNTY, parent__code__in=CITIES)
    out: dict[str, list[str]] = {c: [] for c in CITIES}
    for code, parent in counties.values_list("code", "parent__code").order_by("code"):
        out[parent].append(code)
    return out


def _city_months(code: str, city: str) -> dict[datetime.date, Decimal]:
    spec = specs()[code]
    rng = _rng("season", code, city)
    h1_2018 = spec.h1_2018[city]
    year_2017 = spec.year_2017.get(city) or h1_2018 / spec.growth[city] / H1_SHARE

    def weights(months: range) -> dict[str, Decimal]:
        return {str(m): SEASON[m - 1] * Decimal(str(round(rng.uniform(0.92, 1.08), 3))) for m in months}

    out = {}
    for month, value in _spread(year_2017, weights(range(1, 13)), spec.quantum).items():
        out[datetime.date(2017, int(month), 1)] = value
    for month, value in _spread(h1_2018, weights(range(1, 7)), spec.quantum).items():
        out[datetime.date(2018, int(month), 1)] = value
    return out


def _county_weights(code: str, city: str) -> dict[str, Decimal]:
    weights = {}
    for county in _tree()[city]:
        rng = _rng("weight", code[:4], county)
        name_boost = Decimal("1.6") if county[-2:] < "20" else Decimal("0.7")  # districts vs counties
        weights[county] = name_boost * Decimal(str(round(rng.lognormvariate(0, 0.6), 4)))
    return weights


@functools.cache
def monthly_plan() -> dict[tuple[str, str, datetime.date], Decimal]:
    """(indicator code, unit code, month) → the month's own value, for cities and counties."""
    plan: dict[tuple[str, str, datetime.date], Decimal] = {}
    for code, spec in specs().items():
        for city in CITIES:
            city_months = _city_months(code, city)
            weights = _county_weights(code, city)
            for period, value in city_months.items():
                plan[(code, city, period)] = value
                county_total = value * CITY_SHARE_IN_COUNTIES if city in CITY_REPORTERS else value
                rng = _rng("month", code, city, period)
                noisy = {k: w * Decimal(str(round(rng.uniform(0.85, 1.15), 3))) for k, w in weights.items()}
                for county, share in _spread(county_total, noisy, spec.quantum).items():
                    plan[(code, county, period)] = share
    for (code, unit, period), value in list(plan.items()):
        if code == "EXPORT":
            plan[("TRADE", unit, period)] = value + plan[("IMPORT", unit, period)]
    return plan


def planned_value(indicator_code: str, unit_code: str, period: datetime.date) -> Decimal | None:
    """The figure this demo intends a unit to type for a month, as the indicator is reported
    (year to date for YTD indicators). Covers 2017-01 … 2018-06 (June is for the round)."""
    plan = monthly_plan()
    if (indicator_code, unit_code, period) not in plan:
        return None
    reported_as = next((i.get("reported_as", "ytd") for i in INDICATORS if i["code"] == indicator_code), "ytd")
    if reported_as == ReportedAs.PERIOD:
        return plan[(indicator_code, unit_code, period)]
    return sum(
        (
            plan.get((indicator_code, unit_code, period.replace(month=m)), Decimal(0))
            for m in range(1, period.month + 1)
        ),
        Decimal(0),
    )


def _city_target_ratio(code: str, city: str) -> Decimal:
    """Share of the annual target done by June (0.40–0.62: a mix of green, yellow and red)."""
    return Decimal(str(round(_rng("target", code, city).uniform(0.40, 0.62), 3)))


def load_indicators_demo(*, actor: Any = ACTOR) -> dict[str, int]:
    """Load the catalogue, 2018 targets and the ledger-derived figures of 2017-01 … 2018-05 (the
    typed ones come through the historical rounds). Idempotent."""
    _tree.cache_clear()
    monthly_plan.cache_clear()
    for position, spec in enumerate(INDICATORS, start=1):
        values = {k: v for k, v in spec.items() if k != "code"}
        values.setdefault("sort_order", position * 10)
        existing = Indicator.objects.filter(code=spec["code"]).first()
        if existing is None:
            save_indicator(actor=actor, code=spec["code"], **values)
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=[s["code"] for s in INDICATORS])}
    units = _units()
    with transaction.atomic():
        targets_loaded = _load_targets(actor, indicators, units)
        values_loaded = _load_computed(actor, indicators, units)
        if targets_loaded or values_loaded:
            record_event(
                actor=actor,
                action=DEMO_MARK,
                object_type="indicators.datavalue",
                object_repr="示例数据：指标目录、2018年目标与2017年1月—2018年5月台账指标数据",
                after={"targets": targets_loaded, "computed": values_loaded, "from": "2017-01", "to": "2018-05"},
            )
    return {"targets": targets_loaded, "values": values_loaded}


def _units() -> dict[str, OrgUnit]:
    return {
        u.code: u
        for u in OrgUnit.objects.filter(code__in=[PROVINCE, *CITIES, *(c for kids in _tree().values() for c in kids)])
    }


def _load_targets(actor: Any, indicators: dict[str, Indicator], units: dict[str, OrgUnit]) -> int:
    plan = monthly_plan()
    rows: list[tuple[Indicator, OrgUnit, int, Decimal, OrgUnit | None]] = []
    province = units[PROVINCE]
    june = [datetime.date(2018, m, 1) for m in range(1, 7)]
    province_targets: dict[str, Decimal] = {}
    for code, spec in specs().items():
        indicator = indicators[code]
        rounding = Decimal(100) if spec.quantum >= 1 and code in ("FDI", "ODI") else spec.quantum
        for city in CITIES:
            h1 = spec.h1_2018[city]
            target = (h1 / _city_target_ratio(code, city) / rounding).to_integral_value(ROUND_HALF_UP) * rounding
            target = max(target, rounding)
            rows.append((indicator, units[city], 2018, target, province))
            province_targets[code] = province_targets.get(code, Decimal(0)) + target
            # The city hands down to its counties, a little more than its own target (层层分解).
            counties = _tree()[city]
            shares = {c: sum((plan.get((code, c, p), Decimal(0)) for p in june), Decimal(0)) for c in counties}
            total = sum(shares.values()) or Decimal(1)
            for county in counties:
                uplift = Decimal(str(round(_rng("handdown", code, county).uniform(1.0, 1.08), 3)))
                value = (target * shares[county] / total * uplift / spec.quantum).to_integral_value(ROUND_HALF_UP)
                rows.append((indicator, units[county], 2018, max(value, Decimal(1)) * spec.quantum, units[city]))
    province_targets["FDI"] = Decimal(613000)  # 61.3亿美元, published
    for code, value in province_targets.items():
        rows.append((indicators[code], province, 2018, value, province))
    rows.append(
        (indicators["TRADE"], province, 2018, province_targets["EXPORT"] + province_targets["IMPORT"], province)
    )
    for city in CITIES:
        trade = sum((r[3] for r in rows if r[1].code == city and r[0].code in ("EXPORT", "IMPORT")), Decimal(0))
        rows.append((indicators["TRADE"], units[city], 2018, trade, province))
        for county in _tree()[city]:
            trade = sum((r[3] for r in rows if r[1].code == county and r[0].code in ("EXPORT", "IMPORT")), Decimal(0))
            rows.append((indicators["TRADE"], units[county], 2018, trade, units[city]))
    return set_targets_bulk(actor=actor, rows=rows)


def demo_loaded() -> bool:
    return AuditEvent.objects.filter(action=DEMO_MARK).exists()


# Moved to `kaifang.indicators.demo.history`; imported at the end because it reads names defined above.
from kaifang.indicators.demo.history import _load_computed as _load_computed  # noqa: E402
from kaifang.indicators.demo.history import history_batches as history_batches  # noqa: E402
from kaifang.indicators.demo.history import history_indicators as history_indicators  # noqa: E402
from kaifang.indicators.demo.history import history_months as history_months  # noqa: E402
from kaifang.indicators.demo.history import history_units as history_units  # noqa: E402
