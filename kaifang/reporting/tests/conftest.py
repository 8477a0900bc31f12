"""A small catalogue and a June 2018 round for the reporting tests.

Indicators: 进出口总额 TRADE, 出口额 EXPORT, 进口额 IMPORT (flows reported year to date, 万美元),
新设企业数 FIRMS (a flow reported per month, 个), 引进人才 TALENT (ledger-sourced, read-only).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from kaifang.core.actors import SystemActor
from kaifang.indicators.models import Indicator, ReportedAs, Source, TimeAggregation
from kaifang.orgs.models import OrgUnit
from kaifang.reporting.models import RuleOperator, ValidationRule
from kaifang.reporting.services import open_round

JUNE = datetime.date(2018, 6, 1)
TZ = timezone.get_default_timezone()


def at(day: int, hour: int = 12, month: int = 7) -> datetime.datetime:
    return datetime.datetime(2018, month, day, hour, 0, tzinfo=TZ)


def make_catalogue():
    def make(code, name, uom="万美元", reported_as=ReportedAs.YTD, source=Source.REPORTED, order=0, decimals=2):
        return Indicator.objects.update_or_create(
            code=code,
            defaults=dict(
                name=name,
                unit_of_measure=uom,
                time_aggregation=TimeAggregation.FLOW,
                reported_as=reported_as,
                source=source,
                sort_order=order,
                decimals=decimals,
            ),
        )[0]

    items = {
        "TRADE": make("TRADE", "进出口总额", order=1),
        "EXPORT": make("EXPORT", "出口额", order=2),
        "IMPORT": make("IMPORT", "进口额", order=3),
        "FIRMS": make("FIRMS", "新设企业数", uom="个", reported_as=ReportedAs.PERIOD, order=4, decimals=0),
        "TALENT": make("TALENT", "引进人才数", uom="人", source=Source.LEDGER, order=5, decimals=0),
    }
    for code, left in [("EXPORT_LE_TRADE", "EXPORT"), ("IMPORT_LE_TRADE", "IMPORT")]:
        ValidationRule.objects.update_or_create(
            code=code,
            defaults=dict(
                name=f"{items[left].name}不大于进出口总额",
                left=items[left],
                operator=RuleOperator.LE,
                right=items["TRADE"],
            ),
        )
    return items


def make_round(catalogue):
    units = OrgUnit.objects.filter(code__in=["210112", "210103", "210211", "210100", "210200", "SWT"])
    return open_round(
        actor=SystemActor(name="test"),
        period=JUNE,
        name="2018年6月开放指标",
        indicators=catalogue.values(),
        units=units,
        opens_at=at(1, 0),
        deadline=datetime.datetime(2018, 7, 10, 23, 59, 59, tzinfo=TZ),
        grace_days=2,
    )


@pytest.fixture
def catalogue(db):
    return make_catalogue()


@pytest.fixture
def june_round(catalogue):
    return make_round(catalogue)


@pytest.fixture
def sub_of(june_round):
    def get(code):
        return june_round.submissions.select_related("unit", "round").get(unit__code=code)

    return get


@pytest.fixture
def clock(monkeypatch):
    """`clock(at(9))` pins the server time seen by the reporting services."""
    from kaifang.reporting import services

    def set_to(moment):
        monkeypatch.setattr(services, "server_now", lambda: moment)

    set_to(at(5))
    return set_to


GOOD = {"TRADE": "1000", "EXPORT": "600", "IMPORT": "400", "FIRMS": "3"}


def entries(values=None, comments=None, versions=None):
    from kaifang.indicators.figures import ValueEntry

    values = GOOD if values is None else values
    return [
        ValueEntry(
            code, None if v in (None, "") else Decimal(v), (comments or {}).get(code, ""), (versions or {}).get(code)
        )
        for code, v in values.items()
    ]
