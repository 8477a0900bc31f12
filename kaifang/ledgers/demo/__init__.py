"""Demo ledgers (示例数据): projects and talents across the 14 cities, January 2017 – July 2018.

The ledgers are built to agree with the indicator demo: for every city, county and month, the
亿元以上 signings and starts and the people introduced are exactly the figures the indicator demo
plans for 新签约亿元以上项目数, 新开工亿元以上项目数 and 引进人才数, so the derived figures the ledger
pushes equal the published-looking totals. Around them: smaller projects, leads and talks in
progress, dropped projects, capital increases, transfers, follow-up logs, and a few Dalian leads of
early July 2018 whose response timers are still running. Everything is seeded, so every load is
identical. Loaded in bulk (one audit event), then the derived figures are recomputed once.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import transaction

from kaifang.audit.services import record_event
from kaifang.core import clock
from kaifang.core.actors import SystemActor
from kaifang.indicators.demo import monthly_plan
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
from kaifang.ledgers.derived import recompute_all
from kaifang.ledgers.investors import normalize_investor_name
from kaifang.ledgers.models import (
    CapitalIncrease,
    ExchangeRate,
    FollowUp,
    FundsReceipt,
    InvestmentProject,
    Investor,
    ProjectTransfer,
    StageChange,
)
from kaifang.ledgers.reference import Currency, FollowUpKind, FollowUpStatus, Stage, TalentLevel
from kaifang.orgs.models import OrgUnit, UnitKind

DEMO_ACTOR = SystemActor("demo")

SEED = "kaifang-ledgers-demo"
DEMO_PREFIX = "DEMO-"

PROGRAMMES: dict[str, list[str]] = {
    TalentLevel.NATIONAL: ["国家高层次人才特殊支持计划", "国家杰出青年科学基金获得者"],
    TalentLevel.PROVINCIAL: ["兴辽英才计划", "辽宁省“百千万人才工程”"],
    TalentLevel.CITY: ["城市高层次人才计划", "青年英才计划"],
    TalentLevel.OTHER: [""],
}


def _rng(*parts: object) -> random.Random:
    return random.Random("-".join([SEED, *(str(p) for p in parts)]))


def _pick(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    return rng.choices([k for k, _w in weighted], weights=[w for _k, w in weighted])[0]


def _month_day(rng: random.Random, month: datetime.date, last: datetime.date | None = None) -> datetime.date:
    end = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(days=1)
    if last is not None and end > last:
        end = last
    return month + datetime.timedelta(days=rng.randrange(0, (end - month).days + 1))


class _Builder:
    """Collects rows for bulk creation, one project at a time."""

    def __init__(self, actor: Any):
        self.actor = actor
        self.investors: dict[str, Investor] = {}
        self.projects: list[InvestmentProject] = []
        self.history: list[list[tuple[str, str, str, datetime.date, OrgUnit]]] = []
        self.increases: list[tuple[int, CapitalIncrease]] = []
        self.receipts: list[tuple[int, FundsReceipt]] = []
        self.transfers: list[tuple[int, ProjectTransfer]] = []
        self.follow_ups: list[tuple[int, FollowUp]] = []
        self.serial = 0

    def follow_up(self, index: int, kind: str, text: str, status: str) -> None:
        """A follow-up record (跟进记录) on the project at `index`, written by the demo."""
        self.follow_ups.append((index, FollowUp(kind=kind, text=text, status=status, actor_name="示例数据")))

    def investor(self, rng: random.Random, origin: str) -> Investor:
        if origin in NAME_PARTS:
            words, suffix = NAME_PARTS[origin]
            country = {"HK": "香港", "MO": "澳门", "TW": "台湾"}.get(origin, "")
            name = f"{country}{rng.choice(words)}{suffix}"
        else:
            suffix = rng.choice(["集团有限公司", "科技股份有限公司", "实业有限公司", "投资有限公司"])
            name = f"{DOMESTIC_CITY.get(origin, '')}{rng.choice(DOMESTIC_PARTS)}{suffix}"
        if name not in self.investors:
            key = normalize_investor_name(name)
            flag = rng.random() < 0.08
            self.investors[name] = Investor(name=name, normalized_name=key, origin=origin, is_fortune500=flag)
        return self.investors[name]

    def project(
        self,
        rng: random.Random,
        *,
        unit: OrgUnit,
        platform: OrgUnit | None,
        big: bool,
        received: datetime.date,
        path: list[tuple[str, datetime.date]],
    ) -> InvestmentProject:
        """A project with its stage path [(action, date)…] applied in memory (first signing/start frozen)."""
        origin = _pick(rng, ORIGIN_WEIGHTS)
        industry = _pick(rng, INDUSTRY_WEIGHTS)
        investor = self.investor(rng, origin)
        foreign = origin in NAME_PARTS
        if foreign and rng.random() < 0.7:
            currency = Currency.USD
            amount = Decimal(rng.randrange(1600, 30000, 100)) if big else Decimal(rng.randrange(200, 1400, 50))
        else:
            currency = Currency.CNY
            amount = Decimal(rng.randrange(10000, 200000, 500)) if big else Decimal(rng.randrange(1000, 9800, 100))
        self.serial += 1
        product = rng.choice(PRODUCTS[industry])
        short = investor.name.replace("株式会社", "").replace("有限公司", "").replace("股份", "").replace("集团", "")
        p = InvestmentProject(
            external_id=f"{DEMO_PREFIX}{self.serial:05d}",
            name=f"{short[:8]}{product}项目",
            investor=investor,
            origin=origin,
            industry=industry,
            unit=unit,
            platform=platform,
            leader=rng.choice(["", "市委副书记", "副市长", "区长", "管委会主任"]),
            currency=currency,
            agreed_amount=amount,
            description="示例数据",
            stage=Stage.LEAD,
            stage_since=received,
            lead_received_on=received,
            responded_on=received,
            assessed_on=received + datetime.timedelta(days=2),
            feedback_on=received + datetime.timedelta(days=5),
        )
        steps: list[tuple[str, str, str, datetime.date, OrgUnit]] = [("create", "", Stage.LEAD, received, unit)]
        for action, day in path:
            from kaifang.ledgers.services import TRANSITIONS

            to_stage = TRANSITIONS[(p.stage, action)].to
            steps.append((action, p.stage, to_stage, day, p.unit))
            if to_stage == Stage.SIGNED and p.first_signed_on is None:
                p.first_signed_on, p.first_signed_unit = day, p.unit
            if to_stage == Stage.STARTED and p.first_started_on is None:
                p.first_started_on, p.first_started_unit = day, p.unit
            p.stage, p.stage_since = to_stage, day
        self.projects.append(p)
        self.history.append(steps)  # type: ignore[arg-type]
        return p

    def save(self) -> int:
        Investor.objects.bulk_create(list(self.investors.values()), batch_size=500)
        for p in self.projects:
            p.investor = p.investor  # re-bind the saved investor's pk
            p.investor_id = p.investor.pk
        InvestmentProject.objects.bulk_create(self.projects, batch_size=500)
        changes = [
            StageChange(
                project=p,
                from_stage=f,
                to_stage=t,
                action=a,
                effective_on=d,
                unit=u,
                actor_name="示例数据",
                evidence="",
            )
            for p, steps in zip(self.projects, self.history, strict=True)
            for a, f, t, d, u in steps
        ]
        StageChange.objects.bulk_create(changes, batch_size=1000)
        pending: list[tuple[list[Any], Any]] = [
            (self.increases, CapitalIncrease),
            (self.receipts, FundsReceipt),
            (self.transfers, ProjectTransfer),
            (self.follow_ups, FollowUp),
        ]
        for rows, model in pending:
            objs = []
            for index, obj in rows:
                obj.project = self.projects[index]
                objs.append(obj)
            model.objects.bulk_create(objs, batch_size=1000)  # type: ignore[attr-defined]
        return len(self.projects)


def _plan() -> dict[tuple[str, str, datetime.date], Decimal]:
    return monthly_plan()


def _own_counts(plan: dict[tuple[str, str, datetime.date], Decimal], code: str) -> dict[tuple[str, datetime.date], int]:
    """(unit code, month) → the events to create for that unit itself (a city's 市本级 = city − its counties)."""
    tree: dict[str, list[str]] = defaultdict(list)
    units = {
        u.code: u for u in OrgUnit.objects.filter(kind__in=[UnitKind.CITY, UnitKind.COUNTY]).select_related("parent")
    }
    for u in units.values():
        if u.kind == UnitKind.COUNTY and u.parent_id is not None:
            tree[u.parent.code if u.parent else ""].append(u.code)
    out: dict[tuple[str, datetime.date], int] = {}
    for (c, unit_code, month), value in plan.items():
        if c != code or unit_code not in units:
            continue
        if units[unit_code].kind == UnitKind.CITY:
            counties = sum((plan.get((code, k, month), Decimal(0)) for k in tree[unit_code]), Decimal(0))
            out[(unit_code, month)] = int(value - counties)
        else:
            out[(unit_code, month)] = int(value)
    return out


def load_ledgers_demo(*, actor: Any = DEMO_ACTOR) -> dict[str, int]:
    """Load the demo ledgers (idempotent: does nothing when they are already there)."""
    if InvestmentProject.objects.filter(external_id__startswith=DEMO_PREFIX).exists():
        return {"projects": 0, "talents": 0}
    with transaction.atomic():
        for year, rate in RATES:
            ExchangeRate.objects.update_or_create(
                year=year, defaults={"rate": Decimal(rate), "source": "国家统计公报人民币对美元年平均汇率"}
            )
        plan = _plan()
        units = {u.code: u for u in OrgUnit.objects.all()}
        platforms: dict[str, list[OrgUnit]] = defaultdict(list)
        for u in units.values():
            if u.kind == UnitKind.PLATFORM and u.parent is not None:
                platforms[u.parent.code].append(u)
        builder = _Builder(actor)
        _build_projects(builder, plan, units, platforms)
        _build_pipeline(builder, units, platforms)
        count = builder.save()
        talents = _build_talents(plan, units)
        record_event(
            actor=actor,
            action="ledgers.demo.load",
            object_type="ledgers.demo",
            object_id="demo",
            object_repr="双招双引示例数据",
            after={"projects": count, "talents": talents},
        )
        recompute_all(actor=actor, commit=True)
    return {"projects": count, "talents": talents}


def _city_code(unit: OrgUnit) -> str:
    parts = unit.path.strip("/").split("/")
    return parts[1] if len(parts) > 1 else parts[0]


def _platform(rng: random.Random, unit: OrgUnit, platforms: dict[str, list[OrgUnit]]) -> OrgUnit | None:
    options = platforms.get(_city_code(unit), [])
    return rng.choice(options) if options and rng.random() < 0.45 else None


def _build_projects(
    b: _Builder,
    plan: dict[tuple[str, str, datetime.date], Decimal],
    units: dict[str, OrgUnit],
    platforms: dict[str, list[OrgUnit]],
) -> None:
    """亿元以上 signings and starts exactly as planned per unit and month, plus some smaller projects."""
    signed = _own_counts(plan, "PROJ_SIGNED")
    started = _own_counts(plan, "PROJ_STARTED")
    today = clock.today()
    waiting: dict[str, list[int]] = defaultdict(list)  # unit → indexes of big signed projects not yet started
    months = sorted({m for _u, m in signed})
    for month in months:
        for unit_code in sorted({u for u, m in signed if m == month}):
            unit = units[unit_code]
            rng = _rng("signed", unit_code, month)
            for n in range(signed[(unit_code, month)]):
                day = _month_day(rng, month)
                if n == 0 and waiting[unit_code] and rng.random() < 0.12:
                    # A 1亿+ capital increase on an earlier project counts as this month's signing (增资只计增量).
                    index = waiting[unit_code][0]
                    inc = CapitalIncrease(
                        amount=Decimal(rng.randrange(10000, 40000, 1000)),
                        currency=Currency.CNY,
                        signed_on=day,
                        unit=unit,
                        note="示例：增资扩产",
                        actor_name="示例数据",
                    )
                    b.increases.append((index, inc))
                    continue
                received = day - datetime.timedelta(days=rng.randrange(40, 200))
                talks = received + datetime.timedelta(days=rng.randrange(5, 30))
                path = [("negotiate", talks), ("sign", day)]
                b.project(
                    rng, unit=unit, platform=_platform(rng, unit, platforms), big=True, received=received, path=path
                )
                waiting[unit_code].append(len(b.projects) - 1)
            # Smaller projects signed the same month (not 亿元以上: they count in amounts only).
            for _ in range(rng.randrange(0, 2)):
                day = _month_day(rng, month)
                received = day - datetime.timedelta(days=rng.randrange(30, 120))
                path = [("negotiate", received + datetime.timedelta(days=7)), ("sign", day)]
                b.project(
                    rng, unit=unit, platform=_platform(rng, unit, platforms), big=False, received=received, path=path
                )
        for unit_code in sorted({u for u, m in started if m == month}):
            rng = _rng("started", unit_code, month)
            for _n in range(started[(unit_code, month)]):
                candidates = [i for i in waiting[unit_code] if b.projects[i].first_signed_on < month]  # type: ignore[operator]
                day = _month_day(rng, month)
                if candidates:
                    index = candidates[0]
                    waiting[unit_code].remove(index)
                else:  # signed before the ledger window (2016)
                    sign = datetime.date(2016, rng.randrange(3, 12), rng.randrange(1, 28))
                    path = [("negotiate", sign - datetime.timedelta(days=30)), ("sign", sign)]
                    b.project(
                        rng,
                        unit=units[unit_code],
                        platform=_platform(rng, units[unit_code], platforms),
                        big=True,
                        received=sign - datetime.timedelta(days=60),
                        path=path,
                    )
                    index = len(b.projects) - 1
                _start(b, rng, index, day, today)
    # Signed projects still waiting: some planned for start (拟开工), a few dropped (counts stay).
    for unit_code, indexes in waiting.items():
        rng = _rng("waiting", unit_code)
        for index in indexes:
            p = b.projects[index]
            roll = rng.random()
            since = p.stage_since + datetime.timedelta(days=rng.randrange(10, 60))
            if since > today:
                continue
            if roll < 0.35:
                _apply(b, index, "plan_start", since)
            elif roll < 0.42:
                _apply(b, index, "drop", since)
                b.follow_up(index, FollowUpKind.PROBLEM, "投资方资金链紧张，项目终止（示例）", FollowUpStatus.RESOLVED)
            elif roll < 0.47 and p.unit.kind == UnitKind.COUNTY:
                siblings = [
                    u
                    for u in OrgUnit.objects.filter(parent_id=p.unit.parent_id, kind=UnitKind.COUNTY)
                    if u.pk != p.unit_id and u.is_current()
                ]
                if siblings:
                    target = rng.choice(siblings)
                    b.transfers.append(
                        (
                            index,
                            ProjectTransfer(
                                from_unit=p.unit,
                                to_unit=target,
                                effective_on=since,
                                reason="项目选址调整（示例）",
                                actor_name="示例数据",
                            ),
                        )
                    )
                    p.unit = target


# Moved to `kaifang.ledgers.demo.pipeline`; imported at the end because it reads names defined above.
from kaifang.ledgers.demo.pipeline import _apply as _apply  # noqa: E402
from kaifang.ledgers.demo.pipeline import _build_pipeline as _build_pipeline  # noqa: E402
from kaifang.ledgers.demo.pipeline import _build_talents as _build_talents  # noqa: E402
from kaifang.ledgers.demo.pipeline import _start as _start  # noqa: E402
