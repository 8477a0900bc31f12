"""save_values: all or nothing, stale versions, history, exact YTD recomputation, idempotent retries."""

import datetime
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kaifang.audit.models import AuditEvent
from kaifang.audit.services import verify_chain
from kaifang.core.actors import SystemActor
from kaifang.core.context import change_context
from kaifang.indicators.figures import StaleValues, ValueEntry
from kaifang.indicators.models import DataValue, DataValueHistory
from kaifang.indicators.services import save_many, save_values, set_computed_values
from kaifang.indicators.tests.factories import make_indicator, open_figures

pytestmark = pytest.mark.django_db

JAN, FEB, MAR, APR = (datetime.date(2018, m, 1) for m in (1, 2, 3, 4))


@pytest.fixture(autouse=True)
def rounds_open(db):
    """January to April 2018 are open for the counties these tests type for (as rounds would be);
    windows and locks themselves are tested in test_windows.py."""
    indicators = [make_indicator(), make_indicator("T_FDI", name="实际利用外资", reported_as="period")]
    open_figures(indicators, ["210112", "210103", "210211"], JAN, FEB, MAR, APR)


def row(indicator, unit, period):
    return DataValue.objects.get(indicator=indicator, unit=unit, period=period)


def test_ytd_reported_values_give_the_worked_example_month_values(hunnan):
    export = make_indicator()
    for period, ytd in ((JAN, "120"), (FEB, "250"), (MAR, "400")):
        save_values(actor=hunnan, unit=hunnan.unit, period=period, entries=[ValueEntry("T_EXPORT", D(ytd))])
    months = [row(export, hunnan.unit, p).month_value for p in (JAN, FEB, MAR)]
    assert months == [D("120"), D("130"), D("150")]
    assert row(export, hunnan.unit, MAR).ytd_value == D("400")


def test_correcting_february_ytd_recomputes_march_month_value_exactly(hunnan):
    export = make_indicator()
    for period, ytd in ((JAN, "120"), (FEB, "250"), (MAR, "400")):
        save_values(actor=hunnan, unit=hunnan.unit, period=period, entries=[ValueEntry("T_EXPORT", D(ytd))])
    save_values(
        actor=hunnan, unit=hunnan.unit, period=FEB, entries=[ValueEntry("T_EXPORT", D("260.15"), expected_version=1)]
    )
    assert row(export, hunnan.unit, FEB).month_value == D("140.15")
    assert row(export, hunnan.unit, MAR).month_value == D("139.85")  # 400 − 260.15
    assert row(export, hunnan.unit, MAR).ytd_value == D("400")


def test_period_reported_flow_keeps_later_ytds_in_line(hunnan):
    fdi = make_indicator("T_FDI", name="实际利用外资", reported_as="period")
    for period, value in ((JAN, "10.5"), (FEB, "20"), (MAR, "30.25")):
        save_values(actor=hunnan, unit=hunnan.unit, period=period, entries=[ValueEntry("T_FDI", D(value))])
    assert row(fdi, hunnan.unit, MAR).ytd_value == D("60.75")
    save_values(actor=hunnan, unit=hunnan.unit, period=JAN, entries=[ValueEntry("T_FDI", D("11"), expected_version=1)])
    assert [row(fdi, hunnan.unit, p).ytd_value for p in (JAN, FEB, MAR)] == [D("11"), D("31"), D("61.25")]


def test_a_stale_version_applies_nothing_and_names_the_current_value(hunnan, shenyang):
    make_indicator()
    open_figures([make_indicator("T_IMPORT", name="进口额")], [hunnan.unit], JAN)
    save_values(actor=hunnan, unit=hunnan.unit, period=JAN, entries=[ValueEntry("T_EXPORT", D("120"))])
    save_values(
        actor=shenyang, unit=hunnan.unit, period=JAN, entries=[ValueEntry("T_EXPORT", D("125"), expected_version=1)]
    )
    with pytest.raises(StaleValues) as caught:
        save_values(
            actor=hunnan,
            unit=hunnan.unit,
            period=JAN,
            entries=[ValueEntry("T_IMPORT", D("80")), ValueEntry("T_EXPORT", D("121"), expected_version=1)],
        )
    assert caught.value.code == "stale"
    [conflict] = caught.value.conflicts
    assert (conflict.indicator_code, conflict.current_value, conflict.current_version) == ("T_EXPORT", D("125"), 2)
    assert conflict.your_value == D("121")
    assert "125" in caught.value.messages[0]
    assert not DataValue.objects.filter(indicator__code="T_IMPORT").exists()  # nothing applied


def test_expecting_no_value_when_one_exists_is_stale(hunnan, shenyang):
    make_indicator()
    save_values(actor=shenyang, unit=hunnan.unit, period=JAN, entries=[ValueEntry("T_EXPORT", D("120"))])
    with pytest.raises(StaleValues):
        save_values(actor=hunnan, unit=hunnan.unit, period=JAN, entries=[ValueEntry("T_EXPORT", D("99"))])


def test_a_retried_save_applies_once(hunnan):
    make_indicator()
    entries = [ValueEntry("T_EXPORT", D("120"), comment="海关口径")]
    save_values(actor=hunnan, unit=hunnan.unit, period=JAN, entries=entries)
    events = AuditEvent.objects.filter(action="indicators.values.save").count()
    [value] = save_values(actor=hunnan, unit=hunnan.unit, period=JAN, entries=entries)
    assert value.version == 1
    assert DataValueHistory.objects.filter(value=value).count() == 1
    assert AuditEvent.objects.filter(action="indicators.values.save").count() == events


def test_every_change_is_in_history_with_channel_and_in_the_audit_trail(hunnan):
    make_indicator()
    with change_context(channel="web"):
        save_values(actor=hunnan, unit=hunnan.unit, period=JAN, entries=[ValueEntry("T_EXPORT", D("120"))])
    with change_context(channel="api"):
        [value] = save_values(
            actor=hunnan, unit=hunnan.unit, period=JAN, entries=[ValueEntry("T_EXPORT", D("121"), expected_version=1)]
        )
    history = list(DataValueHistory.objects.filter(value=value).order_by("at", "id"))
    assert [(h.old_reported, h.new_reported, h.channel, h.version) for h in history] == [
        (None, D("120"), "web", 1),
        (D("120"), D("121"), "api", 2),
    ]
    event = AuditEvent.objects.filter(action="indicators.values.save").latest("id")
    assert event.before == {"T_EXPORT": "120"} and event.after == {"T_EXPORT": "121"}
    assert event.actor_username == "hunnan" and event.channel == "api"


def test_another_county_cannot_write(shenhe, hunnan, leader):
    make_indicator()
    for actor in (shenhe, leader):
        with pytest.raises(PermissionDenied):
            save_values(actor=actor, unit=hunnan.unit, period=JAN, entries=[ValueEntry("T_EXPORT", D("1"))])
    assert not DataValue.objects.exists()


def test_ledger_and_formula_indicators_are_refused(hunnan):
    make_indicator("T_SIGNED", name="新签约亿元以上项目数", source="ledger", unit_of_measure="个")
    make_indicator("T_SHARE", name="出口占比", source="formula", formula="share(T_EXPORT, T_TRADE)")
    with pytest.raises(ValidationError) as caught:
        save_values(
            actor=hunnan,
            unit=hunnan.unit,
            period=JAN,
            entries=[ValueEntry("T_SIGNED", D("3")), ValueEntry("T_SHARE", D("0.5"))],
        )
    assert "台账生成" in " ".join(caught.value.messages)
    assert "公式计算" in " ".join(caught.value.messages)


@pytest.mark.parametrize("raw", ["abc", "1.23456", "1e20", "NaN"])
def test_bad_figures_are_refused_with_a_message(hunnan, raw):
    make_indicator()
    with pytest.raises(ValidationError):
        save_values(actor=hunnan, unit=hunnan.unit, period=JAN, entries=[ValueEntry("T_EXPORT", raw)])  # type: ignore[arg-type]


def test_period_must_be_first_of_month(hunnan):
    make_indicator()
    with pytest.raises(ValidationError):
        save_values(
            actor=hunnan, unit=hunnan.unit, period=datetime.date(2018, 1, 5), entries=[ValueEntry("T_EXPORT", D("1"))]
        )


def test_clearing_a_value_keeps_its_history_and_recomputes(hunnan):
    export = make_indicator()
    for period, ytd in ((JAN, "120"), (FEB, "250"), (MAR, "400")):
        save_values(actor=hunnan, unit=hunnan.unit, period=period, entries=[ValueEntry("T_EXPORT", D(ytd))])
    save_values(actor=hunnan, unit=hunnan.unit, period=FEB, entries=[ValueEntry("T_EXPORT", None, expected_version=1)])
    assert row(export, hunnan.unit, FEB).reported is None
    assert row(export, hunnan.unit, MAR).month_value is None  # unknown without February's YTD
    assert row(export, hunnan.unit, MAR).ytd_value == D("400")


def test_computed_values_are_written_with_history(ganjingzi):
    signed = make_indicator("T_SIGNED", name="新签约亿元以上项目数", source="ledger", reported_as="period")
    unit = ganjingzi.unit
    assert (
        set_computed_values(
            actor=SystemActor("system"), indicator=signed, rows=[(unit, JAN, D("2")), (unit, FEB, D("3"))]
        )
        == 2
    )
    assert set_computed_values(actor=SystemActor("system"), indicator=signed, rows=[(unit, FEB, D("3"))]) == 0
    assert row(signed, unit, FEB).ytd_value == D("5")
    assert DataValueHistory.objects.filter(value__indicator=signed).count() == 2
    with pytest.raises(ValidationError):
        set_computed_values(actor=SystemActor("system"), indicator=make_indicator(), rows=[(unit, JAN, D("1"))])


def test_a_figure_with_more_significant_digits_than_both_databases_keep_is_refused(hunnan):
    make_indicator()
    with pytest.raises(ValidationError) as exc:
        save_values(
            actor=hunnan, unit=hunnan.unit, period=JAN, entries=[ValueEntry("T_EXPORT", D("123456789012.3456"))]
        )
    assert "有效数字最多 15 位" in str(exc.value)
    saved = save_values(
        actor=hunnan, unit=hunnan.unit, period=JAN, entries=[ValueEntry("T_EXPORT", D("12345678901.2345"))]
    )
    assert row(saved[0].indicator, hunnan.unit, JAN).reported == D("12345678901.2345")  # 15 digits come back intact


def test_save_many_writes_every_unit_with_history_and_one_chained_audit_event_each(shenyang, hunnan, shenhe):
    make_indicator()
    make_indicator("T_FDI", name="实际利用外资", reported_as="period")
    save_values(actor=hunnan, unit=hunnan.unit, period=JAN, entries=[ValueEntry("T_EXPORT", D("100"))])
    start = AuditEvent.objects.order_by("-id").first().pk
    with change_context(channel="import"):
        saved = save_many(
            actor=shenyang,
            period=FEB,
            batches=[
                (hunnan.unit, [ValueEntry("T_EXPORT", D("250")), ValueEntry("T_FDI", D("7.5"))]),
                (shenhe.unit, [ValueEntry("T_EXPORT", D("40"))]),
            ],
        )
    assert [[r.indicator.code for r in rows] for rows in saved] == [["T_EXPORT", "T_FDI"], ["T_EXPORT"]]
    assert saved[0][0].month_value == D("150") and saved[0][0].ytd_value == D("250")  # 250 − January's 100
    assert row(saved[0][0].indicator, hunnan.unit, FEB).month_value == D("150")
    events = list(AuditEvent.objects.filter(pk__gt=start, action="indicators.values.save").order_by("id"))
    assert [e.unit_id for e in events] == [hunnan.unit.pk, shenhe.unit.pk]
    assert events[0].after == {"T_EXPORT": "250", "T_FDI": "7.5"} and events[0].channel == "import"
    assert DataValueHistory.objects.filter(value__period=FEB, channel="import").count() == 3
    count, problems = verify_chain()
    assert problems == [] and count >= 2


def test_save_many_applies_nothing_when_one_unit_has_a_stale_version_and_names_that_unit(shenyang, hunnan, shenhe):
    make_indicator()
    save_values(actor=shenhe, unit=shenhe.unit, period=JAN, entries=[ValueEntry("T_EXPORT", D("10"))])
    save_values(
        actor=shenyang, unit=shenhe.unit, period=JAN, entries=[ValueEntry("T_EXPORT", D("11"), expected_version=1)]
    )
    with pytest.raises(StaleValues) as exc:
        save_many(
            actor=shenyang,
            period=JAN,
            batches=[
                (hunnan.unit, [ValueEntry("T_EXPORT", D("99"))]),
                (shenhe.unit, [ValueEntry("T_EXPORT", D("12"), expected_version=1)]),  # it is at version 2
            ],
        )
    assert "沈河区·出口额" in str(exc.value) and exc.value.conflicts[0].unit_name == "沈河区"
    assert not DataValue.objects.filter(unit=hunnan.unit).exists()  # the other unit got nothing either
    assert DataValue.objects.get(unit=shenhe.unit).reported == D("11")  # and the stale one kept its figure


def test_save_many_refuses_a_batch_with_a_unit_outside_the_users_scope_before_writing(hunnan, shenhe):
    make_indicator()
    with pytest.raises(PermissionDenied):
        save_many(
            actor=hunnan,
            period=JAN,
            batches=[(hunnan.unit, [ValueEntry("T_EXPORT", D("1"))]), (shenhe.unit, [ValueEntry("T_EXPORT", D("2"))])],
        )
    assert not DataValue.objects.exists()


def test_save_many_collects_every_units_bad_figures_in_one_error(shenyang, hunnan, shenhe):
    make_indicator()
    with pytest.raises(ValidationError) as exc:
        save_many(
            actor=shenyang,
            period=JAN,
            batches=[(hunnan.unit, [ValueEntry("T_EXPORT", "abc")]), (shenhe.unit, [ValueEntry("T_NOPE", D("2"))])],
        )
    assert exc.value.messages == ["浑南区：出口额：“abc”不是数字。", "沈河区：未知指标代码：T_NOPE。"]
    assert not DataValue.objects.exists()
