"""Monthly rollups kept with the figures: after any sequence of writes (new figures, a changed one, a
cleared one, a correction into an approved and locked month that moves a later month) each parent's
rollup is what adding up its children's figures by hand gives, equals a rebuild from scratch, and a
city's figure read through the rollups is the one added up live."""

import datetime
from decimal import Decimal as D

import pytest

from kaifang.indicators import rollups
from kaifang.indicators.figures import ValueEntry
from kaifang.indicators.models import MonthRollup
from kaifang.indicators.selectors import aggregate
from kaifang.indicators.services import save_many, save_values
from kaifang.indicators.services.windows import lock_windows
from kaifang.indicators.tests.factories import make_indicator, open_figures
from kaifang.orgs.models import OrgUnit
from kaifang.orgs.services import upsert_unit

pytestmark = pytest.mark.django_db

MAY, JUNE = datetime.date(2018, 5, 1), datetime.date(2018, 6, 1)
HEPING, HUNNAN = "210102", "210112"  # two counties of 沈阳市


def unit(code: str) -> OrgUnit:
    return OrgUnit.objects.get(code=code)


def put(actor, code: str, period: datetime.date, figure: str | None, **kw):  # type: ignore[no-untyped-def]
    entry = ValueEntry("T_EXPORT", D(figure) if figure is not None else None, **kw)
    return save_values(actor=actor, unit=unit(code), period=period, entries=[entry])


def rollup(parent: OrgUnit, period: datetime.date) -> tuple[D | None, D | None, int]:
    row = MonthRollup.objects.get(unit=parent, period=period, indicator__code="T_EXPORT")
    return (
        row.month_sum if row.month_count else None,
        row.ytd_sum if row.ytd_count else None,
        row.reporting,
    )


def stored() -> dict[tuple[int, int, datetime.date], tuple[D, int, D, int, int]]:
    return {
        (r.indicator_id, r.unit_id, r.period): (r.month_sum, r.month_count, r.ytd_sum, r.ytd_count, r.reporting)
        for r in MonthRollup.objects.all()
    }


@pytest.fixture
def writes(shenyang):
    """出口额 (a flow reported year to date), 沈阳市's counties:
    和平 May 500, June 617 (June's month 617 − 500 = 117); 浑南 May 100, June 300 (month 200);
    和平's June is approved and locked; then a correction sets 和平's May to 600 (June's month moves to
    617 − 600 = 17, a locked month moved through the correction); then 浑南 clears its June figure."""
    export = make_indicator("T_EXPORT")
    open_figures([export], [HEPING, HUNNAN], MAY, JUNE)
    put(shenyang, HEPING, MAY, "500")
    put(shenyang, HEPING, JUNE, "617")
    put(shenyang, HUNNAN, MAY, "100")
    put(shenyang, HUNNAN, JUNE, "300")
    city = unit("210100")
    assert rollup(city, JUNE) == (D("317"), D("917"), 2)  # 117 + 200, 617 + 300
    lock_windows(actor=shenyang, units=[unit(HEPING)], indicators=[export], period=JUNE, reason="已审核")
    save_many(
        actor=shenyang,
        period=MAY,
        batches=[(unit(HEPING), [ValueEntry("T_EXPORT", D("600"), expected_version=1)])],
        correction="GZ-2018-0007",
    )
    put(shenyang, HUNNAN, JUNE, None, expected_version=1)
    return export, city


def test_rollups_follow_every_write_as_added_up_by_hand(writes):
    _export, city = writes
    assert rollup(city, MAY)[1:] == (D("700"), 2)  # YTD 600 + 100, both counties
    assert rollup(city, JUNE) == (D("17"), D("617"), 1)  # 浑南 cleared: 和平 alone, month 617 − 600


def test_rollups_equal_a_rebuild_from_the_figures(writes):
    kept = stored()
    versions = dict(MonthRollup.objects.values_list("period", "version"))
    assert versions[JUNE] == 4  # written under 沈阳 for June: two figures, the correction moving one, the clearing
    rollups.rebuild()
    rebuilt = stored()
    assert {k: v for k, v in kept.items() if v[4]} == rebuilt  # rows with no child reporting are not rebuilt


def test_a_city_read_through_the_rollups_is_the_one_added_up_live(writes, province):
    export, city = writes
    read = aggregate(user=province, indicator=export, unit=city, period_from=JUNE, period_to=JUNE)
    assert rollups.usable()
    assert (read.ytd_value, read.month_value, read.reporting) == (D("617"), D("17"), 1)
    # A division change moves the tree: the rollups stop applying and the figure is added up live.
    hunnan = unit(HUNNAN)
    upsert_unit(
        actor=province, code=HUNNAN, name=hunnan.name, kind=hunnan.kind, parent=city,
        short_name=hunnan.short_name, valid_from=hunnan.valid_from, valid_to=datetime.date(2018, 5, 31),
        sort_order=hunnan.sort_order,
    )  # fmt: skip
    assert not rollups.usable()
    live = aggregate(user=province, indicator=export, unit=city, period_from=MAY, period_to=MAY)
    assert (live.ytd_value, live.reporting) == (D("700"), 2)  # 浑南 still existed on May 1
    rollups.rebuild()
    assert rollups.usable() and rollup(city, MAY)[1:] == (D("700"), 2)
    again = aggregate(user=province, indicator=export, unit=city, period_from=JUNE, period_to=JUNE)
    assert again.ytd_value == D("617") and again.children == read.children - 1
