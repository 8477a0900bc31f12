"""Standing meetings (例会): finished periods without a held meeting show on the province's list;
resolutions and the tasks they became are counted alike; units that have not relayed come first."""

from __future__ import annotations

import datetime

import pytest

from kaifang.core.actors import SystemActor
from kaifang.meetings import cadence, services
from kaifang.meetings.models import Cadence, MeetingSeries
from kaifang.orgs.models import OrgUnit

pytestmark = pytest.mark.django_db
D = datetime.date


JANUARY = D(2018, 1, 1)


def series(cadence_: str = Cadence.MONTHLY, first: D = JANUARY) -> MeetingSeries:
    return MeetingSeries(title="例会", cadence=cadence_, main_unit_id=1, first_period=first)


def test_monthly_gaps_are_the_finished_months_without_a_meeting() -> None:
    held = [D(2018, 1, 12), D(2018, 2, 9), D(2018, 4, 13)]
    # Today 5 July: January–June are finished; March, May and June had none. July is still running.
    assert cadence.missed_periods(series(), held, D(2018, 7, 5)) == [D(2018, 3, 1), D(2018, 5, 1), D(2018, 6, 1)]


def test_quarterly_gaps_count_whole_quarters() -> None:
    held = [D(2018, 2, 1)]  # Q1 held; Q2 (April–June) not; Q3 still running on 5 July
    assert cadence.missed_periods(series(Cadence.QUARTERLY), held, D(2018, 7, 5)) == [D(2018, 4, 1)]
    assert cadence.period_label(D(2018, 4, 1), Cadence.QUARTERLY) == "2018年第2季度"


def test_the_province_list_shows_the_demo_series_that_stopped(client_for, province, hunnan, settings) -> None:  # type: ignore[no-untyped-def]
    settings.KAIFANG_DEMO_TODAY = "2018-07-05"
    from kaifang.meetings.demo.series import load_standing_meeting_demo

    load_standing_meeting_demo(OrgUnit.objects.get(code="210000"))
    page = client_for(province).get("/meetings/").content.decode()
    assert "例会未按期召开" in page and "2018年5月、2018年6月未召开" in page and "最近一次 2018-04-13" in page
    assert "例会未按期召开" not in client_for(hunnan).get("/meetings/").content.decode()


def test_a_cancelled_or_draft_meeting_does_not_count_as_held(province) -> None:  # type: ignore[no-untyped-def]
    unit = OrgUnit.objects.get(code="210000")
    item = cadence.create_series(
        actor=SystemActor("test"), title="周例会", cadence=Cadence.MONTHLY, main_unit=unit, first_period=D(2018, 5, 1)
    )
    start = datetime.datetime(2018, 5, 10, 9, tzinfo=datetime.UTC)
    draft = services.create_meeting(
        actor=SystemActor("test"), title="5月例会", starts_at=start, main_unit=unit, series=item
    )
    gaps = cadence.series_gaps(province, D(2018, 7, 5))
    assert [g.missed for g in gaps if g.series == item] == [["2018年5月", "2018年6月"]]
    services.transition_meeting(actor=SystemActor("test"), meeting=draft, action="notify")
    gaps = cadence.series_gaps(province, D(2018, 7, 5))
    assert [g.missed for g in gaps if g.series == item] == [["2018年6月"]]
