"""Amounts in 万元 and 万美元, converted at the recorded yearly rate when a total mixes them.

The rate of the year an amount belongs to (the signing year, the year the money arrived) is used;
a year without a recorded rate uses the nearest recorded year, and pages say which rates were used.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError

from kaifang.core import clock
from kaifang.ledgers.models import ExchangeRate
from kaifang.ledgers.reference import Currency

HUNDRED_MILLION_YUAN = Decimal("10000")  # 1亿元 = 10,000 万元: the 亿元以上 threshold
CENT = Decimal("0.01")


class Rates:
    """The recorded rates, loaded once per computation; remembers which ones it used."""

    def __init__(self) -> None:
        self.by_year: dict[int, Decimal] = dict(ExchangeRate.objects.values_list("year", "rate"))
        self.used: dict[int, Decimal] = {}

    def rate_for(self, year: int) -> tuple[int, Decimal]:
        if not self.by_year:
            raise ValidationError("尚未录入美元汇率，无法换算万美元金额。请先在“汇率”中录入年度汇率。", code="no_rate")
        chosen = year if year in self.by_year else min(self.by_year, key=lambda y: (abs(y - year), -y))
        self.used[chosen] = self.by_year[chosen]
        return chosen, self.by_year[chosen]

    def to_wan_yuan(self, amount: Decimal, currency: str, on: datetime.date | None) -> Decimal:
        """`amount` in 万元 (万美元 × the rate of `on`'s year)."""
        if currency == Currency.CNY:
            return amount
        _year, rate = self.rate_for((on or clock.today()).year)
        return (amount * rate).quantize(CENT, rounding=ROUND_HALF_UP)

    def convert(self, amount: Decimal, currency: str, to_currency: str, on: datetime.date | None) -> Decimal:
        if currency == to_currency:
            return amount
        wan_yuan = self.to_wan_yuan(amount, currency, on)
        if to_currency == Currency.CNY:
            return wan_yuan
        _year, rate = self.rate_for((on or clock.today()).year)
        return (wan_yuan / rate).quantize(CENT, rounding=ROUND_HALF_UP)

    def used_text(self) -> str:
        """ "2017年 6.7518元/美元；2018年 6.6174元/美元" for the page footers."""
        return "；".join(f"{year}年 {rate}元/美元" for year, rate in sorted(self.used.items()))


def yi(amount_wan: Decimal) -> Decimal:
    """万元 → 亿元 for display."""
    return (amount_wan / HUNDRED_MILLION_YUAN).quantize(CENT, rounding=ROUND_HALF_UP)
