"""Where a figure comes from, in words, for every figure's tooltip: the source department (权威口径:
商务厅, 海关, 统计局, 本单位) and how it was reported (本级填报, 下级汇总, 来自台账, 公式计算 …).

A ledger-sourced indicator's own figure is never typed: it is counted from the ledgers (来自台账),
and the page links to the ledger rows it is counted from (the ledgers' list filtered to the unit,
and for talents to the year). The links are by URL name, so this module imports no ledger code.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext, gettext_noop

from kaifang.indicators.aggregation import REPORTED
from kaifang.indicators.models import Indicator, Source
from kaifang.indicators.selectors import BASIS_LABELS

FROM_LEDGER = gettext_noop("来自台账")
# Ledger-derived indicator code → the ledger list its rows are on (projects unless named here).
LEDGER_LISTS = {"TALENT": "ledgers:talents"}


def from_ledger(indicator: Indicator, basis: str) -> bool:
    """The unit's own figure of a ledger-sourced indicator: counted from the ledgers, not typed."""
    return indicator.source == Source.LEDGER and basis == REPORTED


def how_reported(indicator: Indicator, basis: str, basis_label: str) -> str:
    """来自台账 for a ledger-counted figure, otherwise the figure's own basis in words."""
    return gettext(FROM_LEDGER) if from_ledger(indicator, basis) else basis_label


def provenance(indicator: Indicator, basis: str, basis_label: str) -> str:
    """The tooltip line: "来源：商务厅 · 来自台账"."""
    source = indicator.get_authority_display()
    return gettext("来源：%(source)s · %(how)s") % {
        "source": source,
        "how": how_reported(indicator, basis, basis_label),
    }


def provenance_from_label(indicator: Indicator, basis_label: str) -> str:
    """`provenance` for a figure known by its basis in words (本级填报 of a ledger indicator: 来自台账)."""
    reported = gettext(BASIS_LABELS[REPORTED])
    basis = REPORTED if basis_label == reported else ""
    return provenance(indicator, basis, basis_label)


def ledger_rows_url(indicator: Indicator, unit: Any, period: datetime.date) -> str:
    """The ledger list filtered to the rows a ledger-derived figure is counted from."""
    name = LEDGER_LISTS.get(indicator.code, "ledgers:projects")
    if name == "ledgers:talents":
        query = {"unit": unit.code, "year": period.year}
    else:
        query = {"unit": unit.code, "sort": "signed"}
    return f"{reverse(name)}?{urlencode(query)}"
