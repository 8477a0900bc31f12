"""Ledger-derived indicators equal counts made independently from the ledger tables."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Sum

from kaifang.core.actors import SystemActor
from kaifang.indicators.models import DataValue
from kaifang.ledgers.derived import recompute_all
from kaifang.ledgers.models import CapitalIncrease, FundsReceipt, InvestmentProject, TalentRecord
from kaifang.ledgers.services import transfer_project
from kaifang.ledgers.services.money import add_capital_increase, record_funds
from kaifang.ledgers.services.talents import TalentInput, create_talent
from kaifang.ledgers.tests.conftest import move, new_project, unit

pytestmark = pytest.mark.django_db
D = datetime.date.fromisoformat


def build_ledger() -> None:
    """Hand-made ledger: Dalian (甘井子, 旅顺口, the city itself) and Shenyang (浑南), March–June 2018."""
    a = move(new_project(amount="12000", name="A"), ("negotiate", "2018-03-01"), ("sign", "2018-03-10"))
    move(a, ("start", "2018-05-03"))
    b = move(
        new_project(amount="30000", unit_code="210212", name="B"), ("negotiate", "2018-03-02"), ("sign", "2018-04-11")
    )
    transfer_project(actor=SystemActor("test"), project=b, to_unit=unit("210211"), effective_on=D("2018-05-01"))
    b.refresh_from_db()
    move(b, ("start", "2018-06-01"))
    c = move(
        new_project(amount="9000", unit_code="210200", name="C"), ("negotiate", "2018-03-02"), ("sign", "2018-03-15")
    )
    add_capital_increase(
        actor=SystemActor("test"), project=c, amount=Decimal("10000"), currency="CNY", signed_on=D("2018-06-05")
    )
    record_funds(
        actor=SystemActor("test"), project=c, amount=Decimal("2500"), currency="CNY", received_on=D("2018-04-20")
    )
    record_funds(
        actor=SystemActor("test"), project=a, amount=Decimal("1500"), currency="CNY", received_on=D("2018-05-20")
    )
    d = move(
        new_project(amount="50000", unit_code="210112", name="D"), ("negotiate", "2018-03-02"), ("sign", "2018-03-30")
    )
    move(d, ("drop", "2018-04-02"))
    for name, code, kind, n, day in [
        ("张", "210211", "person", 1, "2018-03-05"),
        ("李团队", "210200", "team", 4, "2018-03-20"),
        ("王", "210112", "person", 1, "2018-05-08"),
    ]:
        create_talent(
            actor=SystemActor("test"),
            data=TalentInput(
                name=name,
                kind=kind,
                headcount=n,
                field="新材料",
                level="provincial",
                employer="某公司",
                unit=unit(code),
                introduced_on=D(day),
                source_region="CN-BJ",
            ),
        )


def month_bounds(month: datetime.date) -> tuple[datetime.date, datetime.date]:
    return month, (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def independent(name: str, code: str, month: datetime.date) -> Decimal:
    """The figure counted straight from the tables (all amounts in this ledger are 万元)."""
    path = unit(code).path
    start, end = month_bounds(month)
    if name == "新签约亿元以上项目数":
        projects = InvestmentProject.objects.filter(
            first_signed_unit__path__startswith=path,
            first_signed_on__gte=start,
            first_signed_on__lt=end,
            agreed_amount__gte=10000,
        ).count()
        increases = CapitalIncrease.objects.filter(
            unit__path__startswith=path, signed_on__gte=start, signed_on__lt=end, amount__gte=10000
        ).count()
        return Decimal(projects + increases)
    if name == "新开工亿元以上项目数":
        return Decimal(
            InvestmentProject.objects.filter(
                first_started_unit__path__startswith=path,
                first_started_on__gte=start,
                first_started_on__lt=end,
                agreed_amount__gte=10000,
            ).count()
        )
    if name == "实际到位资金":  # YTD, in 亿元
        total = FundsReceipt.objects.filter(
            unit__path__startswith=path, received_on__gte=month.replace(month=1), received_on__lt=end
        ).aggregate(s=Sum("amount"))["s"]
        return (total or Decimal(0)) / Decimal(10000)
    total = TalentRecord.objects.filter(
        unit__path__startswith=path, introduced_on__gte=start, introduced_on__lt=end
    ).aggregate(s=Sum("headcount"))["s"]
    return Decimal(total or 0)


def stored(indicator, code: str, month: datetime.date) -> Decimal:  # type: ignore[no-untyped-def]
    row = DataValue.objects.filter(indicator=indicator, unit__code=code, period=month).first()
    return row.reported if row is not None and row.reported is not None else Decimal(0)


def test_derived_figures_equal_independent_counts_for_every_unit_and_month(ledger_catalogue):
    build_ledger()
    months = [D(f"2018-0{m}-01") for m in (3, 4, 5, 6)]
    for name, indicator in ledger_catalogue.items():
        for code in ["210211", "210212", "210200", "210112", "210100", "210000"]:
            for month in months:
                assert stored(indicator, code, month) == independent(name, code, month), (name, code, month)


def test_hand_worked_figures_for_dalian_and_the_province(ledger_catalogue):
    build_ledger()
    signed = ledger_catalogue["新签约亿元以上项目数"]
    started = ledger_catalogue["新开工亿元以上项目数"]
    talents = ledger_catalogue["引进人才数"]
    # March: A (甘井子, 1.2亿) counts; C (大连市, 0.9亿) does not; D (浑南, 5亿) counts for the province only.
    assert stored(signed, "210200", D("2018-03-01")) == 1
    assert stored(signed, "210000", D("2018-03-01")) == 2
    # April: B signed by 旅顺口 (before its transfer) → 旅顺口 and Dalian.
    assert stored(signed, "210212", D("2018-04-01")) == 1
    # June: C's 1亿 increase counts as a 亿元以上 signing for 大连市; B starts at 甘井子 (after the transfer).
    assert stored(signed, "210200", D("2018-06-01")) == 1
    assert stored(started, "210211", D("2018-06-01")) == 1
    assert stored(started, "210212", D("2018-06-01")) == 0
    # Talents in March: 1 person (甘井子) + a team of 4 (大连市) = 5 for Dalian.
    assert stored(talents, "210200", D("2018-03-01")) == 5
    # Funds (YTD, 亿元): Dalian April 0.25, May 0.25 + 0.15 = 0.40.
    funds = ledger_catalogue["实际到位资金"]
    assert stored(funds, "210200", D("2018-05-01")) == Decimal("0.4")


def test_a_full_recompute_after_live_pushes_changes_nothing(ledger_catalogue):
    build_ledger()
    assert recompute_all(actor=SystemActor("test"), commit=True)["changed"] == 0


def test_the_recompute_command_fills_in_figures_lost_from_the_catalogue(ledger_catalogue, capsys):
    build_ledger()
    DataValue.objects.filter(indicator__in=ledger_catalogue.values()).delete()
    call_command("recompute_ledger_indicators")
    assert not DataValue.objects.filter(indicator__in=ledger_catalogue.values()).exists()
    call_command("recompute_ledger_indicators", "--commit")
    assert "已按台账重算" in capsys.readouterr().out
    assert stored(ledger_catalogue["新签约亿元以上项目数"], "210000", D("2018-03-01")) == 2


def test_a_change_that_would_alter_a_locked_month_is_refused_and_nothing_changes(ledger_catalogue):
    """The lock is decided where every figure is written (`set_computed_values`): a ledger change that
    would move a locked month's figure — itself or, through the year-to-date, from an earlier month —
    is refused naming that month, and the ledger change is refused with it."""
    from django.core.exceptions import ValidationError

    from kaifang.core.actors import SystemActor
    from kaifang.indicators.services.windows import lock_windows

    signed = ledger_catalogue["新签约亿元以上项目数"]  # a month value; its YTD adds the months up
    first = move(new_project(amount="12000", name="甲"), ("negotiate", "2018-05-02"), ("sign", "2018-06-10"))
    assert first.stage == "signed" and stored(signed, "210200", D("2018-06-01")) == 1
    lock_windows(
        actor=SystemActor(name="test"),
        units=[unit("210200")],
        indicators=[signed],
        period=D("2018-06-01"),
        reason="大连市报送已审核",
    )
    project = move(new_project(amount="12000"), ("negotiate", "2018-05-02"))
    with pytest.raises(ValidationError) as err:
        move(project, ("sign", "2018-06-15"))  # 大连市 June 1 → 2
    assert err.value.code == "locked" and "2018年6月已锁定（大连市报送已审核）：大连市" in err.value.messages[0]
    project.refresh_from_db()
    assert project.stage == "negotiating" and project.first_signed_on is None
    with pytest.raises(ValidationError) as err:
        move(project, ("sign", "2018-05-20"))  # May is open, but 大连市 June's YTD would go 1 → 2
    assert (
        err.value.code == "locked"
        and "2018年5月" in err.value.messages[0]
        and "2018年6月已锁定" in err.value.messages[0]
    )
    june = DataValue.objects.get(indicator=signed, unit__code="210200", period=D("2018-06-01"))
    assert (june.reported, june.month_value, june.ytd_value) == (1, 1, 1)
    # A signing below 1亿 changes no locked figure, and July is open.
    small = move(new_project(amount="5000", name="小"), ("negotiate", "2018-05-02"), ("sign", "2018-06-15"))
    assert small.stage == "signed"
    move(project, ("sign", "2018-07-02"))
    assert stored(signed, "210200", D("2018-07-01")) == 1


def test_derived_indicators_are_matched_by_catalogue_code_not_by_name(ledger_catalogue):
    from kaifang.ledgers.derived import ledger_indicators

    signed = ledger_catalogue["新签约亿元以上项目数"]
    signed.name = "新签约亿元以上项目个数"  # the catalogue rewords the name; the code stays PROJ_SIGNED
    signed.save(update_fields=["name"])
    assert {i.code for i in ledger_indicators()} == {"PROJ_SIGNED", "PROJ_STARTED", "FUNDS_ARRIVED", "TALENT"}
