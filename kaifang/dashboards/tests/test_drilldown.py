"""Cockpit drill-down: each unit's page is about that unit, with the way back up; warnings list only rows
that read as warnings, their gaps in the indicator's unit of measure."""

from __future__ import annotations

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

from kaifang.assessment.forecast import Forecast
from kaifang.assessment.tests.conftest import two_cities  # noqa: F401 (fixture)
from kaifang.dashboards import selectors

JUNE = datetime.date(2018, 6, 1)


@pytest.fixture(autouse=True)
def demo_today(settings):
    settings.KAIFANG_DEMO_TODAY = "2018-07-05"


def _forecast(unit, indicator, target: str, forecast: str) -> Forecast:
    t, f = Decimal(target), Decimal(forecast)
    return Forecast(
        unit=unit, indicator=indicator, period=JUNE, ytd=None, target=t, completion=f / t, time_progress=Decimal("0.5"),
        light="yellow", share=Decimal("0.5"), curve="", forecast=f, forecast_completion=f / t,
    )  # fmt: skip


def test_a_warning_row_appears_only_when_it_reads_as_a_warning(monkeypatch):
    fdi = SimpleNamespace(code="T_FDI", name="实际利用外资", unit_of_measure="万美元", decimals=0)
    firms = SimpleNamespace(code="T_FIRMS", name="外商投资新设企业数", unit_of_measure="个", decimals=0)
    a, b, c, d = (SimpleNamespace(code=str(n), display_name=f"单位{n}") for n in range(4))
    rows = {
        "T_FDI": [
            _forecast(a, fdi, "10000", "9000"),  # 90.0%, gap 1,000 万美元: a warning
            _forecast(b, fdi, "10000", "9999.6"),  # 99.996% shows as 100.0%: not a warning as read
            _forecast(c, fdi, "100000", "99999.7"),  # 99.9997% → 100.0%, gap 0.3 → "0": not listed
        ],
        "T_FIRMS": [_forecast(d, firms, "40", "38")],  # 95.0%, 2 个 short
    }
    monkeypatch.setattr(selectors, "map_children", lambda unit, period: [a, b, c, d])
    monkeypatch.setattr(selectors, "card_indicators", lambda year: [fdi, firms])
    monkeypatch.setattr(selectors, "forecasts", lambda indicator, children, period: rows[indicator.code])
    listed = selectors.warning_rows(None, JUNE)  # type: ignore[arg-type]
    shown = [(r["unit"].code, r["forecast"], r["gap"], r["indicator"].unit_of_measure) for r in listed]
    assert shown == [("0", "90.0%", "1,000", "万美元"), ("3", "95.0%", "2", "个")]


def test_each_unit_page_names_the_unit_on_every_panel_with_the_way_back(two_cities, client_for, province, shenyang):  # noqa: F811
    county = client_for(province).get("/dashboards/units/210112/?period=2018-06").content.decode()
    crumbs = county.split('class="breadcrumb cockpit-crumbs"')[1].split("</nav>")[0]
    assert "/dashboards/units/210000/?period=2018-06" in crumbs and "/dashboards/units/210100/?period=2018-06" in crumbs
    assert 'aria-current="page">浑南区<' in crumbs
    for panel in ('id="trend-title">浑南区 · ', "浑南区 · 督办事项", "浑南区 · 预警"):
        assert panel in county
    # The city officer's way back starts at the city: the province is not theirs to open.
    from_city = client_for(shenyang).get("/dashboards/units/210112/").content.decode()
    crumbs = from_city.split('class="breadcrumb cockpit-crumbs"')[1].split("</nav>")[0]
    assert "/dashboards/units/210100/" in crumbs and "/dashboards/units/210000/" not in crumbs
    # The province's own page has no way back up.
    assert "cockpit-crumbs" not in client_for(province).get("/dashboards/").content.decode()
