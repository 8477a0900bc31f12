"""Pages: explorer (with export), catalogue, targets hand-down, history — and another county sees nothing."""

import datetime
import io
from decimal import Decimal as D

import pytest
from python_calamine import CalamineWorkbook

from kaifang.audit.models import AuditEvent
from kaifang.indicators.figures import ValueEntry
from kaifang.indicators.models import DataValue, Indicator, Target
from kaifang.indicators.services import save_values
from kaifang.indicators.services.targets import set_target
from kaifang.indicators.tests.factories import make_indicator, open_figures

pytestmark = pytest.mark.django_db

MAR = datetime.date(2018, 3, 1)


@pytest.fixture
def figures(db, hunnan, shenhe, province):
    export = make_indicator("T_EXPORT", allow_negative=True)  # a net figure: 沈河区 below zero
    months = [datetime.date(2017, 3, 1), *(datetime.date(2018, m, 1) for m in (1, 2, 3))]
    open_figures([export], [hunnan.unit, shenhe.unit], *months)  # the rounds these tests type in
    save_values(actor=hunnan, unit=hunnan.unit, period=MAR, entries=[ValueEntry("T_EXPORT", D("400"))])
    save_values(actor=shenhe, unit=shenhe.unit, period=MAR, entries=[ValueEntry("T_EXPORT", D("-250"))])
    set_target(actor=province, indicator=export, unit=hunnan.unit, year=2018, annual="1800")
    return export


def test_the_city_explorer_lists_counties_with_sums_and_lights(client_for, figures, shenyang):
    page = client_for(shenyang).get("/indicators/?indicator=T_EXPORT&unit=210100&from=2018-01&to=2018-03")
    html = page.content.decode()
    assert page.status_code == 200
    assert "浑南区" in html and "下级汇总" in html and "150.00" in html  # 400 − 250
    assert "light-yellow" in html  # 浑南 22.2% against 25%
    assert "不可比" in html


def test_a_county_reporter_sees_only_itself(client_for, figures, hunnan, shenhe):
    assert client_for(shenhe).get("/indicators/?indicator=T_EXPORT&unit=210112").status_code == 404
    assert client_for(shenhe).get("/indicators/?indicator=T_EXPORT&unit=210100").status_code == 404
    own = client_for(hunnan).get("/indicators/?indicator=T_EXPORT").content.decode()
    assert "400.00" in own and "沈河区" not in own
    value = DataValue.objects.get(unit=hunnan.unit)
    assert client_for(shenhe).get(f"/indicators/values/{value.pk}/history/").status_code == 404
    assert client_for(hunnan).get(f"/indicators/values/{value.pk}/history/").status_code == 200


def test_a_bad_period_shows_a_message_not_an_error(client_for, figures, shenyang):
    page = client_for(shenyang).get("/indicators/?indicator=T_EXPORT&from=2018-13&to=abc")
    assert page.status_code == 200 and "YYYY-MM" in page.content.decode()


def test_excel_export_escapes_formulas_and_is_audited(client_for, figures, shenyang, hunnan):
    unit = hunnan.unit
    unit.name = '=HYPERLINK("http://x")浑南区'
    unit.save()
    response = client_for(shenyang).get(
        "/indicators/export.xlsx?indicator=T_EXPORT&unit=210100&from=2018-01&to=2018-03"
    )
    assert response.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    rows = book.get_sheet_by_index(0).to_python()
    assert rows[1][1] == "【合计】沈阳市" and rows[1][3] == 150
    names = [r[1] for r in rows]
    assert '\'=HYPERLINK("http://x")浑南区' in names
    assert AuditEvent.objects.filter(action="indicators.values.export", actor_username="shenyang").exists()
    assert client_for(hunnan).get("/indicators/export.xlsx?indicator=T_EXPORT&unit=210100").status_code == 404


def test_a_city_hands_down_targets_and_sees_the_difference(client_for, figures, province, shenyang, hunnan, shenhe):
    set_target(actor=province, indicator=figures, unit=shenyang.unit, year=2018, annual="3000")
    c = client_for(shenyang)
    page = c.get("/indicators/targets/?indicator=T_EXPORT&unit=210100&year=2018").content.decode()
    assert "差额" in page and "-1,200.00" in page  # counties 1,800 − city 3,000
    response = c.post(
        "/indicators/targets/",
        {
            "indicator": "T_EXPORT",
            "unit": "210100",
            "year": "2018",
            "t-210103": "1500",
            "v-210103": "",
            "t-210112": "1800",
            "v-210112": "1",
        },
    )
    assert response.status_code == 302
    assert Target.objects.get(unit=shenhe.unit).annual == D("1500")
    page = c.get("/indicators/targets/?indicator=T_EXPORT&unit=210100&year=2018").content.decode()
    assert "+300.00" in page
    # The city cannot change its own target through the form (the input is not even offered).
    c.post("/indicators/targets/", {"indicator": "T_EXPORT", "unit": "210100", "year": "2018", "t-210100": "1"})
    assert Target.objects.get(unit=shenyang.unit).annual == D("3000")


def test_a_stale_target_shows_a_conflict_and_keeps_the_typed_value(client_for, figures, shenyang, province, hunnan):
    page = client_for(shenyang).post(
        "/indicators/targets/",
        {"indicator": "T_EXPORT", "unit": "210100", "year": "2018", "t-210112": "2222", "v-210112": ""},
    )
    html = page.content.decode()
    assert page.status_code == 200 and "已被修改" in html and "2222" in html
    assert Target.objects.get(unit=hunnan.unit).annual == D("1800")


def test_another_county_cannot_see_the_city_targets(client_for, figures, shenhe):
    assert client_for(shenhe).get("/indicators/targets/?unit=210100").status_code == 404


def test_catalogue_pages_and_admin_edit(client_for, figures, admin_user, shenhe):
    assert "出口额" in client_for(shenhe).get("/indicators/catalogue/").content.decode()
    assert client_for(shenhe).get("/indicators/catalogue/T_EXPORT/edit/").status_code == 403
    c = client_for(admin_user)
    indicator = Indicator.objects.get(code="T_EXPORT")
    data = {
        "name": "出口总额",
        "unit_of_measure": "万美元",
        "category": "外贸",
        "direction": "higher",
        "time_aggregation": "flow",
        "reported_as": "ytd",
        "unit_aggregation": "sum",
        "decimals": "2",
        "source": "reported",
        "authority": "customs",
        "formula": "",
        "description": "",
        "is_active": "on",
        "sort_order": "1",
        "version": str(indicator.version),
    }
    assert c.post("/indicators/catalogue/T_EXPORT/edit/", data).status_code == 302
    assert Indicator.objects.get(code="T_EXPORT").name == "出口总额"
    stale = c.post("/indicators/catalogue/T_EXPORT/edit/", {**data, "name": "又改"})
    assert stale.status_code == 200 and "已被他人修改" in stale.content.decode()
    bad = c.post(
        "/indicators/catalogue/new/",
        {**data, "code": "T_BAD", "source": "formula", "formula": "T_EXPORT +", "version": ""},
    )
    assert bad.status_code == 200 and "末尾" in bad.content.decode()


def test_a_county_sees_its_own_months_in_the_explorer(client_for, figures, hunnan):
    save_values(
        actor=hunnan, unit=hunnan.unit, period=datetime.date(2018, 2, 1), entries=[ValueEntry("T_EXPORT", D("250"))]
    )
    html = client_for(hunnan).get("/indicators/?indicator=T_EXPORT&from=2018-01&to=2018-03").content.decode()
    assert "2018年2月" in html and "2018年3月" in html and "150.00" in html  # March: 400 − 250


def test_a_units_page_shows_its_main_indicators_only_to_who_may_see_it(client_for, figures, shenyang, shenhe):
    html = client_for(shenyang).get("/orgs/210112/").content.decode()
    assert "主要指标" in html and "400.00" in html and "light-yellow" in html
    assert client_for(shenhe).get("/orgs/210112/").status_code == 404


def _chart(response):
    import json
    import re

    block = re.search(
        r'<script id="trend-data" type="application/json">(.*?)</script>', response.content.decode(), re.S
    )
    assert block, "the page carries no chart data"
    return json.loads(block.group(1))


def test_the_explorer_chart_draws_months_against_last_year_and_the_time_progress_path(client_for, figures, hunnan):
    jan, feb = datetime.date(2018, 1, 1), datetime.date(2018, 2, 1)
    for period, ytd in ((jan, "120"), (feb, "250")):
        save_values(actor=hunnan, unit=hunnan.unit, period=period, entries=[ValueEntry("T_EXPORT", D(ytd))])
    save_values(
        actor=hunnan, unit=hunnan.unit, period=datetime.date(2017, 3, 1), entries=[ValueEntry("T_EXPORT", D("320"))]
    )
    chart = _chart(client_for(hunnan).get("/indicators/?indicator=T_EXPORT&unit=210112&from=2018-01&to=2018-03"))
    assert chart["months"] == ["1月", "2月", "3月"]
    assert chart["this_year"] == [120.0, 130.0, 150.0]  # the worked example's month values
    assert chart["ytd"] == [120.0, 250.0, 400.0]
    assert chart["last_year"] == [None, None, None]  # 2017 has only a March YTD: its month value is unknown
    assert chart["target_path"] == [150.0, 300.0, 450.0] and chart["phased"] is False  # 1,800 × m/12
    assert chart["phased_to_date"] is None


def test_a_phased_target_is_the_chart_target_path(client_for, figures, province, hunnan):
    monthly = ["100", "200", "350", "500", "650", "800", "950", "1100", "1250", "1400", "1600", "1800"]
    target = Target.objects.get(unit=hunnan.unit, indicator=figures)
    set_target(
        actor=province,
        indicator=figures,
        unit=hunnan.unit,
        year=2018,
        annual="1800",
        monthly=monthly,
        expected_version=target.version,
    )
    page = client_for(hunnan).get("/indicators/?indicator=T_EXPORT&unit=210112&from=2018-01&to=2018-03")
    chart = _chart(page)
    assert chart["target_path"] == [100.0, 200.0, 350.0] and chart["phased"] is True
    html = page.content.decode()
    assert "分月累计目标" in html
    assert "3月累计目标 / 完成" in html and "350.00 / 114.3%" in html  # YTD 400 against the phased 350


def test_the_city_chart_lists_each_county_completion_and_another_county_gets_no_chart(
    client_for, figures, shenyang, shenhe
):
    chart = _chart(client_for(shenyang).get("/indicators/?indicator=T_EXPORT&unit=210100&from=2018-01&to=2018-03"))
    by_name = {c["name"]: c for c in chart["children"]}
    assert by_name["浑南区"] == {  # 400 / 1,800; its own report: neither partial nor missing
        "name": "浑南区",
        "completion": 22.2,
        "light": "yellow",
        "status": "",
        "coverage": "",
    }
    assert by_name["沈河区"]["completion"] is None  # no target
    assert chart["time_progress"] == 25.0
    assert client_for(shenhe).get("/indicators/?indicator=T_EXPORT&unit=210112").status_code == 404
    own = client_for(shenhe).get("/indicators/?indicator=T_EXPORT&from=2018-01&to=2018-03")
    assert "浑南区" not in own.content.decode()
    assert _chart(own)["children"] == []


def test_departments_without_figures_or_targets_are_listed_only_on_request(client_for, figures, province):
    from kaifang.orgs.models import OrgUnit

    department = OrgUnit.objects.get(code="SWT")
    url = "/indicators/?indicator=T_EXPORT&unit=210000&from=2018-01&to=2018-03"
    html = client_for(province).get(url).content.decode()
    assert "沈阳市" in html and department.name not in html.split("<table")[1]  # not a row of the table
    assert "个部门或平台本期既无数据也无目标，未列出" in html
    everything = client_for(province).get(url + "&all=1").content.decode()
    assert department.name in everything.split("<table")[1]
    assert "未列出" not in everything
