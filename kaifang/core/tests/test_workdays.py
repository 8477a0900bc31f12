"""Working days from chinese-calendar plus the local override table, with hand-worked 2018 dates."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kaifang.audit.models import AuditEvent
from kaifang.core import workdays
from kaifang.core.actors import PlainStringActor, SystemActor
from kaifang.core.workdays import CalendarNotKnown, add_workdays, is_workday, next_workday, workdays_between
from kaifang.project import services

D = datetime.date.fromisoformat
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    workdays.clear_cache()
    yield
    workdays.clear_cache()


def test_2018_national_day_holiday_and_its_two_worked_weekend_days() -> None:
    # 国庆 2018: 1–7 October off; Saturday 29 and Sunday 30 September worked.
    assert is_workday(D("2018-09-29")) and is_workday(D("2018-09-30"))
    assert not any(is_workday(D(f"2018-10-0{d}")) for d in range(1, 8))
    assert is_workday(D("2018-10-08"))
    # Friday 28 September + 1 → Saturday 29; + 2 → Sunday 30; + 3 → Monday 8 October.
    assert add_workdays(D("2018-09-28"), 1) == D("2018-09-29")
    assert add_workdays(D("2018-09-28"), 3) == D("2018-10-08")
    assert add_workdays(D("2018-09-28"), 5) == D("2018-10-10")


def test_2018_spring_festival_holiday_and_its_worked_weekends() -> None:
    # 春节 2018: 15–21 February off; Sunday 11 and Saturday 24 February worked.
    assert is_workday(D("2018-02-11")) and is_workday(D("2018-02-24"))
    assert not is_workday(D("2018-02-15")) and not is_workday(D("2018-02-21"))
    # Friday 9 Feb + 1 → Sunday 11; + 4 → Wednesday 14 (12, 13, 14); + 5 → Thursday 22.
    assert add_workdays(D("2018-02-09"), 1) == D("2018-02-11")
    assert add_workdays(D("2018-02-09"), 4) == D("2018-02-14")
    assert add_workdays(D("2018-02-09"), 5) == D("2018-02-22")
    assert next_workday(D("2018-02-17")) == D("2018-02-22")
    assert workdays_between(D("2018-02-14"), D("2018-02-24")) == 3  # 22, 23, 24


def test_a_local_override_wins_over_the_national_calendar_and_is_audited() -> None:
    assert is_workday(D("2018-07-06"))
    services.set_override(actor=SystemActor("test"), day=D("2018-07-06"), is_workday=False, note="辽政办发〔2018〕1号")
    assert not is_workday(D("2018-07-06"))
    assert add_workdays(D("2018-07-05"), 1) == D("2018-07-09")
    event = AuditEvent.objects.filter(action="core.workday.override").get()
    assert event.after == {"is_workday": False, "note": "辽政办发〔2018〕1号"}
    services.set_override(actor=SystemActor("test"), day=D("2018-07-06"), is_workday=None)
    assert is_workday(D("2018-07-06"))


def test_an_override_needs_its_reason_and_an_admin() -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.set_override(actor=SystemActor("test"), day=D("2018-07-06"), is_workday=False, note=" ")
    with pytest.raises(PlainStringActor):  # a plain string is never trusted
        services.set_override(actor="plain string", day=D("2018-07-06"), is_workday=False, note="x")


def test_a_date_past_the_known_years_is_a_clear_error() -> None:
    last = workdays.KNOWN_LAST_YEAR
    with pytest.raises(CalendarNotKnown) as caught:
        is_workday(datetime.date(last + 1, 3, 2))
    assert f"{last + 1}-03-02" in caught.value.messages[0] and "chinese-calendar" in caught.value.messages[0]
    # An override for that very day is still honoured.
    services.set_override(actor=SystemActor("test"), day=datetime.date(last + 1, 3, 2), is_workday=True, note="预排")
    assert is_workday(datetime.date(last + 1, 3, 2))


def test_cli_records_and_shows_an_override(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("workday_override", "2018-10-08", "--off", "--note", "省内安排")
    assert capsys.readouterr().out.strip() == "2018-10-08 休息"
    call_command("workday_override", "2018-10-08", "--remove")
    assert capsys.readouterr().out.strip() == "2018-10-08 上班"
    with pytest.raises(CommandError, match="日期格式"):
        call_command("workday_override", "8 Oct")
