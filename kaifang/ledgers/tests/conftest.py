"""Ledger test helpers: a pinned 'today' in July 2018, a recorded rate, and project factories."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from kaifang.core.actors import SystemActor
from kaifang.ledgers.models import ExchangeRate, InvestmentProject
from kaifang.ledgers.services import ProjectInput, create_project, transition_project
from kaifang.orgs.models import OrgUnit

TEST_ACTOR = SystemActor("test")

TODAY = datetime.date(2018, 7, 16)  # a Monday


@pytest.fixture(autouse=True)
def pinned_today(settings):  # type: ignore[no-untyped-def]
    settings.KAIFANG_DEMO_TODAY = TODAY.isoformat()
    return TODAY


@pytest.fixture
def rates(db):  # type: ignore[no-untyped-def]
    ExchangeRate.objects.update_or_create(year=2017, defaults={"rate": Decimal("6.7518")})
    ExchangeRate.objects.update_or_create(year=2018, defaults={"rate": Decimal("6.5000")})


def unit(code: str) -> OrgUnit:
    return OrgUnit.objects.get(code=code)


def new_project(
    actor: Any = TEST_ACTOR,
    *,
    unit_code: str = "210211",
    amount: str = "12000",
    currency: str = "CNY",
    received: datetime.date = datetime.date(2018, 3, 1),
    name: str = "示例项目",
    investor: str = "示例投资有限公司",
    origin: str = "JP",
    industry: str = "C",
    platform: OrgUnit | None = None,
) -> InvestmentProject:
    project, _warnings = create_project(
        actor=actor,
        data=ProjectInput(
            name=name,
            investor_name=investor,
            origin=origin,
            industry=industry,
            unit=unit(unit_code),
            agreed_amount=Decimal(amount),
            currency=currency,
            lead_received_on=received,
            platform=platform,
        ),
    )
    return project


def move(project: InvestmentProject, *steps: tuple[str, str], actor: Any = TEST_ACTOR) -> InvestmentProject:
    """Apply (action, "YYYY-MM-DD") steps in order."""
    for action, day in steps:
        project = transition_project(
            actor=actor, project=project, action=action, effective_on=datetime.date.fromisoformat(day)
        )
    return project


@pytest.fixture
def ledger_catalogue(db):  # type: ignore[no-untyped-def]
    """The four ledger-sourced indicators as the catalogue declares them (one of them YTD-reported)."""
    from kaifang.indicators.models import Indicator

    made = {}
    for code, name, uom, reported_as in [
        ("PROJ_SIGNED", "新签约亿元以上项目数", "个", "period"),
        ("PROJ_STARTED", "新开工亿元以上项目数", "个", "period"),
        ("FUNDS_ARRIVED", "实际到位资金", "亿元", "ytd"),
        ("TALENT", "引进人才数", "人", "period"),
    ]:
        made[name], _ = Indicator.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "unit_of_measure": uom,
                "source": "ledger",
                "reported_as": reported_as,
                "decimals": 2,
            },
        )
    return made
