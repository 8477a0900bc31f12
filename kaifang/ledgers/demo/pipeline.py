"""The demo pipeline: moving drawn projects through their stages (dated, as the transition table
allows), and the demo talents; driven by `kaifang.ledgers.demo.load_ledgers_demo`."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from kaifang.core import clock
from kaifang.ledgers.demo import DEMO_PREFIX, PROGRAMMES, _Builder, _month_day, _own_counts, _pick, _platform, _rng
from kaifang.ledgers.demo.data import DALIAN_LEADS as DALIAN_LEADS
from kaifang.ledgers.demo.data import DOMESTIC_CITY as DOMESTIC_CITY
from kaifang.ledgers.demo.data import DOMESTIC_PARTS as DOMESTIC_PARTS
from kaifang.ledgers.demo.data import EMPLOYERS as EMPLOYERS
from kaifang.ledgers.demo.data import FIELDS as FIELDS
from kaifang.ledgers.demo.data import INDUSTRY_WEIGHTS as INDUSTRY_WEIGHTS
from kaifang.ledgers.demo.data import NAME_PARTS as NAME_PARTS
from kaifang.ledgers.demo.data import ORIGIN_WEIGHTS as ORIGIN_WEIGHTS
from kaifang.ledgers.demo.data import PRODUCTS as PRODUCTS
from kaifang.ledgers.demo.data import RATES as RATES
from kaifang.ledgers.investors import normalize_investor_name
from kaifang.ledgers.models import (
    FundsReceipt,
    Investor,
    TalentRecord,
)
from kaifang.ledgers.reference import Currency, FollowUpKind, FollowUpStatus, Stage, TalentKind, TalentLevel
from kaifang.orgs.models import OrgUnit, UnitKind


def _apply(b: _Builder, index: int, action: str, day: datetime.date) -> None:
    from kaifang.ledgers.services import TRANSITIONS

    p = b.projects[index]
    to_stage = TRANSITIONS[(p.stage, action)].to
    b.history[index].append((action, p.stage, to_stage, day, p.unit))  # type: ignore[arg-type]
    if to_stage == Stage.STARTED and p.first_started_on is None:
        p.first_started_on, p.first_started_unit = day, p.unit
    p.stage, p.stage_since = to_stage, day


def _start(b: _Builder, rng: random.Random, index: int, day: datetime.date, today: datetime.date) -> None:
    """Start a project on `day`; older starts move on to 到资 and 投产, with money arriving."""
    p = b.projects[index]
    if rng.random() < 0.3:
        _apply(b, index, "plan_start", max(p.stage_since, day - datetime.timedelta(days=rng.randrange(5, 40))))
    _apply(b, index, "start", day)
    funds_day = day + datetime.timedelta(days=rng.randrange(30, 150))
    if funds_day <= today:
        amount = (p.agreed_amount * Decimal(rng.randrange(20, 60)) / 100).quantize(Decimal(1))
        b.receipts.append(
            (
                index,
                FundsReceipt(
                    amount=amount,
                    currency=p.currency,
                    received_on=funds_day,
                    unit=p.unit,
                    note="示例：首期资金",
                    actor_name="示例数据",
                ),
            )
        )
        p.funds_in_place += amount
        _apply(b, index, "funds_in", funds_day)
        produce_day = funds_day + datetime.timedelta(days=rng.randrange(90, 300))
        if produce_day <= today:
            _apply(b, index, "produce", produce_day)
    if rng.random() < 0.15:
        b.follow_up(index, FollowUpKind.COORDINATION, "需协调解决施工用电增容（示例）", FollowUpStatus.IN_PROGRESS)


def _build_pipeline(b: _Builder, units: dict[str, OrgUnit], platforms: dict[str, list[OrgUnit]]) -> None:
    """Leads and talks in progress across the cities, dropped leads, and Dalian's July leads."""
    today = clock.today()
    for city_code in sorted(c for c, u in units.items() if u.kind == UnitKind.CITY):
        rng = _rng("pipeline", city_code)
        counties = [u for u in units.values() if u.parent_id == units[city_code].pk and u.kind == UnitKind.COUNTY]
        holders = [units[city_code], *[u for u in counties if u.is_current()]]
        for n in range(rng.randrange(8, 16)):
            unit = rng.choice(holders)
            received = today - datetime.timedelta(days=rng.randrange(10, 200))
            path: list[tuple[str, datetime.date]] = []
            if n % 3 != 0:
                path.append(("negotiate", received + datetime.timedelta(days=rng.randrange(3, 9))))
            if n % 7 == 6:
                last = path[-1][1] if path else received
                path.append(("drop", min(last + datetime.timedelta(days=5), today)))
            b.project(
                rng,
                unit=unit,
                platform=_platform(rng, unit, platforms),
                big=rng.random() < 0.6,
                received=received,
                path=path,
            )
    rng = _rng("dalian-leads")
    for name, investor, origin, industry, unit_code, day, amount in DALIAN_LEADS:
        received = datetime.date.fromisoformat(day)
        if received > today:
            continue
        p = b.project(rng, unit=units[unit_code], platform=None, big=True, received=received, path=[])
        inv = b.investors.setdefault(
            investor, Investor(name=investor, normalized_name=normalize_investor_name(investor), origin=origin)
        )
        p.name, p.investor, p.origin, p.industry, p.agreed_amount = name, inv, origin, industry, Decimal(amount)
        p.currency = Currency.CNY
        p.responded_on = received if received < today - datetime.timedelta(days=1) else None
        p.assessed_on = p.feedback_on = None


def _build_talents(plan: dict[tuple[str, str, datetime.date], Decimal], units: dict[str, OrgUnit]) -> int:
    """People introduced per unit and month as planned: a few named high-level people and teams,
    the rest as batch records (批量引进) so the headcount adds up exactly."""
    rows: list[TalentRecord] = []
    serial = 0
    for (unit_code, month), count in sorted(_own_counts(plan, "TALENT").items()):
        if count <= 0:
            continue
        rng = _rng("talent", unit_code, month)
        unit = units[unit_code]
        left = count
        parts: list[tuple[str, int, str]] = []  # (kind or "batch", headcount, level)
        for _ in range(min(left, rng.randrange(1, 4))):
            level: str = rng.choices(
                [TalentLevel.NATIONAL, TalentLevel.PROVINCIAL, TalentLevel.CITY], weights=[1, 3, 6]
            )[0]
            parts.append((TalentKind.PERSON, 1, level))
            left -= 1
        if left >= 3 and rng.random() < 0.5:
            size = rng.randrange(3, min(left, 12) + 1)
            parts.append((TalentKind.TEAM, size, TalentLevel.PROVINCIAL))
            left -= size
        while left > 0:
            size = min(left, 500)
            parts.append(("batch", size, TalentLevel.OTHER))
            left -= size
        for kind, size, level in parts:
            serial += 1
            field = rng.choice(FIELDS)
            if kind == "batch":
                name, kind = f"{month.month}月批量引进专业技术人才", TalentKind.TEAM
            elif kind == TalentKind.TEAM:
                name = f"{field}创新团队"
            else:
                name = rng.choice("王李张刘陈杨赵黄周吴徐孙朱马胡郭林何高罗") + rng.choice(
                    ["博士", "教授", "研究员", "高级工程师"]
                )
            rows.append(
                TalentRecord(
                    external_id=f"{DEMO_PREFIX}T{serial:06d}",
                    name=name,
                    kind=kind,
                    headcount=size,
                    field=field,
                    level=level,
                    programme=rng.choice(PROGRAMMES[level]),
                    employer=f"{unit.name}{rng.choice(EMPLOYERS)}",
                    unit=unit,
                    introduced_on=_month_day(rng, month),
                    source_region=_pick(rng, ORIGIN_WEIGHTS),
                    note="示例数据",
                )
            )
    TalentRecord.objects.bulk_create(rows, batch_size=1000)
    return len(rows)
