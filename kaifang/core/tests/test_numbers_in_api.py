"""Numbers in /api/v1/values and the reporting rounds (issue 15, finding 2): a figure carries its
indicator's decimals, a ratio six places rounded half up (kaifang.core.numbers).

The worked example of the design brief: a county reports 出口额 year to date January 120, February
250, March 400 (万美元, 2 decimals); annual target 1,800; March last year 320.
"""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest

from kaifang.indicators.figures import ValueEntry
from kaifang.indicators.models import Target
from kaifang.indicators.services import save_values
from kaifang.indicators.tests.factories import TEST_ACTOR, make_indicator, open_figures
from kaifang.orgs.models import OrgUnit

pytestmark = pytest.mark.django_db


@pytest.fixture
def worked_example(province):
    export = make_indicator("T_EXPORT", decimals=2)
    county = OrgUnit.objects.get(code="210112")
    Target.objects.create(indicator=export, unit=county, year=2018, annual=D("1800"))
    months = [(datetime.date(2017, 3, 1), "320")] + [
        (datetime.date(2018, m, 1), v) for m, v in ((1, "120"), (2, "250"), (3, "400"))
    ]
    for period, ytd in months:
        open_figures([export], [county], period)
        save_values(actor=TEST_ACTOR, unit=county, period=period, entries=[ValueEntry("T_EXPORT", D(ytd))])
    return export


def test_values_carry_the_indicators_decimals_and_ratios_six_places(worked_example, client_for, hunnan, shenhe):
    body = (
        client_for(hunnan)
        .get("/api/v1/values", {"indicator": "T_EXPORT", "from": "2018-01", "to": "2018-03", "aggregates": "true"})
        .json()
    )
    march = next(v for v in body["values"] if v["period"] == "2018-03")
    assert (march["reported"], march["month_value"], march["ytd_value"]) == ("400.00", "150.00", "400.00")
    (top,) = body["aggregates"][:1]
    assert (top["ytd_value"], top["target"]) == ("400.00", "1800.00")
    assert top["completion"] == "0.222222"  # 400 / 1800 = 0.2222…
    assert top["time_progress"] == "0.250000"  # 3 / 12
    assert top["progress_ratio"] == "0.888889"  # 0.2222… / 0.25 = 0.8888…
    assert top["yoy"] == "0.250000"  # 400 / 320 − 1
    neighbour = client_for(shenhe).get("/api/v1/values", {"indicator": "T_EXPORT", "from": "2018-01", "to": "2018-03"})
    assert "210112" not in {v["unit"] for v in neighbour.json()["values"]}  # 沈河区 sees none of 浑南区's


def test_a_rounds_completeness_is_a_ratio_with_six_places(client_for, province, hunnan, monkeypatch):
    from kaifang.reporting import services
    from kaifang.reporting.tests.conftest import at, entries, make_catalogue, make_round

    monkeypatch.setattr(services, "server_now", lambda: at(5))
    june = make_round(make_catalogue())  # six units must report
    submission = june.submissions.get(unit__code="210112")
    services.save_submission_values(actor=hunnan, submission=submission, entries=entries())
    services.transition(actor=hunnan, submission=submission, action="submit")
    total = client_for(province).get(f"/api/v1/rounds/{june.pk}").json()["total"]
    assert total["completeness"] == "0.166667"  # 1 of 6 (was "0.1667": another precision than the rest)
    values = client_for(hunnan).get(f"/api/v1/submissions/{submission.pk}").json()["values"]
    assert {v["indicator"]: v["reported"] for v in values}["TRADE"] == "1000.00"  # TRADE has 2 decimals
