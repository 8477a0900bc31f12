"""kaifang.core.bulk: the set-based insert and update the import's hot path writes through, checked on
whichever database the suite runs on (SQLite, then PostgreSQL)."""

import datetime
from decimal import Decimal as D

import pytest
from django.utils import timezone

from kaifang.core.bulk import insert_rows, update_columns
from kaifang.indicators.models import DataValue, DataValueHistory
from kaifang.indicators.tests.factories import make_indicator

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True, params=["auto", "orm"])
def bulk_sql(request, settings):  # type: ignore[no-untyped-def]
    """Each test with the hand-written SQL and with the portable ORM path (KAIFANG_BULK_SQL=orm,
    the seam for domestic databases, docs/operations.md §15)."""
    settings.KAIFANG_BULK_SQL = request.param
    return request.param


JUNE = datetime.date(2018, 6, 1)
HOSTILE = ["' OR 1=1 --", "1;DROP TABLE audit_auditevent", '"引号"与\\反斜杠', "%s %b {}", "多行\n说明"]
COLUMNS = ["indicator", "unit", "period", "reported", "comment", "version", "updated_by", "updated_at"]


def _rows(indicators, unit, user, when):
    return [
        (ind.pk, unit.pk, JUNE, D("12345678901.2345") if n == 0 else None, HOSTILE[n % len(HOSTILE)], 1, user.pk, when)
        for n, ind in enumerate(indicators)
    ]


def test_insert_returns_keys_in_row_order_and_stores_every_value_exactly(hunnan):
    indicators = [make_indicator(f"T_B{n}", name=f"指标{n}") for n in range(7)]
    when = timezone.now().replace(microsecond=123456)
    keys = insert_rows(DataValue, COLUMNS, _rows(indicators, hunnan.unit, hunnan, when))
    stored = {row.pk: row for row in DataValue.objects.filter(pk__in=keys)}
    assert [stored[k].indicator_id for k in keys] == [i.pk for i in indicators]
    first = stored[keys[0]]
    assert first.reported == D("12345678901.2345") and first.period == JUNE and first.updated_at == when
    assert [stored[k].comment for k in keys] == [HOSTILE[n % len(HOSTILE)] for n in range(7)]  # values, never SQL
    assert all(stored[k].reported is None for k in keys[1:])
    assert DataValue.objects.count() == 7  # the injection strings dropped nothing and added nothing


def test_update_sets_only_the_named_columns_of_the_named_rows(hunnan, shenhe):
    indicators = [make_indicator(f"T_B{n}", name=f"指标{n}") for n in range(3)]
    when = timezone.now()
    mine = insert_rows(DataValue, COLUMNS, _rows(indicators, hunnan.unit, hunnan, when))
    theirs = insert_rows(DataValue, COLUMNS, _rows(indicators, shenhe.unit, shenhe, when))
    sent = update_columns(
        DataValue,
        ["reported", "month_value", "comment", "version"],
        [(mine[0], D("-0.0001"), D("7"), "改", 2), (mine[2], None, None, HOSTILE[1], 3)],
    )
    assert sent == 2
    rows = {r.pk: r for r in DataValue.objects.all()}
    assert (rows[mine[0]].reported, rows[mine[0]].month_value, rows[mine[0]].comment, rows[mine[0]].version) == (
        D("-0.0001"),
        D("7"),
        "改",
        2,
    )
    assert (rows[mine[2]].reported, rows[mine[2]].comment, rows[mine[2]].version) == (None, HOSTILE[1], 3)
    assert rows[mine[1]].version == 1 and rows[mine[1]].comment == HOSTILE[1]  # not named: untouched
    assert all(rows[k].version == 1 for k in theirs)  # another unit's rows: untouched
    assert rows[mine[0]].updated_at == when  # a column not named keeps its value
    update_columns(DataValue, ["ytd_value", "updated_by"], [(mine[0], None, None), (mine[1], None, None)])
    assert list(DataValue.objects.filter(pk__in=mine[:2]).values_list("ytd_value", "updated_by")) == [(None, None)] * 2


def test_more_rows_than_one_statement_carries(hunnan, monkeypatch):
    import kaifang.core.bulk as bulk

    monkeypatch.setattr(bulk, "MAX_ROWS_PER_STATEMENT", 4)
    indicators = [make_indicator(f"T_B{n:02d}", name=f"指标{n}") for n in range(11)]
    keys = insert_rows(DataValue, COLUMNS, _rows(indicators, hunnan.unit, hunnan, timezone.now()))
    assert len(keys) == len(set(keys)) == 11
    update_columns(DataValue, ["version"], [(k, n + 10) for n, k in enumerate(keys)])
    assert [DataValue.objects.get(pk=k).version for k in keys] == list(range(10, 21))
    history = insert_rows(
        DataValueHistory,
        ["value", "new_reported", "old_comment", "new_comment", "version", "actor_name", "at", "channel"],
        [(k, D(n), "", "", 1, "浑南", timezone.now(), "import") for n, k in enumerate(keys)],
    )
    assert [DataValueHistory.objects.get(pk=h).value_id for h in history] == keys


def test_a_row_of_the_wrong_width_is_refused_before_anything_is_written(hunnan):
    indicator = make_indicator()
    with pytest.raises(ValueError):
        insert_rows(DataValue, COLUMNS, [(indicator.pk, hunnan.unit.pk, JUNE)])
    assert not DataValue.objects.exists()
