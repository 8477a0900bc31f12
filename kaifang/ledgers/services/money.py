"""Money on a project: capital increases (增资, only the increment counts), funds in place (实际到位资金)
and the year's exchange rate used to convert 万美元. Each write checks scope, pushes the derived
indicator figures and is audited in the same transaction."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F

from kaifang.accounts.models import Role
from kaifang.audit.services import record_event
from kaifang.core.actors import actor_display_name as actor_name
from kaifang.core.actors import is_system_actor
from kaifang.ledgers import derived
from kaifang.ledgers.models import CapitalIncrease, ExchangeRate, FundsReceipt, InvestmentProject
from kaifang.ledgers.money import Rates
from kaifang.ledgers.reference import Currency
from kaifang.ledgers.services import check_can_write, check_date


def _check_amount(amount: Decimal, currency: str, label: str) -> None:
    if currency not in Currency.values:
        raise ValidationError("币种只能是万元或万美元。")
    if amount is None or amount <= 0 or amount > Decimal("1e12"):
        raise ValidationError(f"{label}应为大于0的数字。")


def _signed_project(actor: Any, project: InvestmentProject, not_signed: str) -> InvestmentProject:
    """The project locked for a money record: in the actor's scope and already signed."""
    project = InvestmentProject.objects.select_for_update().get(pk=project.pk)
    check_can_write(actor, project.unit)
    if project.first_signed_on is None:
        raise ValidationError(not_signed, code="not_signed")
    return project


def _money_fields(actor: Any, project: InvestmentProject, amount: Decimal, currency: str, note: str) -> dict[str, Any]:
    return {
        "project": project,
        "amount": amount,
        "currency": currency,
        "unit": project.unit,
        "note": note.strip()[:200],
        "actor_name": actor_name(actor),
    }


def _push_and_audit(
    actor: Any, project: InvestmentProject, day: datetime.date, what: str, after: dict[str, Any]
) -> None:
    """The indicator figures of `day`'s month follow at once, and the record is audited."""
    derived.push_values(actor=actor, keys={(project.unit_id, day.replace(day=1))})
    record_event(actor=actor, action=f"ledgers.project.{what}", obj=project, after=after)


def add_capital_increase(
    *, actor: Any, project: InvestmentProject, amount: Decimal, currency: str, signed_on: datetime.date, note: str = ""
) -> CapitalIncrease:
    """增资: only the increment counts (see `counting`)."""
    _check_amount(amount, currency, "增资额")
    with transaction.atomic():
        project = _signed_project(actor, project, "项目尚未签约，不能登记增资；请修改协议投资额。")
        check_date(signed_on, label="增资签约日期", not_before=project.first_signed_on)
        increase = CapitalIncrease.objects.create(
            signed_on=signed_on, **_money_fields(actor, project, amount, currency, note)
        )
        _push_and_audit(
            actor,
            project,
            signed_on,
            "capital_increase",
            {"amount": amount, "currency": currency, "signed_on": signed_on},
        )
    return increase


def record_funds(
    *,
    actor: Any,
    project: InvestmentProject,
    amount: Decimal,
    currency: str,
    received_on: datetime.date,
    note: str = "",
) -> FundsReceipt:
    """Money that arrived (实际到位资金), counted for the unit holding the project on that day."""
    _check_amount(amount, currency, "到位金额")
    with transaction.atomic():
        project = _signed_project(actor, project, "项目尚未签约，不能登记到位资金。")
        check_date(received_on, label="到位日期")
        receipt = FundsReceipt.objects.create(
            received_on=received_on, **_money_fields(actor, project, amount, currency, note)
        )
        in_project_currency = Rates().convert(amount, currency, project.currency, received_on)
        InvestmentProject.objects.filter(pk=project.pk).update(
            funds_in_place=F("funds_in_place") + in_project_currency, version=F("version") + 1
        )
        _push_and_audit(
            actor, project, received_on, "funds", {"amount": amount, "currency": currency, "received_on": received_on}
        )
    return receipt


def set_exchange_rate(*, actor: Any, year: int, rate: Decimal, source: str = "") -> ExchangeRate:
    """Record the year's 元/美元 rate used to convert 万美元 (province users only)."""
    if not is_system_actor(actor) and getattr(actor, "role", None) not in {
        Role.PROVINCE_ADMIN,
        Role.PROVINCE_SUPERVISOR,
    }:
        raise PermissionDenied("只有省级用户可以录入汇率。")
    if rate is None or rate <= 0 or rate > 100:
        raise ValidationError("汇率应为大于0的数字（元/美元）。")
    with transaction.atomic():
        defaults = {"rate": rate, "source": source[:200]}
        obj, _created = ExchangeRate.objects.update_or_create(year=year, defaults=defaults)
        record_event(actor=actor, action="ledgers.rate.set", obj=obj, unit=None, after={"year": year, "rate": rate})
    return obj
