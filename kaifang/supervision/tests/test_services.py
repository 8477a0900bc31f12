"""Task services: creation, progress reports, splitting, urging, reminders, performance, visibility."""

from __future__ import annotations

import datetime
import subprocess
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kaifang.accounts.models import User
from kaifang.audit.models import AuditEvent
from kaifang.notifications.models import Notification
from kaifang.orgs.models import OrgUnit
from kaifang.supervision import services
from kaifang.supervision.jobs import send_task_reminders
from kaifang.supervision.models import ActionKind, ProgressReport, Task, TaskState
from kaifang.supervision.notices import render_notice_pdf
from kaifang.supervision.selectors import effective_progress, missing_periods_of, task_performance
from kaifang.supervision.tests.factories import make_sub_task, make_task

D = datetime.date
pytestmark = pytest.mark.django_db


def test_a_supervisor_creates_a_draft_with_a_generated_code_milestones_and_an_audit_record(
    province: User, settings: object
) -> None:
    settings.KAIFANG_DEMO_TODAY = "2018-07-05"  # type: ignore[attr-defined]
    first = services.create_task(
        actor=province,
        title="推进跨境电商综试区建设",
        lead_unit="210200",
        co_units=["SWT"],
        deadline=D(2018, 12, 31),
        category="开放平台",
        milestones=[("出台实施方案", D(2018, 8, 31))],
    )
    second = services.create_task(actor=province, title="第二项", lead_unit="SWT", deadline=D(2018, 12, 31))
    assert (first.code, second.code) == ("DB-2018-001", "DB-2018-002")
    assert first.state == TaskState.DRAFT
    assert first.category == "platforms"
    assert list(first.co_units.values_list("code", flat=True)) == ["SWT"]
    assert first.milestones.get().due_date == D(2018, 8, 31)
    assert AuditEvent.objects.filter(action="supervision.task.create", object_id=str(first.pk)).count() == 1


@pytest.mark.parametrize("username", ["hunnan", "swt", "leader", "auditor", "dalian"])
def test_only_province_users_and_the_units_city_may_create_tasks(username: str) -> None:
    user = User.objects.get(username=username)
    with pytest.raises(PermissionDenied):
        services.create_task(actor=user, title="越权立项", lead_unit="210112", deadline=D(2018, 12, 31))
    assert not Task.objects.filter(title="越权立项").exists()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"title": " "}, "title"),
        ({"lead_unit": "210000"}, "lead_unit"),
        ({"co_units": ["210112"]}, "co_units"),
        ({"report_day": 31}, "report_day"),
        ({"milestones": [("晚于时限", D(2019, 1, 1))]}, "milestones"),
        ({"lead_unit": "NOPE"}, "lead_unit"),
    ],
)
def test_bad_task_fields_are_refused_by_field_and_nothing_is_created(
    province: User, kwargs: dict[str, object], field: str
) -> None:
    args: dict[str, object] = {"title": "事项", "lead_unit": "210112", "deadline": D(2018, 12, 31), **kwargs}
    before = Task.objects.count()
    with pytest.raises(ValidationError) as info:
        services.create_task(actor=province, **args)  # type: ignore[arg-type]
    assert field in info.value.message_dict
    assert Task.objects.count() == before


def test_a_progress_report_fills_the_oldest_missing_month_and_starts_the_work(hunnan: User) -> None:
    task = make_task(lead="210112", state=TaskState.ACKNOWLEDGED)
    assert missing_periods_of(task, today=D(2018, 7, 5)) == [D(2018, 5, 1), D(2018, 6, 1)]
    report = services.submit_progress_report(actor=hunnan, task=task, text="完成方案", percent=30, on=D(2018, 7, 5))
    task = Task.objects.get(pk=task.pk)
    assert report.period == D(2018, 5, 1)  # the late May report
    assert (task.state, task.progress) == (TaskState.IN_PROGRESS, 30)
    assert missing_periods_of(task, today=D(2018, 7, 5)) == [D(2018, 6, 1)]


def test_progress_cannot_be_reported_before_acknowledging_nor_by_another_unit(hunnan: User, shenhe: User) -> None:
    task = make_task(lead="210112", state=TaskState.ISSUED)
    with pytest.raises(ValidationError, match="请先签收"):
        services.submit_progress_report(actor=hunnan, task=task, text="x", percent=10)
    Task.objects.filter(pk=task.pk).update(state=TaskState.IN_PROGRESS)
    with pytest.raises(PermissionDenied):
        services.submit_progress_report(actor=shenhe, task=task, text="x", percent=10)
    with pytest.raises(ValidationError) as info:
        services.submit_progress_report(actor=hunnan, task=task, text="", percent=101)
    assert set(info.value.message_dict) == {"text", "percent"}
    assert not ProgressReport.objects.filter(task=task).exists()


def test_a_city_splits_its_task_for_its_counties_and_the_parent_shows_their_progress(
    shenyang: User, hunnan: User, province: User
) -> None:
    parent = make_task(lead="210100", state=TaskState.IN_PROGRESS, title="推进沈阳经济区一体化")
    a = services.split_task(actor=shenyang, parent=parent, lead_unit="210112", on=D(2018, 5, 10))
    b = services.split_task(actor=shenyang, parent=parent, lead_unit="210103", on=D(2018, 5, 10))
    assert (a.code, b.code) == (f"{parent.code}-01", f"{parent.code}-02")
    assert a.state == TaskState.ISSUED and a.issuer_unit.code == "210100"
    services.transition(actor=hunnan, task=a, action="acknowledge")
    services.submit_progress_report(actor=hunnan, task=a, text="推进中", percent=60)
    parent = Task.objects.get(pk=parent.pk)
    assert effective_progress(parent) == 30  # (60 + 0) / 2
    with pytest.raises(ValidationError):  # not a county of 沈阳
        services.split_task(actor=shenyang, parent=parent, lead_unit="210211")
    with pytest.raises(PermissionDenied):  # only the leading city splits
        services.split_task(actor=province, parent=parent, lead_unit="210114")


def test_urges_and_notices_are_logged_notified_and_counted_per_unit(province: User, hunnan: User) -> None:
    task = make_task(lead="210112", state=TaskState.IN_PROGRESS, deadline=D(2018, 6, 30))
    services.urge_task(actor=province, task=task, message="请加快进度", on=D(2018, 6, 20))
    services.urge_task(actor=province, task=task, message="请报送6月进展", on=D(2018, 6, 28))
    notice = services.issue_notice(
        actor=province, task=task, requirement="请书面说明", reply_by=D(2018, 7, 10), on=D(2018, 7, 2)
    )
    assert notice.number == "督办〔2018〕1号"
    assert Notification.objects.filter(recipient=hunnan, kind="task_urged").count() == 2
    assert AuditEvent.objects.filter(action="supervision.task.urge", object_id=str(task.pk)).count() == 2
    counts = task_performance(unit=task.lead_unit, start=D(2018, 1, 1), end=D(2018, 12, 31))
    assert counts["urged"] == 2
    assert counts["notices"] == 1
    other = task_performance(unit=OrgUnit.objects.get(code="210103"), start=D(2018, 1, 1), end=D(2018, 12, 31))
    assert other["urged"] == other["notices"] == 0


def test_only_supervisors_may_urge(hunnan: User, shenyang: User) -> None:
    task = make_task(lead="210112", state=TaskState.IN_PROGRESS)
    for user in (hunnan, shenyang):  # shenyang did not split this one: the province issued it
        with pytest.raises(PermissionDenied):
            services.urge_task(actor=user, task=task, message="催")
    sub = make_sub_task(state=TaskState.IN_PROGRESS)
    assert services.urge_task(actor=shenyang, task=sub, message="请加快").kind == ActionKind.URGE


def test_task_performance_counts_by_hand_worked_example(province: User) -> None:
    unit = OrgUnit.objects.get(code="210112")
    window = {"start": D(2018, 1, 1), "end": D(2018, 7, 5)}
    # On time: claimed 6-28 for a 6-30 deadline, closed. Late: claimed 7-02 for 6-15.
    make_task(lead="210112", state=TaskState.CLOSED, deadline=D(2018, 6, 30), claimed_on=D(2018, 6, 28))
    late = make_task(lead="210112", state=TaskState.CLOSED, deadline=D(2018, 6, 15), claimed_on=D(2018, 7, 2))
    # Still open past its 6-30 deadline, no reports since issue on 4-27: May and June missing.
    make_task(lead="210112", state=TaskState.IN_PROGRESS, deadline=D(2018, 6, 30), report_day=25)
    # Deadline outside the window: not counted as led, but its missing reports are.
    returned = make_task(lead="210112", state=TaskState.COMPLETION_CLAIMED, deadline=D(2018, 12, 31))
    services.transition(actor=province, task=returned, action="return", reason="材料不全", on=D(2018, 7, 3))
    assert task_performance(unit=unit, **window) == {
        "tasks_led": 3,
        "closed_on_time": 1,
        "overdue": 2,
        "urged": 0,
        "notices": 0,
        "returned": 1,
        "missing_reports": 2 + 2 + 2 + 2,  # May and June for each task (closed ones never reported either)
    }
    assert late.claimed_on == D(2018, 7, 2)


def test_the_reminder_job_notifies_once_however_often_it_runs(hunnan: User) -> None:
    make_task(lead="210112", state=TaskState.IN_PROGRESS, deadline=D(2018, 7, 7), report_day=None)
    make_task(lead="210112", state=TaskState.IN_PROGRESS, deadline=D(2018, 7, 1), report_day=None)
    make_task(lead="210112", state=TaskState.ACKNOWLEDGED, deadline=D(2018, 12, 31), report_day=25)
    first = send_task_reminders(today=D(2018, 7, 5))
    second = send_task_reminders(today=D(2018, 7, 5))
    assert (first.due_soon, first.overdue, first.missing_reports) == (1, 1, 2)
    assert (second.due_soon, second.overdue, second.missing_reports) == (0, 0, 0)
    kinds = list(Notification.objects.filter(recipient=hunnan).values_list("kind", flat=True))
    assert sorted(kinds) == ["task_due_soon", "task_overdue", "task_report_missing", "task_report_missing"]


def test_the_supervision_notice_pdf_carries_the_number_title_and_deadline(province: User) -> None:
    task = make_task(lead="210112", state=TaskState.IN_PROGRESS, title="推进跨境电商试点", deadline=D(2018, 6, 30))
    notice = services.issue_notice(actor=province, task=task, requirement="请书面说明", on=D(2018, 7, 2))
    pdf = render_notice_pdf(notice)
    assert pdf.startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    flat = "".join(text.split())
    for expected in ("督办通知单", "督办〔2018〕1号", "推进跨境电商试点", "2018年6月30日", "浑南区", "2018年7月2日"):
        assert expected in flat


def test_a_county_sees_only_the_tasks_it_leads_or_co_leads(hunnan: User, shenhe: User, shenyang: User) -> None:
    led = make_task(lead="210112", state=TaskState.ISSUED)
    co = make_task(lead="SWT", co=("210112",), state=TaskState.ISSUED)
    other = make_task(lead="210103", state=TaskState.ISSUED)
    city = make_task(lead="210100", state=TaskState.ISSUED)
    assert set(Task.objects.visible_to(hunnan)) == {led, co}
    assert set(Task.objects.visible_to(shenhe)) == {other}
    # The city sees its own, its counties' tasks, and the province task its county co-leads.
    assert set(Task.objects.visible_to(shenyang)) == {led, co, other, city}


def test_a_split_task_cannot_be_claimed_while_a_sub_task_is_open(shenyang: User, province: User) -> None:
    parent = make_task(lead="210100", state=TaskState.IN_PROGRESS)
    child = services.split_task(actor=shenyang, parent=parent, lead_unit="210112")
    with pytest.raises(ValidationError, match="子事项尚未全部办结"):
        services.transition(actor=shenyang, task=parent, action="claim")
    Task.objects.filter(pk=child.pk).update(state=TaskState.CLOSED)
    assert services.transition(actor=shenyang, task=parent, action="claim").state == TaskState.COMPLETION_CLAIMED


def test_a_city_issues_tasks_to_its_counties_only_and_verifies_them_itself(
    shenyang: User, hunnan: User, settings: Any
) -> None:
    settings.KAIFANG_TASK_SINGLE_PERSON_OK = True  # a one-person city office (four eyes waived)
    task = services.create_task(
        actor=shenyang, title="落实市政府会议事项", lead_unit="210112", deadline=D(2018, 12, 31)
    )
    assert task.issuer_unit.code == "210100"
    for action in ("review", "issue"):
        task = services.transition(actor=shenyang, task=task, action=action)
    for action in ("acknowledge", "claim"):
        task = services.transition(actor=hunnan, task=task, action=action)
    assert services.transition(actor=shenyang, task=task, action="close").state == TaskState.CLOSED
    for lead in ("210100", "210211", "SWT"):  # itself, another city's county, a provincial department
        with pytest.raises(PermissionDenied):
            services.create_task(actor=shenyang, title="越权", lead_unit=lead, deadline=D(2018, 12, 31))
    with pytest.raises(PermissionDenied):  # a co-unit outside the city
        services.create_task(
            actor=shenyang, title="越权", lead_unit="210112", co_units=["SWT"], deadline=D(2018, 12, 31)
        )
