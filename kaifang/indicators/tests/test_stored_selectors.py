"""The stored rows other areas read: only the units, indicators and months asked for, keyed as the
callers use them, with the version and author an import compares against."""

import datetime
from decimal import Decimal as D

import pytest

from kaifang.indicators.figures import ValueEntry
from kaifang.indicators.selectors import annual_targets, stored_entries, stored_figures, stored_rows
from kaifang.indicators.services import save_values
from kaifang.indicators.services.targets import set_target
from kaifang.indicators.tests.factories import make_indicator, open_figures

pytestmark = pytest.mark.django_db

JAN, FEB, MAR = (datetime.date(2018, m, 1) for m in (1, 2, 3))


@pytest.fixture
def typed(hunnan, shenhe):
    """浑南区 types 出口额 (year to date) 120, 250, 400 and FDI 10 in March; 沈河区 types 出口额 70 in February."""
    export = make_indicator()
    fdi = make_indicator("T_FDI", name="实际利用外资", reported_as="period")
    open_figures([export, fdi], ["210112", "210103"], JAN, FEB, MAR)
    for period, ytd in ((JAN, "120"), (FEB, "250"), (MAR, "400")):
        save_values(actor=hunnan, unit=hunnan.unit, period=period, entries=[ValueEntry("T_EXPORT", D(ytd))])
    save_values(actor=hunnan, unit=hunnan.unit, period=MAR, entries=[ValueEntry("T_FDI", D("10"), "新签")])
    save_values(actor=shenhe, unit=shenhe.unit, period=FEB, entries=[ValueEntry("T_EXPORT", D("70"))])
    return export, fdi


def test_stored_figures_are_only_the_units_indicators_and_months_asked_for(typed, hunnan, shenhe):
    export, fdi = typed
    got = stored_figures(units=[hunnan.unit], indicators=[export], periods=[FEB, MAR])
    # 250 − 120 = 130 in February, 400 − 250 = 150 in March
    assert sorted((f.period, f.reported, f.month_value, f.ytd_value) for f in got) == [
        (FEB, D("250"), D("130"), D("250")),
        (MAR, D("400"), D("150"), D("400")),
    ]
    assert {(f.unit_id, f.period) for f in stored_figures(indicators=[export])} == {
        (hunnan.unit.pk, JAN),
        (hunnan.unit.pk, FEB),
        (hunnan.unit.pk, MAR),
        (shenhe.unit.pk, FEB),
    }
    assert [
        (f.indicator_id, f.comment)
        for f in stored_figures(units=[hunnan.unit.pk], periods=[MAR])
        if f.indicator_id == fdi.pk
    ] == [(fdi.pk, "新签")]


def test_stored_entries_are_keyed_by_codes_with_version_and_author(typed, hunnan, shenhe):
    save_values(
        actor=hunnan, unit=hunnan.unit, period=MAR, entries=[ValueEntry("T_EXPORT", D("410"), expected_version=1)]
    )
    got = stored_entries(units=[hunnan.unit, shenhe.unit], period=MAR)
    assert set(got) == {("210112", "T_EXPORT"), ("210112", "T_FDI")}
    entry = got[("210112", "T_EXPORT")]
    assert (entry.reported, entry.version, entry.updated_by) == (D("410"), 2, "hunnan")
    assert set(stored_entries(units=[hunnan.unit], period=MAR, indicators=[typed[1]])) == {("210112", "T_FDI")}


def test_stored_rows_come_with_their_history_newest_first(typed, hunnan):
    export, _fdi = typed
    save_values(
        actor=hunnan, unit=hunnan.unit, period=MAR, entries=[ValueEntry("T_EXPORT", D("410"), expected_version=1)]
    )
    (row,) = stored_rows(units=[hunnan.unit], indicators=[export], periods=[MAR], history=True)
    assert [(h.old_reported, h.new_reported) for h in row.history.all()] == [(D("400"), D("410")), (None, D("400"))]


def test_annual_targets_are_the_units_own_for_the_year(typed, province, shenyang, hunnan):
    export, fdi = typed
    set_target(actor=shenyang, indicator=export, unit=hunnan.unit, year=2018, annual="1800")
    set_target(actor=shenyang, indicator=export, unit=hunnan.unit, year=2019, annual="2000")
    set_target(actor=province, indicator=export, unit=shenyang.unit, year=2018, annual="3000")
    assert annual_targets(unit=hunnan.unit, year=2018, indicators=[export, fdi]) == {export.pk: D("1800")}
