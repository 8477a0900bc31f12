"""The demo set: consistent with the published province totals, idempotent, June left for the round.
(The typed history goes through the historical rounds: see kaifang/reporting/tests/test_demo.py.)"""

import datetime
from decimal import Decimal as D

import pytest

from kaifang.indicators.demo import CITIES, load_indicators_demo, planned_value
from kaifang.indicators.models import DataValue, Target
from kaifang.orgs.models import OrgUnit

pytestmark = pytest.mark.django_db

MAY, JUNE = datetime.date(2018, 5, 1), datetime.date(2018, 6, 1)


@pytest.fixture
def demo(db):
    return load_indicators_demo()


def _planned_h1_2018_fdi_is_the_published_32_1_yi_dollars(demo):
    assert sum(planned_value("FDI", city, JUNE) for city in CITIES) == D(321000)  # type: ignore[misc]
    assert sum(planned_value("FIE_NEW", city, JUNE) for city in CITIES) == D(240)  # type: ignore[misc]
    assert Target.objects.get(indicator__code="FDI", unit__code="210000", year=2018).annual == D(613000)


def _fdi_tiers_and_year_on_year_directions_follow_the_published_h1(demo):
    h1 = {c: planned_value("FDI", c, JUNE) for c in CITIES}
    last = {c: planned_value("FDI", c, datetime.date(2017, 6, 1)) for c in CITIES}
    assert {c for c in CITIES if h1[c] > 10000} == {"210200", "210100", "211100", "210800"}
    assert {c for c in CITIES if h1[c] < 2000} == {"210400", "210600", "211000", "210300"}
    assert {c for c in CITIES if h1[c] < last[c]} == {"210400", "211000", "210300", "211400", "210200"}


def _ledger_figures_of_the_history_months_are_loaded_and_no_typed_ones(demo):
    hunnan = OrgUnit.objects.get(code="210112")
    signed = DataValue.objects.get(unit=hunnan, period=MAY, indicator__code="PROJ_SIGNED")
    assert signed.reported == planned_value("PROJ_SIGNED", "210112", MAY)  # a month value, as the ledger counts it
    assert not DataValue.objects.filter(indicator__source="reported").exists()  # typed: the history rounds' job
    assert not DataValue.objects.filter(period=JUNE).exists()


def test_loading_twice_adds_nothing(demo):
    again = load_indicators_demo()
    assert again == {"targets": 0, "values": 0}


def test_the_demo_is_consistent_with_the_published_province_totals(demo, province):
    """One load, every check (the load takes a few seconds)."""
    _planned_h1_2018_fdi_is_the_published_32_1_yi_dollars(demo)
    _fdi_tiers_and_year_on_year_directions_follow_the_published_h1(demo)
    _ledger_figures_of_the_history_months_are_loaded_and_no_typed_ones(demo)
