"""The figure's one door: write windows, locks that hold through derived months, the sign rule and
the correction bypass — on the service and on `POST /api/v1/values`. (The reporting paths — form,
submission API, Excel import, CLI — and the round lifecycle are in kaifang/reporting/tests/
test_windows.py; the ledger push in kaifang/ledgers/tests/test_derived.py.)"""

import datetime
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kaifang.audit.models import AuditEvent
from kaifang.core.actors import SystemActor
from kaifang.indicators.figures import FiguresRefused, StaleValues, ValueEntry
from kaifang.indicators.models import DataValue, FigureWindow, Indicator
from kaifang.indicators.services import save_many, save_values
from kaifang.indicators.services.windows import lock_windows, open_windows, reopen_windows
from kaifang.indicators.tests.factories import make_indicator, open_figures
from kaifang.orgs.models import OrgUnit

pytestmark = pytest.mark.django_db

TEST = SystemActor(name="test")
MAR, MAY, JUNE = (datetime.date(2018, m, 1) for m in (3, 5, 6))
JUNE_2017 = datetime.date(2017, 6, 1)
HEPING = "210102"  # 和平区, 沈阳市


def unit(code: str) -> OrgUnit:
    return OrgUnit.objects.get(code=code)


def value(code: str, unit_code: str, period: datetime.date) -> tuple[D | None, D | None, D | None]:
    row = DataValue.objects.get(indicator__code=code, unit__code=unit_code, period=period)
    return row.reported, row.month_value, row.ytd_value


def lock(unit_code: str, period: datetime.date, *codes: str, reason: str = "已审核") -> None:
    indicators = [Indicator.objects.get(code=c) for c in codes]
    lock_windows(actor=TEST, units=[unit(unit_code)], indicators=indicators, period=period, reason=reason)


def post(client, unit_code: str, period: str, entries: list[dict]):  # type: ignore[no-untyped-def]
    body = {"unit": unit_code, "period": period, "entries": entries}
    return client.post("/api/v1/values", body, content_type="application/json")


@pytest.fixture
def export(db):
    """出口额: a flow reported year to date (万美元)."""
    return make_indicator("T_EXPORT")


@pytest.fixture
def heping_may_and_june(export, shenyang):
    """和平区 reports 出口额 YTD: May 500, June 617 → June's month value 617 − 500 = 117; June approved."""
    open_figures([export], [HEPING], MAY, JUNE)
    save_values(actor=shenyang, unit=unit(HEPING), period=MAY, entries=[ValueEntry("T_EXPORT", D("500"))])
    save_values(actor=shenyang, unit=unit(HEPING), period=JUNE, entries=[ValueEntry("T_EXPORT", D("617"))])
    assert value("T_EXPORT", HEPING, JUNE) == (D("617"), D("117"), D("617"))
    lock(HEPING, JUNE, "T_EXPORT", reason="和平区报送已审核")


# --- The window ------------------------------------------------------------------------------------


@pytest.mark.parametrize("period", [JUNE_2017, datetime.date(2030, 6, 1), datetime.date(1999, 6, 1)])
def test_a_month_no_round_asks_for_is_refused_naming_unit_month_and_indicator(export, shenhe, period):
    open_figures([export], [shenhe.unit], JUNE)  # only June 2018 is open
    with pytest.raises(FiguresRefused) as refused:
        save_values(actor=shenhe, unit=shenhe.unit, period=period, entries=[ValueEntry("T_EXPORT", D("1"))])
    label = f"{period.year}年{period.month}月"
    assert refused.value.code == "window"
    assert refused.value.messages == [
        f"沈河区 {label} 出口额 不在开放的报送批次内，不能填报；如需修改已报送数据，请提交数据更正申请。"
    ]
    assert not DataValue.objects.exists()


def test_an_open_window_takes_figures_and_only_for_its_unit_and_indicator(export, shenhe, hunnan):
    open_figures([export], [shenhe.unit], JUNE)
    save_values(actor=shenhe, unit=shenhe.unit, period=JUNE, entries=[ValueEntry("T_EXPORT", D("40"))])
    # A YTD of 40 with no May figure: June's own month value (40 − May's YTD) is not known.
    assert value("T_EXPORT", "210103", JUNE) == (D("40"), None, D("40"))
    make_indicator("T_IMPORT", name="进口额")
    with pytest.raises(FiguresRefused):  # 进口额 is not asked for
        save_values(actor=shenhe, unit=shenhe.unit, period=JUNE, entries=[ValueEntry("T_IMPORT", D("1"))])
    with pytest.raises(FiguresRefused):  # nor is 浑南区
        save_values(actor=hunnan, unit=hunnan.unit, period=JUNE, entries=[ValueEntry("T_EXPORT", D("1"))])


def test_a_published_quarter_is_locked_and_an_unchanged_figure_is_still_a_no_op(export, hunnan):
    open_figures([export], [hunnan.unit], MAR)
    [saved] = save_values(actor=hunnan, unit=hunnan.unit, period=MAR, entries=[ValueEntry("T_EXPORT", D("400"))])
    lock("210112", MAR, "T_EXPORT", reason="报送批次已关闭")
    with pytest.raises(FiguresRefused) as refused:
        save_values(
            actor=hunnan, unit=hunnan.unit, period=MAR, entries=[ValueEntry("T_EXPORT", D("401"), expected_version=1)]
        )
    assert refused.value.code == "locked"
    assert refused.value.messages == [
        "2018年3月已锁定（报送批次已关闭）：浑南区 出口额 不能修改；如需修改，请提交数据更正申请。"
    ]
    # A retry of the save that went through before the lock changes nothing, so it is not refused.
    again = save_values(
        actor=hunnan, unit=hunnan.unit, period=MAR, entries=[ValueEntry("T_EXPORT", D("400"), expected_version=1)]
    )
    assert again[0].pk == saved.pk and again[0].version == 1


# --- The lock holds through derived months -----------------------------------------------------------


def test_heping_may_cannot_move_its_approved_june_month_value(heping_may_and_june, shenyang):
    # May is still open; writing May's YTD 500 → 600 would make June's month value 617 − 600 = 17.
    with pytest.raises(FiguresRefused) as refused:
        save_values(
            actor=shenyang,
            unit=unit(HEPING),
            period=MAY,
            entries=[ValueEntry("T_EXPORT", D("600"), expected_version=1)],
        )
    assert refused.value.code == "locked"
    assert refused.value.messages == [
        "2018年6月已锁定（和平区报送已审核）：修改和平区 2018年5月 出口额 会改变2018年6月的当月值或累计值，"
        "不能保存；如需修改，请提交数据更正申请。"
    ]
    assert value("T_EXPORT", HEPING, JUNE) == (D("617"), D("117"), D("617"))
    assert value("T_EXPORT", HEPING, MAY) == (D("500"), None, D("500"))  # no April: May's own month unknown


def test_heping_through_the_values_api_is_refused_naming_june(heping_may_and_june, shenyang, client_for):
    response = post(
        client_for(shenyang), HEPING, "2018-05", [{"indicator": "T_EXPORT", "value": "600", "expected_version": 1}]
    )
    assert response.status_code == 400 and "2018年6月已锁定" in response.json()["detail"][0]
    assert value("T_EXPORT", HEPING, JUNE)[1] == D("117")


def test_a_month_reported_flow_cannot_move_a_locked_later_ytd(hunnan):
    fdi = make_indicator("T_FDI", name="实际利用外资", reported_as="period")
    open_figures([fdi], [hunnan.unit], MAY, JUNE)
    save_values(actor=hunnan, unit=hunnan.unit, period=MAY, entries=[ValueEntry("T_FDI", D("30"))])
    save_values(actor=hunnan, unit=hunnan.unit, period=JUNE, entries=[ValueEntry("T_FDI", D("12"))])
    lock("210112", JUNE, "T_FDI")
    with pytest.raises(FiguresRefused):  # June's YTD would go from 30 + 12 = 42 to 31 + 12 = 43
        save_values(
            actor=hunnan, unit=hunnan.unit, period=MAY, entries=[ValueEntry("T_FDI", D("31"), expected_version=1)]
        )
    assert value("T_FDI", "210112", JUNE) == (D("12"), D("12"), D("42"))


def test_reopening_lets_the_figure_change_again(heping_may_and_june, shenyang):
    export = Indicator.objects.get(code="T_EXPORT")
    reopen_windows(actor=shenyang, units=[unit(HEPING)], indicators=[export], period=JUNE, reason="已退回修改")
    save_values(
        actor=shenyang, unit=unit(HEPING), period=MAY, entries=[ValueEntry("T_EXPORT", D("600"), expected_version=1)]
    )
    assert value("T_EXPORT", HEPING, JUNE) == (D("617"), D("17"), D("617"))  # 617 − 600


def test_opening_never_unlocks_a_locked_month(heping_may_and_june, province):
    export = Indicator.objects.get(code="T_EXPORT")
    opened = open_windows(actor=province, units=[unit(HEPING)], indicators=[export], period=JUNE, reason="另一批次")
    assert opened == 0 and FigureWindow.objects.get(unit__code=HEPING, period=JUNE).state == "locked"


def test_window_changes_are_audited_and_refused_to_who_may_not_write(export, hunnan, shenhe, leader):
    lock_windows(actor=hunnan, units=[hunnan.unit], indicators=[export], period=JUNE, reason="浑南区报送已提交")
    event = AuditEvent.objects.filter(action="indicators.windows.lock").latest("id")
    assert event.actor_username == "hunnan" and event.after["indicators"] == ["T_EXPORT"]
    assert event.after["reason"] == "浑南区报送已提交" and event.after["windows"] == 1
    for outsider in (shenhe, leader):
        with pytest.raises(PermissionDenied):
            reopen_windows(actor=outsider, units=[hunnan.unit], indicators=[export], period=JUNE, reason="x")
    assert FigureWindow.objects.get(unit=hunnan.unit, period=JUNE).state == "locked"


# --- The sign rule ---------------------------------------------------------------------------------


def test_a_negative_flow_figure_is_refused_unless_the_catalogue_allows_it(export, hunnan):
    open_figures([export], [hunnan.unit], JUNE)
    with pytest.raises(ValidationError) as refused:
        save_values(actor=hunnan, unit=hunnan.unit, period=JUNE, entries=[ValueEntry("T_EXPORT", D("-5"))])
    assert refused.value.messages == ["指标“出口额”的填报值不能为负数（填写了 -5）。"]
    assert not DataValue.objects.exists()
    make_indicator("T_EXPORT", allow_negative=True)  # e.g. a net figure
    save_values(actor=hunnan, unit=hunnan.unit, period=JUNE, entries=[ValueEntry("T_EXPORT", D("-5"))])
    assert value("T_EXPORT", "210112", JUNE)[0] == D("-5")


def test_a_negative_ytd_is_refused_through_the_values_api(export, hunnan, client_for):
    open_figures([export], [hunnan.unit], JUNE)
    response = post(client_for(hunnan), "210112", "2018-06", [{"indicator": "T_EXPORT", "value": "-100"}])
    assert response.status_code == 400 and "不能为负数" in response.json()["detail"][0]
    assert not DataValue.objects.exists()


def test_a_stock_may_be_negative(hunnan):
    balance = make_indicator("T_BALANCE", name="外汇收支余额", time_aggregation="stock")
    open_figures([balance], [hunnan.unit], JUNE)
    save_values(actor=hunnan, unit=hunnan.unit, period=JUNE, entries=[ValueEntry("T_BALANCE", D("-3"))])
    assert value("T_BALANCE", "210112", JUNE)[0] == D("-3")


# --- The correction bypass -------------------------------------------------------------------------


def test_an_approved_correction_writes_a_locked_month_and_says_so_in_the_audit(heping_may_and_june, shenyang):
    [row] = save_many(
        actor=shenyang,
        period=MAY,
        batches=[(unit(HEPING), [ValueEntry("T_EXPORT", D("600"), expected_version=1)])],
        correction="GZ-2018-0007",
    )[0]
    assert value("T_EXPORT", HEPING, JUNE) == (D("617"), D("17"), D("617"))  # June's month: 617 − 600
    event = AuditEvent.objects.filter(action="indicators.values.correct").latest("id")
    assert event.after == {"T_EXPORT": "600", "correction": "GZ-2018-0007"} and event.unit_id == row.unit_id
    # A month with no window at all, too (last year's base).
    save_many(
        actor=shenyang,
        period=JUNE_2017,
        batches=[(unit(HEPING), [ValueEntry("T_EXPORT", D("480"))])],
        correction="GZ-2018-0008",
    )
    assert value("T_EXPORT", HEPING, JUNE_2017)[0] == D("480")


def test_a_correction_still_checks_scope_sign_and_versions(heping_may_and_june, shenhe, shenyang):
    batch = [(unit(HEPING), [ValueEntry("T_EXPORT", D("600"), expected_version=1)])]
    with pytest.raises(PermissionDenied):
        save_many(actor=shenhe, period=MAY, batches=batch, correction="GZ-2018-0007")
    with pytest.raises(ValidationError, match="不能为负数"):
        save_many(
            actor=shenyang,
            period=MAY,
            batches=[(unit(HEPING), [ValueEntry("T_EXPORT", D("-1"), expected_version=1)])],
            correction="GZ-2018-0007",
        )
    with pytest.raises(StaleValues):
        save_many(
            actor=shenyang,
            period=MAY,
            batches=[(unit(HEPING), [ValueEntry("T_EXPORT", D("600"), expected_version=7)])],
            correction="GZ-2018-0007",
        )
    assert value("T_EXPORT", HEPING, MAY)[0] == D("500") and value("T_EXPORT", HEPING, JUNE)[1] == D("117")


# --- Another county --------------------------------------------------------------------------------


def test_another_county_writes_nothing_in_an_open_window_through_the_api(export, hunnan, shenhe, client_for):
    open_figures([export], [hunnan.unit], JUNE)
    response = post(client_for(shenhe), "210112", "2018-06", [{"indicator": "T_EXPORT", "value": "1"}])
    assert response.status_code == 404 and not DataValue.objects.exists()
    with pytest.raises(PermissionDenied):
        save_values(actor=shenhe, unit=hunnan.unit, period=JUNE, entries=[ValueEntry("T_EXPORT", D("1"))])
    assert not DataValue.objects.exists()


# --- The property ----------------------------------------------------------------------------------

MONTHS = [datetime.date(2018, m, 1) for m in (4, 5, 6)]  # few figures, so writes and locks meet often
UNITS = ["210112", "210103"]
CODES = ["T_EXPORT", "T_FDI"]  # a YTD-reported flow and a month-reported one

figure = st.tuples(st.sampled_from(UNITS), st.sampled_from(CODES), st.sampled_from(MONTHS))
amount = st.one_of(st.none(), st.integers(min_value=0, max_value=999).map(D))
door = st.sampled_from(["service", "api"])  # save_many, or POST /api/v1/values as the city officer
write = st.tuples(st.just("write"), figure, amount, st.booleans(), door)
operation = st.one_of(write, write, st.tuples(st.just("lock"), figure), st.tuples(st.just("reopen"), figure))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    start=st.lists(st.integers(min_value=0, max_value=999), min_size=3, max_size=3),
    operations=st.lists(operation, min_size=1, max_size=20),
)
def test_no_sequence_of_writes_ever_changes_a_locked_month(shenyang, client_for, start, operations):
    """From random starting figures, random writes (a figure, or with the unit's other indicator in
    the same save; through the service or the values API) and random locks and reopenings: a locked
    month's reported figure, month value and YTD stay exactly as they were when it was locked."""
    api = client_for(shenyang)
    indicators = {
        "T_EXPORT": make_indicator("T_EXPORT"),
        "T_FDI": make_indicator("T_FDI", name="实际利用外资", reported_as="period"),
    }
    DataValue.objects.filter(indicator__in=indicators.values()).delete()
    FigureWindow.objects.filter(indicator__in=indicators.values()).delete()
    open_figures(indicators.values(), UNITS, *MONTHS)
    for period, first in zip(MONTHS, start, strict=True):  # every figure there before anything locks
        batch = [ValueEntry("T_EXPORT", D(first)), ValueEntry("T_FDI", D(first))]
        save_many(actor=shenyang, period=period, batches=[(unit(u), batch) for u in UNITS])
    frozen: dict[tuple[str, str, datetime.date], tuple[D | None, ...] | None] = {}

    def snapshot(key):  # type: ignore[no-untyped-def]
        row = DataValue.objects.filter(unit__code=key[0], indicator__code=key[1], period=key[2]).first()
        return None if row is None else (row.reported, row.month_value, row.ytd_value, row.comment)

    for op in operations:
        kind, key = op[0], op[1]
        where = dict(units=[unit(key[0])], indicators=[indicators[key[1]]], period=key[2], reason="测试")
        if kind == "lock":
            lock_windows(actor=TEST, **where)
            frozen.setdefault(key, snapshot(key))
        elif kind == "reopen":
            reopen_windows(actor=TEST, **where)
            frozen.pop(key, None)
        else:
            unit_code, code, period = key
            current = DataValue.objects.filter(unit__code=unit_code, indicator__code=code, period=period).first()
            entry = ValueEntry(code, op[2], "", current.version if current else None)
            other = "T_FDI" if code == "T_EXPORT" else "T_EXPORT"
            entries = [entry]
            if op[3]:  # and the other indicator of the same unit and month, in the same save
                twin = DataValue.objects.filter(unit__code=unit_code, indicator__code=other, period=period).first()
                entries.append(ValueEntry(other, D(7), "", twin.version if twin else None))
            before = {k: snapshot(k) for k in frozen}
            if op[4] == "api":
                body = [
                    {"indicator": e.indicator_code, "value": None if e.value is None else str(e.value)}
                    | {"expected_version": e.expected_version}
                    for e in entries
                ]
                response = post(api, unit_code, f"{period:%Y-%m}", body)
                assert response.status_code in (200, 400), response.content  # refused cleanly, never a 500
                if response.status_code == 400:
                    assert {k: snapshot(k) for k in frozen} == before
            else:
                try:
                    save_many(actor=shenyang, period=period, batches=[(unit(unit_code), entries)])
                except FiguresRefused:
                    assert {k: snapshot(k) for k in frozen} == before
        for key_locked, seen in frozen.items():
            assert snapshot(key_locked) == seen, (key_locked, operations)
