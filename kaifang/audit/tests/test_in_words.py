"""The audit page and the inbox speak words, not codes: actions, roles, channels and notice kinds
from the areas' label tables; before → after field by field with values in words."""

from __future__ import annotations

import io

import openpyxl
import pytest

from kaifang import labels
from kaifang.audit.models import AuditEvent
from kaifang.notifications.services import notify
from kaifang.supervision import services
from kaifang.supervision.models import TaskState
from kaifang.supervision.tests.factories import make_task

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def today(settings):  # type: ignore[no-untyped-def]
    settings.KAIFANG_DEMO_TODAY = "2018-07-05"


def test_a_state_change_reads_as_field_old_and_new_value():
    lines = labels.changes(
        "supervision.task.acknowledge",
        {"state": "issued", "version": 2},
        {"state": "acknowledged", "version": 3, "reason": ""},
    )
    assert [(c.field, c.before, c.after) for c in lines] == [("状态", "已下发", "已签收"), ("版本", "2", "3")]


def test_a_new_record_lists_its_fields_and_lists_read_as_lists():
    lines = labels.changes("orgs.group.create", None, {"name": "沿海六市", "members": ["210200", "210600"]})
    assert [(c.field, c.before, c.after) for c in lines] == [
        ("名称", None, "沿海六市"),
        ("成员", None, "210200、210600"),
    ]


def test_codes_become_words_and_unknown_codes_stay_visible():
    assert labels.action_label("supervision.task.acknowledge") == "签收督办事项"
    assert labels.action_label("reporting.submission.submit") == "提交报表"
    assert labels.action_label("export.ledgers.projects") == "导出招商引资项目台账"
    assert labels.action_label("accounts.user.set_role.denied") == "调整角色（被拒绝）"
    assert labels.action_label("something.new") == "something.new"
    assert labels.role_label("city_officer") == "市级管理员"
    assert labels.channel_label("api") == "接口"
    assert (
        labels.notice_label("task_notice") == "督办通知单"
        and labels.notice_label("reporting.submitted") == "报表待审核"
    )


def test_the_audit_page_shows_the_acknowledgement_in_words(client_for, province, hunnan):
    task = make_task(lead="210112", state=TaskState.ISSUED)
    services.transition(actor=hunnan, task=task, action="acknowledge", expected_version=task.version)
    page = client_for(province).get("/audit/?action=supervision.task.acknowledge")
    text = page.content.decode()
    assert page.context["page"].count == 1
    assert ">签收督办事项<" in text and ">填报员<" in text  # the reporter's role, in words
    assert '<span class="old">已下发</span> → <span class="new">办理中</span>' in text
    assert "{&#x27;state&#x27;" not in text and "acknowledged" not in text.replace('title="supervision', "")


def test_the_action_filter_takes_a_whole_area(client_for, province, hunnan):
    task = make_task(lead="210112", state=TaskState.ISSUED)
    services.transition(actor=hunnan, task=task, action="acknowledge", expected_version=task.version)
    listing = client_for(province).get("/audit/?action=supervision.").context["page"]
    assert listing.count == AuditEvent.objects.filter(action__startswith="supervision.").count() >= 2


def test_another_county_cannot_open_the_audit_trail(client_for, hunnan, shenyang):
    assert client_for(hunnan).get("/audit/").status_code == 403
    assert client_for(shenyang).get("/audit/").status_code == 403


def test_the_inbox_shows_notice_kinds_in_words_filters_and_exports_its_own(client_for, hunnan, shenhe):
    for n in range(3):
        notify(recipient=hunnan, kind="task_urged", title=f"催办第{n}次", dedup_key=f"urge-{n}")
    notify(recipient=hunnan, kind="reporting.returned", title="6月报表被退回", dedup_key="ret")
    c = client_for(hunnan)
    page = c.get("/notifications/")
    text = page.content.decode()
    assert page.context["page"].count == 4
    assert ">催办<" in text and ">报表被退回<" in text and ">task_urged<" not in text
    assert c.get("/notifications/?kind=task_urged").context["page"].count == 3
    assert c.get("/notifications/?kind=task_urged&q=第1").context["page"].count == 1  # they combine
    sheet = openpyxl.load_workbook(io.BytesIO(c.get("/notifications/export.xlsx?kind=task_urged").content))
    assert [r[1] for r in sheet.worksheets[0].iter_rows(min_row=2, values_only=True)] == ["催办"] * 3
    assert AuditEvent.objects.filter(action="export.notifications.inbox").latest("id").after["rows"] == 3
    other = client_for(shenhe)
    assert other.get("/notifications/").context["page"].count == 0  # a person's inbox is theirs alone
    assert other.get("/notifications/?kind=task_urged").context["page"].count == 0
