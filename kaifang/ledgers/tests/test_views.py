"""The ledger pages: a Dalian officer records and moves a lead; other counties see and change nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kaifang.ledgers.models import InvestmentProject, StageChange
from kaifang.ledgers.tests.conftest import move, new_project

pytestmark = pytest.mark.django_db

PAGES = [
    "ledgers:index",
    "ledgers:projects",
    "ledgers:leads",
    "ledgers:stats",
    "ledgers:talents",
    "ledgers:project_new",
]


@pytest.mark.parametrize("name", PAGES)
def test_every_ledger_page_renders_in_chinese_for_a_city_officer(client_for, dalian, name):
    new_project(dalian, name="大连示例线索")
    response = client_for(dalian).get(reverse(name))
    assert response.status_code == 200
    assert "统计口径" in response.content.decode() or name in (
        "ledgers:project_new",
        "ledgers:leads",
        "ledgers:talents",
    )


def test_a_dalian_officer_records_a_lead_and_moves_it_to_signed(client_for, dalian):
    c = client_for(dalian)
    response = c.post(
        reverse("ledgers:project_new"),
        {
            "name": "日本电装零部件扩建项目",
            "investor_name": "株式会社电装",
            "origin": "JP",
            "industry": "C",
            "unit": dalian.unit.pk,
            "agreed_amount": "15000",
            "currency": "CNY",
            "lead_received_on": "2018-07-10",
        },
    )
    project = InvestmentProject.objects.get(name="日本电装零部件扩建项目")
    assert response.status_code == 302
    for action, day in [("negotiate", "2018-07-11"), ("sign", "2018-07-12")]:
        project.refresh_from_db()
        c.post(
            reverse("ledgers:project_act", args=[project.pk]),
            {"op": "move", "action": action, "effective_on": day, "version": project.version, "evidence": "签约仪式"},
        )
    project.refresh_from_db()
    assert project.stage == "signed"
    page = c.get(reverse("ledgers:project", args=[project.pk])).content.decode()
    assert "签约仪式" in page and "首次签约" in page


def test_a_reporter_of_another_city_sees_nothing_of_dalians_projects(client_for, hunnan, dalian):
    project = new_project(dalian, name="大连保密项目")
    c = client_for(hunnan)
    assert c.get(reverse("ledgers:project", args=[project.pk])).status_code == 404
    assert "大连保密项目" not in c.get(reverse("ledgers:index")).content.decode()
    assert "大连保密项目" not in c.get(reverse("ledgers:projects")).content.decode()
    response = c.post(
        reverse("ledgers:project_act", args=[project.pk]),
        {"op": "move", "action": "negotiate", "effective_on": "2018-07-11", "version": project.version},
    )
    assert response.status_code == 404
    assert StageChange.objects.filter(project=project).count() == 1


def test_the_export_holds_only_visible_projects_and_neutralises_formulas(client_for, hunnan, dalian):
    from kaifang.core.spreadsheets import read_workbook

    new_project(dalian, name="大连保密项目")
    new_project(hunnan, unit_code="210112", name='=HYPERLINK("http://x")')
    response = client_for(hunnan).get(reverse("ledgers:export_projects"))
    book = read_workbook(response.content, filename="x.xlsx")
    names = [row[1] for row in book.sheets[0].rows[1:]]
    assert names == ['\'=HYPERLINK("http://x")']


def test_a_leader_sees_the_board_but_gets_no_write_buttons(client_for, leader, dalian):
    project = new_project(dalian)
    page = client_for(leader).get(reverse("ledgers:project", args=[project.pk])).content.decode()
    assert 'name="action"' not in page
    response = client_for(leader).post(
        reverse("ledgers:project_act", args=[project.pk]),
        {"op": "move", "action": "negotiate", "effective_on": "2018-07-11", "version": project.version},
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.stage == "lead"


def test_moved_projects_still_appear_with_history_on_their_page(client_for, dalian):
    project = move(new_project(dalian), ("negotiate", "2018-03-05"))
    page = client_for(dalian).get(reverse("ledgers:project", args=[project.pk])).content.decode()
    assert "在谈" in page and "2018-03-05" in page


def test_an_officer_corrects_the_amount_and_a_stale_form_is_refused(client_for, dalian):
    project = new_project(dalian, amount="8000")
    c = client_for(dalian)
    data = {
        "name": project.name,
        "investor_name": "示例投资有限公司",
        "origin": "JP",
        "industry": "C",
        "agreed_amount": "16000",
        "currency": "CNY",
        "version": project.version,
    }
    assert c.post(reverse("ledgers:project_edit", args=[project.pk]), data).status_code == 302
    project.refresh_from_db()
    assert project.agreed_amount == 16000 and project.unit.code == "210211"
    stale = c.post(reverse("ledgers:project_edit", args=[project.pk]), {**data, "agreed_amount": "1"})
    assert "已被他人修改" in stale.content.decode()
    project.refresh_from_db()
    assert project.agreed_amount == 16000


def test_another_county_cannot_open_the_edit_page(client_for, shenhe, dalian):
    project = new_project(dalian)
    assert client_for(shenhe).get(reverse("ledgers:project_edit", args=[project.pk])).status_code == 404


def test_the_home_page_lists_leads_due_today_for_their_unit_only(client_for, ganjingzi, hunnan):
    import datetime

    new_project(unit_code="210211", received=datetime.date(2018, 7, 13), name="今日到期线索")
    assert "今日到期线索" in client_for(ganjingzi).get("/").content.decode()
    assert "今日到期线索" not in client_for(hunnan).get("/").content.decode()


def test_the_import_page_checks_then_imports_a_file(client_for, dalian):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kaifang.ledgers.tests.test_imports import project_row, workbook

    data = workbook([project_row("W1")])
    c = client_for(dalian)
    dry = c.post(reverse("ledgers:import"), {"file": SimpleUploadedFile("a.xlsx", data), "commit": "0"})
    assert "试导入" in dry.content.decode() and not InvestmentProject.objects.exists()
    done = c.post(reverse("ledgers:import"), {"file": SimpleUploadedFile("a.xlsx", data), "commit": "1"})
    assert done.status_code == 302 and InvestmentProject.objects.filter(external_id="W1").exists()


def test_a_malformed_follow_up_id_is_a_message_not_an_error(client_for, dalian):
    project = new_project(dalian)
    response = client_for(dalian).post(
        reverse("ledgers:project_act", args=[project.pk]), {"op": "follow_status", "item": "abc", "status": "resolved"}
    )
    assert response.status_code == 302
