"""The simulation page, its Excel export, keeping a revision as a draft and putting it in use.

Numbers come from the fixture `sim_versions`; the arithmetic is worked out in test_simulation.py
(沈阳 84.00 4th 良好 → 91.00 3rd 优秀; 大连 92.00 3rd 优秀 → 88.00 4th 良好).
"""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

from kaifang.assessment.models import AssessmentScheme, AssessmentSnapshot
from kaifang.audit.models import AuditEvent

PAGE = "/assessment/schemes/KH-SIM/versions/2/simulate/"


@pytest.fixture(autouse=True)
def demo_today(settings):
    settings.KAIFANG_DEMO_TODAY = "2018-07-05"  # the running period is June 2018


def test_the_province_sees_every_unit_side_by_side_with_the_changes_marked_in_words(sim_versions, client_for, province):
    page = client_for(province).get(PAGE).content.decode()
    assert "模拟测算，不发布、不生效" in page
    assert "2018年1-6月" in page  # no ?period=: the running period the result pages use
    assert "第1版（使用中）" in page and "第2版（草稿）" in page
    blocks = re.findall(r'<tbody class="sim-unit( changed)?" data-unit="(\d+)">', page)
    assert blocks == [("", "210500"), ("", "210300"), (" changed", "210100"), (" changed", "210200"), ("", "210400")]
    assert page.count("▲变化") == 2 + 1  # two flagged units, plus the legend in the summary line
    shenyang = page.split('data-unit="210100"')[1].split('class="sim-detail"')[0]
    assert "84.00" in shenyang and "91.00" in shenyang and "+7.00" in shenyang
    assert "上升1位" in shenyang and "良好 → 优秀" in shenyang
    dalian = page.split('data-unit="210200"')[1].split('class="sim-detail"')[0]
    assert "−4.00" in dalian and "下降1位" in dalian and "优秀 → 良好" in dalian


def test_each_unit_expands_to_every_items_points_and_arithmetic_under_both_versions(sim_versions, client_for, province):
    page = client_for(province).get(PAGE).content.decode()
    detail = page.split('id="detail-210100"')[1].split("</details>")[0]
    # 600/1000 = 60% ÷ 50% = 120%: ×20 = 24.00 (v1), ×30 = 36.00 (v2)
    assert "完成率 600÷1000=60.00%；÷时序进度50.00%=120.00%；×20=24.00" in detail
    assert "完成率 600÷1000=60.00%；÷时序进度50.00%=120.00%；×30=36.00" in detail
    assert "+12.00" in detail and "−5.00" in detail  # 36−24 and 15−20
    assert "仅第1版（使用中）有此项" in detail and "仅第2版（草稿）有此项" in detail
    assert "/indicators/figures/T_FDI/210100/2018-06/" in detail  # the point links to its figure


def test_the_period_and_the_version_compared_with_can_be_chosen(sim_versions, client_for, province):
    page = client_for(province).get(PAGE + "?period=2018-06&base=1").content.decode()
    assert '<option value="2018-06" selected>' in page and '<option value="1" selected>' in page
    bad = client_for(province).get(PAGE + "?period=2017-13", follow=True).content.decode()
    assert "期间应为2018年内的月份" in bad and "2018年1-6月" in bad
    assert client_for(province).get(PAGE + "?base=7").status_code == 404


def test_simulating_publishes_nothing_and_changes_no_scheme(sim_versions, client_for, province):
    before = list(AssessmentScheme.objects.values_list("pk", "status", "version"))
    client_for(province).get(PAGE)
    assert not AssessmentSnapshot.objects.exists()
    assert list(AssessmentScheme.objects.values_list("pk", "status", "version")) == before
    event = AuditEvent.objects.filter(action="assessment.scheme.simulate").get()
    assert (event.after["base"], event.after["candidate"], event.after["period"]) == (1, 2, "2018-06")


@pytest.mark.parametrize("persona", ["shenyang", "hunnan", "dalian", "leader"])
def test_city_officers_reporters_and_leaders_cannot_open_or_export_a_simulation(
    sim_versions, client_for, personas, persona
):
    c = client_for(personas[persona])
    assert c.get(PAGE).status_code == 403
    assert c.get(PAGE + "export/").status_code == 403
    assert c.post("/assessment/schemes/KH-SIM/versions/2/activate/").status_code == 403
    assert "模拟测算" not in c.get("/assessment/schemes/KH-SIM/?v=2").content.decode()
    assert not AuditEvent.objects.filter(
        action__in=["assessment.scheme.simulate", "export.assessment.simulation"]
    ).exists()
    assert AssessmentScheme.objects.get(code="KH-SIM", number=2).status == "draft"


def test_anonymous_visitors_are_sent_to_sign_in(sim_versions, client):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_the_excel_export_holds_the_comparison_and_is_audited(sim_versions, client_for, province):
    response = client_for(province).get(PAGE + "export/?period=2018-06")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["单位对比", "逐项对比", "说明"]
    units = {row[0]: row for row in book["单位对比"].iter_rows(min_row=2, values_only=True)}
    assert units["210100"][1:] == ("沈阳市", 84, 4, "良好", 91, 3, "优秀", 7, "上升1位", "良好→优秀")
    assert units["210300"][1:] == ("鞍山市", 94, 2, "优秀", 94, 2, "优秀", 0, None, None)
    items = [row for row in book["逐项对比"].iter_rows(min_row=2, values_only=True) if row[0] == "沈阳市"]
    assert [(r[1], r[3], r[6], r[8], r[9]) for r in items] == [
        ("实际利用外资", 24, 36, 12, None),
        ("出口额", 20, 15, -5, None),
        ("报送质量", None, 40, None, "仅第2版有此项"),
        ("督办任务", 40, None, None, "仅第1版有此项"),
    ]
    notes = dict(book["说明"].iter_rows(min_row=2, values_only=True))
    assert notes["性质"] == "模拟测算，不发布、不生效" and notes["名次、等次有变化的单位"] == "2"
    exported = AuditEvent.objects.get(action="export.assessment.simulation")
    assert exported.after["rows"] == 5 and exported.after["filters"]["candidate"] == 2


def test_a_draft_version_page_offers_the_simulation_and_activation(sim_versions, client_for, province):
    page = client_for(province).get("/assessment/schemes/KH-SIM/?v=2").content.decode()
    assert 'href="/assessment/schemes/KH-SIM/versions/2/simulate/"' in page and "启用此版本" in page
    in_use = client_for(province).get("/assessment/schemes/KH-SIM/").content.decode()
    assert "启用此版本" not in in_use and "/versions/2/simulate/" in in_use  # the version list links the draft


def test_a_revision_kept_as_a_draft_is_simulated_then_put_in_use(two_cities, client_for, province, shenyang):
    form = {"weight-fdi": "70", "weight-tasks": "30", "reason": "提高利用外资权重", "action": "draft"}
    response = client_for(province).post("/assessment/schemes/KH-TWO/revise/", form)
    assert response.status_code == 302 and response.url == "/assessment/schemes/KH-TWO/?v=2"
    draft = AssessmentScheme.objects.get(code="KH-TWO", number=2)
    assert draft.status == "draft"
    assert AssessmentScheme.objects.get(code="KH-TWO", number=1).status == "active"
    page = client_for(province).get("/assessment/schemes/KH-TWO/versions/2/simulate/").content.decode()
    # 沈阳 450/1000 = 45% ÷ 50% = 90%: ×60 = 54.00 + 40 = 94.00 → ×70 = 63.00 + 30 = 93.00
    shenyang_row = page.split('data-unit="210100"')[1].split('class="sim-detail"')[0]
    assert "94.00" in shenyang_row and "93.00" in shenyang_row and "−1.00" in shenyang_row
    assert client_for(shenyang).post("/assessment/schemes/KH-TWO/versions/2/activate/").status_code == 403
    response = client_for(province).post(
        "/assessment/schemes/KH-TWO/versions/2/activate/", {"version": str(draft.version)}
    )
    assert response.status_code == 302
    assert AssessmentScheme.objects.get(code="KH-TWO", number=2).status == "active"
    assert AssessmentScheme.objects.get(code="KH-TWO", number=1).status == "retired"
    again = client_for(province).post("/assessment/schemes/KH-TWO/versions/2/activate/", follow=True)
    assert "只有草稿版本可以启用" in again.content.decode()


def test_in_english_the_page_says_it_is_only_a_simulation(sim_versions, client_for, province):
    c = client_for(province)
    c.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = c.get(PAGE).content.decode()
    assert "Simulation only: nothing is published, nothing takes effect" in page
    assert "Version 2 (Draft)" in page or "Version 2 (draft)" in page
    assert "up 1" in page and "down 1" in page and "模拟测算，不发布、不生效" not in page
