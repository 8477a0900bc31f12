"""Task pages: what each persona sees and may press; another county sees and changes nothing."""

from __future__ import annotations

import datetime
import io

import pytest
from django.test import Client
from django.urls import reverse

from kaifang.accounts.models import User
from kaifang.supervision.models import ProgressReport, SupervisionAction, Task, TaskState
from kaifang.supervision.tests.factories import make_task

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def demo_day(settings: object) -> None:
    settings.KAIFANG_DEMO_TODAY = "2018-07-05"  # type: ignore[attr-defined]


def url(name: str, task: Task) -> str:
    return reverse(f"supervision:{name}", args=[task.pk])


def test_the_board_shows_tasks_with_their_light_and_the_rule_on_hover(client_for, province: User) -> None:  # type: ignore[no-untyped-def]
    make_task(lead="210112", state=TaskState.IN_PROGRESS, deadline=D(2018, 6, 30), title="已超期的事项")
    page = client_for(province).get(reverse("supervision:board"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "已超期的事项" in html
    assert 'title="已超过办理时限（2018年6月30日）5天' in html


def test_the_board_filters_by_light_and_exports_escaped_excel(client_for, province: User) -> None:  # type: ignore[no-untyped-def]
    import openpyxl

    make_task(lead="210112", state=TaskState.IN_PROGRESS, deadline=D(2018, 6, 30), title='=HYPERLINK("http://x","y")')
    make_task(lead="210103", state=TaskState.DRAFT, title="草稿事项")
    client = client_for(province)
    red = client.get(reverse("supervision:board"), {"light": "red"}).content.decode()
    assert "HYPERLINK" in red and "草稿事项" not in red
    response = client.get(reverse("supervision:export"), {"light": "red"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    assert sheet["B2"].value.startswith("'=HYPERLINK")
    assert sheet["B2"].data_type == "s"
    assert sheet["K2"].data_type == "n"
    assert sheet.max_row == 2


def test_a_county_reporter_lands_on_its_own_tasks_and_sees_only_them(client_for, hunnan: User) -> None:  # type: ignore[no-untyped-def]
    mine = make_task(lead="210112", state=TaskState.ISSUED, title="浑南区的事项")
    make_task(lead="210103", state=TaskState.ISSUED, title="沈河区的事项")
    client = client_for(hunnan)
    assert client.get(reverse("supervision:index")).url == reverse("supervision:mine")
    html = client.get(reverse("supervision:mine")).content.decode()
    assert "浑南区的事项" in html and "沈河区的事项" not in html
    board = client.get(reverse("supervision:board")).content.decode()
    assert "沈河区的事项" not in board
    assert client.get(url("task", mine)).status_code == 200


def test_the_lead_unit_acknowledges_and_reports_through_the_page(client_for, hunnan: User) -> None:  # type: ignore[no-untyped-def]
    task = make_task(lead="210112", state=TaskState.ISSUED)
    client = client_for(hunnan)
    page = client.get(url("task", task)).content.decode()
    assert 'data-action="acknowledge"' in page
    response = client.post(url("transition", task), {"action": "acknowledge", "version": task.version})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.state == TaskState.IN_PROGRESS and task.acknowledged_on is not None  # one step
    response = client.post(
        url("report", task),
        {"version": task.version, "percent": 40, "text": "已完成方案", "problems": "", "help_needed": ""},
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.state, task.progress) == (TaskState.IN_PROGRESS, 40)


def test_a_stale_form_shows_a_clear_message_keeps_the_input_and_changes_nothing(client_for, hunnan: User) -> None:  # type: ignore[no-untyped-def]
    task = make_task(lead="210112", state=TaskState.IN_PROGRESS)
    response = client_for(hunnan).post(
        url("report", task), {"version": task.version - 1, "percent": 55, "text": "我写的进展", "problems": ""}
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "已被他人修改" in html and "本次操作未生效" in html
    assert "我写的进展" in html
    assert not ProgressReport.objects.filter(task=task).exists()


def test_an_illegal_transition_is_a_clear_message_not_an_error_page(client_for, province: User) -> None:  # type: ignore[no-untyped-def]
    task = make_task(lead="210112", state=TaskState.DRAFT)
    response = client_for(province).post(url("transition", task), {"action": "close", "version": task.version})
    assert response.status_code == 400
    assert "不能执行“复核销号”" in response.content.decode()
    assert Task.objects.get(pk=task.pk).state == TaskState.DRAFT


def test_the_supervisor_urges_and_prints_a_notice(client_for, province: User) -> None:  # type: ignore[no-untyped-def]
    task = make_task(lead="210112", state=TaskState.IN_PROGRESS)
    client = client_for(province)
    assert client.post(url("urge", task), {"message": "请加快"}).status_code == 302
    assert client.post(url("notice", task), {"requirement": "请书面说明", "reply_by": "2018-07-10"}).status_code == 302
    notice = SupervisionAction.objects.get(task=task, kind="notice")
    pdf = client.get(reverse("supervision:notice_pdf", args=[notice.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert "请加快" in client.get(url("task", task)).content.decode()


def test_the_supervisor_creates_a_task_through_the_form(client_for, province: User) -> None:  # type: ignore[no-untyped-def]
    client = client_for(province)
    response = client.post(
        reverse("supervision:create"),
        {
            "title": "推进营口港开放",
            "category": "platforms",
            "lead_unit": "210800",
            "co_units": ["SWT"],
            "deadline": "2018-12-31",
            "report_day": 25,
            "source_kind": "meeting",
            "milestones": "出台方案 2018-08-31",
        },
    )
    task = Task.objects.get(title="推进营口港开放")
    assert response.url == url("task", task)
    assert task.milestones.count() == 1
    bad = client.post(reverse("supervision:create"), {"title": "x", "lead_unit": "210800", "milestones": "没有日期"})
    assert bad.status_code == 200 and "2018-08-31" in bad.content.decode()


@pytest.mark.parametrize("name", ["task", "transition", "report", "urge", "notice", "split"])
def test_another_county_sees_and_changes_nothing(client_for, shenhe: User, name: str) -> None:  # type: ignore[no-untyped-def]
    task = make_task(lead="210112", state=TaskState.ISSUED)
    client: Client = client_for(shenhe)
    data = {"action": "acknowledge", "version": task.version, "percent": 10, "text": "x", "message": "x"}
    response = client.get(url(name, task)) if name == "task" else client.post(url(name, task), data)
    assert response.status_code == 404
    fresh = Task.objects.get(pk=task.pk)
    assert (fresh.state, fresh.version) == (TaskState.ISSUED, task.version)
    assert not SupervisionAction.objects.filter(task=task).exists()


def test_a_county_cannot_create_tasks_nor_urge(client_for, hunnan: User) -> None:  # type: ignore[no-untyped-def]
    task = make_task(lead="210112", state=TaskState.IN_PROGRESS)
    client = client_for(hunnan)
    assert client.get(reverse("supervision:create")).status_code == 403
    assert client.post(url("urge", task), {"message": "自己催自己"}).status_code == 403
    assert not SupervisionAction.objects.exists()


def test_the_home_page_shows_what_is_due_this_week(client_for, hunnan: User) -> None:  # type: ignore[no-untyped-def]
    make_task(
        lead="210112", state=TaskState.IN_PROGRESS, deadline=D(2018, 7, 6), title="本周到期的事项", report_day=None
    )
    html = client_for(hunnan).get("/").content.decode()
    assert "本周要办的督办事项" in html and "本周到期的事项" in html and "7月6日到期" in html


def test_a_stale_draft_edit_keeps_the_typing_says_why_and_saves_on_the_second_try(client_for, province: User) -> None:  # type: ignore[no-untyped-def]
    task = make_task(lead="210112", state=TaskState.DRAFT, title="原来的名称")
    Task.objects.filter(pk=task.pk).update(version=task.version + 1)  # someone else saved meanwhile
    form = {"title": "我改的名称", "category": "trade", "lead_unit": "210112", "deadline": "2018-12-31"}
    client = client_for(province)
    first = client.post(url("edit", task), {**form, "version": task.version})
    assert first.status_code == 409
    html = first.content.decode()
    assert "已被他人修改" in html and "我改的名称" in html
    assert Task.objects.get(pk=task.pk).title == "原来的名称"
    second = client.post(url("edit", task), {**form, "version": task.version + 1})
    assert second.status_code == 302
    assert Task.objects.get(pk=task.pk).title == "我改的名称"


def test_only_drafts_are_editable_and_only_by_supervisors(client_for, province: User, hunnan: User) -> None:  # type: ignore[no-untyped-def]
    task = make_task(lead="210112", state=TaskState.ISSUED)
    assert client_for(hunnan).get(url("edit", task)).status_code == 403
    form = {"title": "改", "category": "trade", "lead_unit": "210112", "deadline": "2018-12-31", "version": 1}
    response = client_for(province).post(url("edit", task), form)
    assert response.status_code == 400 and "只有草稿状态" in response.content.decode()


def test_a_unit_page_lists_the_tasks_it_leads_within_the_viewers_scope(
    client_for, shenyang: User, shenhe: User
) -> None:  # type: ignore[no-untyped-def]
    make_task(lead="210112", state=TaskState.IN_PROGRESS, title="浑南区牵头的事项")
    assert "浑南区牵头的事项" in client_for(shenyang).get("/orgs/210112/").content.decode()
    assert client_for(shenhe).get("/orgs/210112/").status_code == 404


def test_attachments_are_optional_checked_and_only_reach_units_in_scope(
    client_for, hunnan: User, shenhe: User, settings, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = str(tmp_path)
    task = make_task(lead="210112", state=TaskState.IN_PROGRESS)
    client = client_for(hunnan)
    fake = SimpleUploadedFile("plan.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    bad = client.post(url("attachment_add", task), {"file": fake})
    assert bad.status_code == 400 and "文件内容与扩展名不符" in bad.content.decode()
    real = SimpleUploadedFile("../../工作方案.pdf", b"%PDF-1.4 demo", content_type="application/pdf")
    assert client.post(url("attachment_add", task), {"file": real}).status_code == 302
    attachment = task.attachments.get()
    assert attachment.name == "工作方案.pdf" and "工作方案" not in str(attachment.file.name)
    download = client.get(reverse("supervision:attachment", args=[task.pk, attachment.pk]))
    assert download.status_code == 200 and download["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in download["Content-Disposition"]
    other = client_for(shenhe).get(reverse("supervision:attachment", args=[task.pk, attachment.pk]))
    assert other.status_code == 404


def test_a_create_form_submitted_twice_creates_one_task(client_for, province: User) -> None:  # type: ignore[no-untyped-def]
    client = client_for(province)
    key = client.get(reverse("supervision:create")).context["form"].initial["request_key"]
    form = {
        "title": "重复提交的事项",
        "category": "trade",
        "lead_unit": "210800",
        "deadline": "2018-12-31",
        "source_kind": "meeting",
        "request_key": key,
    }
    first = client.post(reverse("supervision:create"), form)
    second = client.post(reverse("supervision:create"), form)
    assert first.url == second.url
    assert Task.objects.filter(title="重复提交的事项").count() == 1


def test_a_city_officer_creates_tasks_for_its_counties_through_the_form(client_for, shenyang: User) -> None:  # type: ignore[no-untyped-def]
    client = client_for(shenyang)
    page = client.get(reverse("supervision:create")).content.decode()
    assert 'value="210112"' in page and 'value="210100"' not in page and 'value="210211"' not in page
    form = {"title": "市级交办事项", "category": "trade", "lead_unit": "210112", "deadline": "2018-12-31"}
    client.post(reverse("supervision:create"), {**form, "source_kind": "meeting"})
    task = Task.objects.get(title="市级交办事项")
    assert task.issuer_unit.code == "210100" and task.state == TaskState.DRAFT


def test_the_board_lists_help_requests_within_scope(client_for, hunnan: User, province: User, shenhe: User) -> None:  # type: ignore[no-untyped-def]
    from kaifang.supervision import services

    task = make_task(lead="210112", state=TaskState.IN_PROGRESS)
    services.submit_progress_report(actor=hunnan, task=task, text="推进中", percent=30, help_needed="请协调用地指标")
    assert "请协调用地指标" in client_for(province).get(reverse("supervision:board")).content.decode()
    assert "请协调用地指标" not in client_for(shenhe).get(reverse("supervision:board")).content.decode()
