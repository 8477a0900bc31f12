"""Every figure says where it comes from: a ledger-counted figure is 来自台账 (linked to its ledger
rows), never 本级填报, and each figure's tooltip names the source department and how it was reported."""

import datetime
import re
from decimal import Decimal as D

import pytest
from django.utils import translation

from kaifang.core.actors import SystemActor
from kaifang.indicators.figures import ValueEntry
from kaifang.indicators.services import save_values
from kaifang.indicators.services.computed import set_computed_values
from kaifang.indicators.tests.factories import make_indicator, open_figures

pytestmark = pytest.mark.django_db

JUN = datetime.date(2018, 6, 1)


@pytest.fixture
def signed(db, hunnan, shenhe):
    """New projects signed, counted from the ledgers: 浑南区 3 in June, 沈河区 1, 沈阳市 4 (its own total)."""
    indicator = make_indicator(
        "T_SIGNED",
        name="新签约亿元以上项目数",
        unit_of_measure="个",
        source="ledger",
        authority="self",
        reported_as="period",
        decimals=0,
    )
    rows = [(hunnan.unit, JUN, D(3)), (shenhe.unit, JUN, D(1)), (hunnan.unit.parent, JUN, D(4))]
    set_computed_values(actor=SystemActor("test"), indicator=indicator, rows=rows)
    return indicator


@pytest.fixture
def typed(db, hunnan):
    indicator = make_indicator("T_EXPORT")  # 出口额, customs, typed by the unit
    open_figures([indicator], [hunnan.unit], JUN)
    save_values(actor=hunnan, unit=hunnan.unit, period=JUN, entries=[ValueEntry("T_EXPORT", D("400"))])
    return indicator


def cells_of(html: str, unit_name: str) -> str:
    row = re.search(r"<tr[^>]*>\s*<td>(?:<a[^>]*>)?" + unit_name + r".*?</tr>", html, re.S)
    assert row, unit_name
    return row.group(0)


def test_ledger_figures_are_from_the_ledger_with_a_link_to_their_rows(client_for, signed, shenyang):
    html = (
        client_for(shenyang).get("/indicators/?indicator=T_SIGNED&unit=210100&from=2018-06&to=2018-06").content.decode()
    )
    hunnan_row = cells_of(html, "浑南区")
    assert "来自台账" in hunnan_row and "本级填报" not in hunnan_row
    assert 'href="/ledgers/projects/?unit=210112&amp;sort=signed"' in hunnan_row
    assert 'title="来源：本单位 · 来自台账"' in hunnan_row  # the row's tooltip: department · how reported
    total = re.search(r"<tfoot>.*?</tfoot>", html, re.S).group(0)  # type: ignore[union-attr]
    assert "来自台账" in total and "/ledgers/projects/?unit=210100" in total


def test_a_typed_figure_stays_reported_by_the_unit_and_names_its_department(client_for, typed, hunnan):
    html = client_for(hunnan).get("/indicators/?indicator=T_EXPORT&from=2018-06&to=2018-06").content.decode()
    table = re.search(r"<table class=\"table values\">.*?</table>", html, re.S).group(0)  # type: ignore[union-attr]
    assert "来自台账" not in table and "ledger-rows" not in table
    assert 'title="来源：海关 · 本级填报"' in html


def test_the_tooltip_in_english(client_for, signed, shenyang):
    c = client_for(shenyang)
    c.cookies["django_language"] = "en"
    html = c.get("/indicators/?indicator=T_SIGNED&unit=210100&from=2018-06&to=2018-06").content.decode()
    assert 'title="Source: Own unit · From ledger"' in html
    translation.activate("zh-hans")


def test_the_cockpit_cards_carry_the_provenance(client_for, typed, signed, hunnan, province):
    from kaifang.indicators.services.targets import set_target

    set_target(actor=province, indicator=typed, unit=hunnan.unit, year=2018, annual="1600")
    set_target(actor=province, indicator=signed, unit=hunnan.unit, year=2018, annual="10")
    html = client_for(hunnan).get("/dashboards/?period=2018-06").content.decode()
    assert 'title="来源：海关 · 本级填报"' in html
    assert 'title="来源：本单位 · 来自台账"' in html


def test_another_county_sees_no_figure_of_hunnan(client_for, signed, shenhe):
    assert client_for(shenhe).get("/indicators/?indicator=T_SIGNED&unit=210112").status_code == 404
    own = client_for(shenhe).get("/indicators/?indicator=T_SIGNED&from=2018-06&to=2018-06").content.decode()
    assert "浑南区" not in own and "unit=210112" not in own
