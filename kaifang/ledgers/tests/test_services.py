"""Stage transitions with dated history, and each counting rule with hand-worked numbers."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kaifang.audit.models import AuditEvent
from kaifang.core.actors import SystemActor
from kaifang.ledgers.counting import SIGNED_100M, SIGNED_AMOUNT, STARTED_100M, ledger_events, totals_by_unit_month
from kaifang.ledgers.models import StageChange
from kaifang.ledgers.reference import Stage
from kaifang.ledgers.services import transfer_project, transition_project
from kaifang.ledgers.services.money import add_capital_increase, record_funds
from kaifang.ledgers.tests.conftest import move, new_project, unit

pytestmark = pytest.mark.django_db
MARCH, APRIL, MAY, JUNE = (datetime.date(2018, m, 1) for m in (3, 4, 5, 6))


def totals(measure: str) -> dict[tuple[str, datetime.date], Decimal]:
    """(unit code, month) → total of one measure, for the holding unit itself."""
    codes = {u.pk: u.code for u in __import__("kaifang.orgs.models", fromlist=["OrgUnit"]).OrgUnit.objects.all()}
    return {
        (codes[uid], month): v for (m, uid, month), v in totals_by_unit_month(ledger_events()).items() if m == measure
    }


def test_a_lead_moves_through_the_stages_with_a_dated_history_row_for_each_move(dalian):
    project = new_project(dalian)
    project = move(project, ("negotiate", "2018-03-05"), ("sign", "2018-03-20"), ("start", "2018-05-02"), actor=dalian)
    assert project.stage == Stage.STARTED
    assert project.stage_since == datetime.date(2018, 5, 2)
    history = list(StageChange.objects.filter(project=project).values_list("from_stage", "to_stage", "effective_on"))
    assert history == [
        ("", "lead", datetime.date(2018, 3, 1)),
        ("lead", "negotiating", datetime.date(2018, 3, 5)),
        ("negotiating", "signed", datetime.date(2018, 3, 20)),
        ("signed", "started", datetime.date(2018, 5, 2)),
    ]
    assert StageChange.objects.filter(project=project, actor=dalian).count() == 4
    assert AuditEvent.objects.filter(action="ledgers.project.sign", object_id=str(project.pk)).exists()


def test_a_move_the_table_does_not_allow_is_refused_with_a_chinese_message():
    project = new_project()
    with pytest.raises(ValidationError, match=r"线索.*不能执行.*开工"):
        transition_project(
            actor=SystemActor("test"), project=project, action="start", effective_on=datetime.date(2018, 4, 1)
        )
    assert StageChange.objects.filter(project=project).count() == 1


def test_a_move_dated_before_the_previous_one_or_in_the_future_is_refused():
    project = move(new_project(), ("negotiate", "2018-04-01"))
    with pytest.raises(ValidationError, match="不能早于"):
        transition_project(
            actor=SystemActor("test"), project=project, action="sign", effective_on=datetime.date(2018, 3, 31)
        )
    with pytest.raises(ValidationError, match="不能晚于今天"):
        transition_project(
            actor=SystemActor("test"), project=project, action="sign", effective_on=datetime.date(2018, 7, 17)
        )


def test_a_stale_version_is_refused():
    project = new_project()
    with pytest.raises(ValidationError) as err:
        transition_project(
            actor=SystemActor("test"),
            project=project,
            action="negotiate",
            effective_on=MARCH,
            expected_version=project.version + 1,
        )
    assert err.value.code == "stale"


def test_any_stage_can_be_dropped_and_a_dropped_project_moves_no_further():
    project = move(new_project(), ("negotiate", "2018-03-05"), ("drop", "2018-03-06"))
    assert project.stage == Stage.DROPPED
    with pytest.raises(ValidationError):
        move(project, ("sign", "2018-03-07"))


def test_leaders_and_other_counties_cannot_move_a_project(leader, hunnan, shenhe):
    project = new_project(unit_code="210112")
    with pytest.raises(PermissionDenied):
        transition_project(actor=leader, project=project, action="negotiate", effective_on=APRIL)
    with pytest.raises(PermissionDenied):
        transition_project(actor=shenhe, project=project, action="negotiate", effective_on=APRIL)
    transition_project(actor=hunnan, project=project, action="negotiate", effective_on=APRIL)


# --- Counting rules (统计口径), hand-worked ---------------------------------------------------------


def test_signed_counts_once_in_the_month_of_the_first_signing():
    # 1.2亿元 signed 20 March, moved back to 在谈 on 2 April, signed again 20 May:
    # one 亿元以上 signing, in March, for 甘井子区; nothing in May.
    project = new_project(amount="12000")
    move(
        project,
        ("negotiate", "2018-03-05"),
        ("sign", "2018-03-20"),
        ("back_to_negotiating", "2018-04-02"),
        ("sign", "2018-05-20"),
    )
    assert totals(SIGNED_100M) == {("210211", MARCH): Decimal(1)}
    assert totals(SIGNED_AMOUNT) == {("210211", MARCH): Decimal(12000)}


def test_a_capital_increase_counts_only_the_increment():
    # Signed in March for 8,000万元 (below 1亿: not counted as 亿元以上). Increase of 12,000万元 in June:
    # June counts 1 亿元以上 signing and 12,000万元 (not 20,000). A later 5,000万元 increase adds 5,000
    # to June's amount but no project. Started in July: 8,000 + 12,000 + 5,000 = 25,000 ≥ 10,000 → counts.
    project = move(new_project(amount="8000"), ("negotiate", "2018-03-05"), ("sign", "2018-03-20"))
    add_capital_increase(
        actor=SystemActor("test"), project=project, amount=Decimal("12000"), currency="CNY", signed_on=JUNE
    )
    add_capital_increase(
        actor=SystemActor("test"),
        project=project,
        amount=Decimal("5000"),
        currency="CNY",
        signed_on=datetime.date(2018, 6, 9),
    )
    move(project, ("start", "2018-07-02"))
    assert totals(SIGNED_100M) == {("210211", JUNE): Decimal(1)}
    assert totals(SIGNED_AMOUNT) == {("210211", MARCH): Decimal(8000), ("210211", JUNE): Decimal(17000)}
    assert totals(STARTED_100M) == {("210211", datetime.date(2018, 7, 1)): Decimal(1)}


def test_a_transferred_project_keeps_its_signing_where_it_was_signed_and_starts_where_it_is_held(dalian):
    # Signed in March by 甘井子区, handed to 旅顺口区 in April, started in May:
    # the signing stays with 甘井子区 (March), the start counts for 旅顺口区 (May).
    project = move(new_project(dalian), ("negotiate", "2018-03-05"), ("sign", "2018-03-20"))
    project = transfer_project(actor=dalian, project=project, to_unit=unit("210212"), effective_on=APRIL)
    move(project, ("start", "2018-05-10"))
    assert totals(SIGNED_100M) == {("210211", MARCH): Decimal(1)}
    assert totals(STARTED_100M) == {("210212", MAY): Decimal(1)}
    assert StageChange.objects.filter(project=project).count() == 4  # history kept


def test_a_dropped_project_leaves_the_pipeline_but_keeps_its_counts():
    project = move(new_project(), ("negotiate", "2018-03-05"), ("sign", "2018-03-20"), ("drop", "2018-04-20"))
    assert totals(SIGNED_100M) == {("210211", MARCH): Decimal(1)}
    from kaifang.ledgers.models import InvestmentProject

    assert not InvestmentProject.objects.in_pipeline().filter(pk=project.pk).exists()


def test_us_dollar_amounts_are_converted_at_the_signing_years_rate(rates):
    # 2018 rate 6.5: 1,600万美元 = 10,400万元 ≥ 1亿 → counted; 1,500万美元 = 9,750万元 → not.
    big = new_project(amount="1600", currency="USD", name="美元大项目")
    small = new_project(amount="1500", currency="USD", name="美元小项目")
    move(big, ("negotiate", "2018-03-05"), ("sign", "2018-03-20"))
    move(small, ("negotiate", "2018-03-05"), ("sign", "2018-03-21"))
    assert totals(SIGNED_100M) == {("210211", MARCH): Decimal(1)}
    assert totals(SIGNED_AMOUNT) == {("210211", MARCH): Decimal("10400.00") + Decimal("9750.00")}


def test_funds_count_for_the_month_they_arrive_and_add_up_on_the_project(rates):
    project = move(new_project(amount="5000"), ("negotiate", "2018-03-05"), ("sign", "2018-03-20"))
    record_funds(actor=SystemActor("test"), project=project, amount=Decimal("300"), currency="CNY", received_on=APRIL)
    record_funds(actor=SystemActor("test"), project=project, amount=Decimal("100"), currency="USD", received_on=MAY)
    project.refresh_from_db()
    assert project.funds_in_place == Decimal("950.00")  # 300 + 100 × 6.5
    assert totals("funds") == {("210211", APRIL): Decimal(300), ("210211", MAY): Decimal("650.00")}


def test_a_mixed_currency_total_without_a_recorded_rate_is_refused_with_a_clear_message():
    project = new_project(amount="1600", currency="USD")
    with pytest.raises(ValidationError, match="尚未录入美元汇率"):
        move(project, ("negotiate", "2018-03-05"), ("sign", "2018-03-20"))
