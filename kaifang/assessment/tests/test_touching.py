"""Which published results a corrected figure reaches (`snapshots_touching`, for 数据更正)."""

from __future__ import annotations

import datetime
from decimal import Decimal as D
from types import SimpleNamespace
from typing import Any

from kaifang.assessment import services
from kaifang.assessment.selectors import snapshots_touching, touches
from kaifang.assessment.tests.conftest import JUNE
from kaifang.indicators.figures import ValueEntry
from kaifang.indicators.services import save_values
from kaifang.orgs.models import OrgUnit

SHENYANG_AND_HUNNAN = {"210000", "210100", "210112"}  # 浑南区 and every unit above it


def month(m: int, year: int = 2018) -> datetime.date:
    return datetime.date(year, m, 1)


def frozen(*sources: dict[str, Any]) -> Any:
    """A snapshot's frozen inputs: one unit, one growth item with the given sources."""
    return SimpleNamespace(inputs={"units": [{"code": "210100", "items": {"growth": {"sources": list(sources)}}}]})


def source(period: str, unit: str = "210100", indicator: str = "T_FDI") -> dict[str, Any]:
    return {"type": "value", "indicator": indicator, "unit": unit, "period": period}


def test_a_figure_reaches_the_same_year_at_or_after_its_month_and_next_years_growth_base():
    # A snapshot of March 2019 with a growth item: its figure (2019-03) and its base (2018-03).
    snapshot = frozen(source("2019-03"), source("2018-03"))
    reach = {"indicator_code": "T_FDI", "unit_codes": SHENYANG_AND_HUNNAN}
    assert touches(snapshot, period=month(2), **reach)  # Feb 2018 is inside the base YTD Jan–Mar 2018
    assert touches(snapshot, period=month(3), **reach)
    assert not touches(snapshot, period=month(4), **reach)  # April 2018 is after the base month
    assert touches(snapshot, period=month(1, 2019), **reach)  # inside the YTD Jan–Mar 2019
    assert not touches(snapshot, period=month(2), indicator_code="T_EXPORT", unit_codes=SHENYANG_AND_HUNNAN)
    assert not touches(snapshot, period=month(2), indicator_code="T_FDI", unit_codes={"210000", "210200", "210211"})
    assert not touches(frozen({"type": "task", "id": 1}), period=month(2), **reach)


def test_the_latest_publication_of_each_period_the_figure_reaches(two_cities, province):
    first = services.publish_assessment(actor=province, scheme=two_cities, period=JUNE)  # 沈阳市 as of June
    assert snapshots_touching("T_FDI", SHENYANG_AND_HUNNAN, month(5)) == [first]  # a county of 沈阳市, May
    assert snapshots_touching("T_FDI", SHENYANG_AND_HUNNAN, month(6)) == [first]
    assert snapshots_touching("T_FDI", SHENYANG_AND_HUNNAN, month(7)) == []  # after the published month
    assert snapshots_touching("T_FDI", {"210000", "SWT"}, month(5)) == []  # not a member nor below one
    assert snapshots_touching("T_EXPORT", SHENYANG_AND_HUNNAN, month(5)) == []
    save_values(
        actor=province,
        unit=OrgUnit.objects.get(code="210100"),
        period=JUNE,
        entries=[ValueEntry("T_FDI", D("600"), expected_version=1)],
    )
    second = services.publish_assessment(actor=province, scheme=two_cities, period=JUNE, reason="更正")
    assert snapshots_touching("T_FDI", SHENYANG_AND_HUNNAN, month(5)) == [second]
