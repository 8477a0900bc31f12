"""The year's reporting calendar: one rule → every month's round, reviewable first; rounds whose
opening day is ahead wait as planned and open on their day; a second run creates nothing."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from freezegun import freeze_time

from kaifang.indicators.figures import ValueEntry
from kaifang.indicators.services.catalogue_files import adopt_starter_catalogue
from kaifang.orgs.models import OrgUnit
from kaifang.reporting.jobs import open_due_rounds
from kaifang.reporting.models import ReportingRound, RoundStatus
from kaifang.reporting.services import save_submission_values
from kaifang.reporting.services.calendar import CalendarRule, create_calendar, plan_calendar

pytestmark = pytest.mark.django_db

RULE = CalendarRule(year=2019, opens_day=1, deadline_day=10, grace_days=2, indicators=("FDI", "EXPORT", "IMPORT"))


@pytest.fixture(autouse=True)
def catalogue(admin_user):
    adopt_starter_catalogue(actor=admin_user)


def _local(moment: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(moment)


@freeze_time("2019-02-05 09:00:00+08:00")
def test_the_plan_has_twelve_rounds_with_their_dates_and_writes_nothing(province):
    plans = plan_calendar(actor=province, rule=RULE)
    assert [p.period.month for p in plans] == list(range(1, 13)) and not ReportingRound.objects.exists()
    january, december = plans[0], plans[-1]
    # January 2019 opens 1 February; 10 February 2019 is a Sunday, so the deadline moves to Monday 11th,
    # end of day; two days' grace run to 13 February.
    assert _local(january.opens_at) == datetime.datetime(2019, 2, 1, tzinfo=january.opens_at.tzinfo)
    assert (_local(january.deadline).date(), _local(january.deadline).time()) == (
        datetime.date(2019, 2, 11),
        datetime.time(23, 59, 59),
    )
    assert _local(january.grace_until).date() == datetime.date(2019, 2, 13)
    # December reports in January 2020: the 10th is a Friday and stays.
    assert _local(december.deadline).date() == datetime.date(2020, 1, 10)
    assert january.opens_now and not plans[1].opens_now
    expected = set(
        OrgUnit.objects.of_kind("county", "department")
        .current(datetime.date(2019, 1, 1))
        .values_list("code", flat=True)
    )
    assert {u.code for u in january.units} == expected and "210112" in expected
    assert [i.code for i in january.indicators] == ["FDI", "EXPORT", "IMPORT"]


@freeze_time("2019-02-05 09:00:00+08:00")
def test_creating_opens_the_due_month_and_plans_the_rest_and_a_rerun_creates_nothing(province, hunnan):
    created = create_calendar(actor=province, rule=RULE)
    assert len(created) == 12
    statuses = dict(ReportingRound.objects.values_list("period__month", "status"))
    assert statuses[1] == RoundStatus.OPEN and {statuses[m] for m in range(2, 13)} == {RoundStatus.PLANNED}
    assert create_calendar(actor=province, rule=RULE) == []
    february = ReportingRound.objects.get(period=datetime.date(2019, 2, 1))
    submission = february.submissions.get(unit=hunnan.unit)
    with pytest.raises(ValidationError):
        save_submission_values(actor=hunnan, submission=submission, entries=[ValueEntry("FDI", "10", "", None)])


def test_the_job_opens_planned_rounds_on_their_opening_day(province):
    with freeze_time("2019-02-05 09:00:00+08:00"):
        create_calendar(actor=province, rule=RULE)
    with freeze_time("2019-03-01 00:30:00+08:00"):
        assert open_due_rounds() == 1
        assert open_due_rounds() == 0
    open_months = ReportingRound.objects.filter(status=RoundStatus.OPEN).values_list("period__month", flat=True)
    assert sorted(open_months) == [1, 2]


def test_only_a_province_supervisor_creates_the_calendar(admin_user, shenyang, client_for, hunnan):
    for who in (admin_user, shenyang):
        with pytest.raises(PermissionDenied):
            create_calendar(actor=who, rule=RULE)
    assert client_for(hunnan).get("/reporting/calendar/").status_code == 403
    refused = client_for(hunnan).post("/api/v1/rounds/calendar/plan", {"year": 2019}, content_type="application/json")
    assert refused.status_code == 403 and not ReportingRound.objects.exists()


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (CalendarRule(year=2019, deadline_day=30), "1–28"),
        (CalendarRule(year=2019, opens_day=12, deadline_day=10), "截止日不能早于开始日"),
        (CalendarRule(year=2019, months=(13,)), "1–12"),
        (CalendarRule(year=2019, unit_kinds=("province",)), "报送单位的类型"),
        (CalendarRule(year=2019, indicators=("EXPORT_SHARE",)), "公式指标：EXPORT_SHARE"),
    ],
)
def test_a_bad_rule_is_refused_with_a_message(province, rule, message):
    with pytest.raises(ValidationError, match=message):
        plan_calendar(actor=province, rule=rule)


@freeze_time("2019-02-05 09:00:00+08:00")
def test_the_page_previews_then_creates(client_for, province):
    c = client_for(province)
    form = {
        "year": "2019",
        "months": [str(m) for m in range(1, 13)],
        "opens_day": "1",
        "deadline_day": "10",
        "grace_days": "2",
        "weekend_to_monday": "on",
        "unit_kinds": ["county", "department"],
        "indicators": ["FDI", "EXPORT"],
    }
    preview = c.post("/reporting/calendar/", {**form, "create": "0"})
    assert preview.status_code == 200 and 'id="calendar-preview"' in preview.content.decode()
    assert not ReportingRound.objects.exists()
    assert c.post("/reporting/calendar/", {**form, "create": "1"}).status_code == 302
    assert ReportingRound.objects.count() == 12
    api = c.post("/api/v1/rounds/calendar/plan", {"year": 2019, "indicators": ["FDI"]}, content_type="application/json")
    assert api.status_code == 200 and all(row["exists"] for row in api.json())
