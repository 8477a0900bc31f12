"""Many threads saving the same values with versions on PostgreSQL: no lost or duplicated update."""

import datetime
import threading
from decimal import Decimal as D

import pytest
from django.conf import settings
from django.db import close_old_connections, connection

from kaifang.accounts.models import User
from kaifang.audit.models import AuditEvent
from kaifang.indicators.figures import FiguresRefused, StaleValues, ValueEntry
from kaifang.indicators.models import DataValue, DataValueHistory
from kaifang.indicators.services import save_values
from kaifang.indicators.services.windows import lock_windows
from kaifang.indicators.tests.factories import make_indicator, open_figures

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"], reason="concurrency needs PostgreSQL"
    ),
    pytest.mark.django_db(transaction=True),
]

MAR = datetime.date(2018, 3, 1)
THREADS = 8


def run_threads(work):
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def runner(i):
        try:
            barrier.wait()
            result = work(i)
        except StaleValues:
            result = "stale"
        except Exception as exc:
            result = f"error: {exc!r}"
        finally:
            close_old_connections()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


@pytest.fixture
def setup(base_data):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency needs PostgreSQL")
    hunnan = User.objects.select_related("unit").get(username="hunnan")
    open_figures([make_indicator("T_EXPORT"), make_indicator("T_IMPORT", name="进口额")], [hunnan.unit], MAR)
    return hunnan


def test_first_inserts_race_and_exactly_one_wins(setup):
    user = setup

    def work(i):
        save_values(actor=user, unit=user.unit, period=MAR, entries=[ValueEntry("T_EXPORT", D(100 + i))])
        return "saved"

    outcomes = run_threads(work)
    assert outcomes.count("saved") == 1, outcomes
    assert outcomes.count("stale") == THREADS - 1, outcomes
    row = DataValue.objects.get(indicator__code="T_EXPORT", unit=user.unit, period=MAR)
    assert row.version == 1 and DataValueHistory.objects.filter(value=row).count() == 1


def test_updates_from_the_same_version_apply_once_and_the_rest_conflict(setup):
    user = setup
    [row] = save_values(actor=user, unit=user.unit, period=MAR, entries=[ValueEntry("T_EXPORT", D("1"))])

    def work(i):
        save_values(
            actor=user,
            unit=user.unit,
            period=MAR,
            entries=[ValueEntry("T_IMPORT", D(i)), ValueEntry("T_EXPORT", D(200 + i), expected_version=row.version)],
        )
        return "saved"

    outcomes = run_threads(work)
    assert outcomes.count("saved") == 1, outcomes
    row.refresh_from_db()
    assert row.version == 2
    assert DataValueHistory.objects.filter(value=row).count() == 2
    # All or nothing: exactly one T_IMPORT row, from the same winning batch.
    imported = DataValue.objects.get(indicator__code="T_IMPORT", unit=user.unit, period=MAR)
    assert row.reported - 200 == imported.reported


def test_identical_retries_in_parallel_apply_once(setup):
    user = setup

    def work(i):
        save_values(actor=user, unit=user.unit, period=MAR, entries=[ValueEntry("T_EXPORT", D("555.5"))])
        return "saved"

    outcomes = run_threads(work)
    assert set(outcomes) == {"saved"}, outcomes
    row = DataValue.objects.get(indicator__code="T_EXPORT", unit=user.unit, period=MAR)
    assert row.version == 1 and DataValueHistory.objects.filter(value=row).count() == 1


def test_sequential_editors_with_fresh_versions_lose_nothing(setup):
    """Each thread re-reads and retries until its own increment (10^i, so no two values coincide with a
    stored one and trip the idempotent no-op) lands: the final value holds every increment."""
    user = setup
    save_values(actor=user, unit=user.unit, period=MAR, entries=[ValueEntry("T_EXPORT", D("0"))])

    def work(i):
        for _attempt in range(200):
            current = DataValue.objects.get(indicator__code="T_EXPORT", unit=user.unit, period=MAR)
            try:
                save_values(
                    actor=user,
                    unit=user.unit,
                    period=MAR,
                    entries=[ValueEntry("T_EXPORT", current.reported + 10**i, expected_version=current.version)],
                )
                return "saved"
            except StaleValues:
                continue
        return "gave up"

    outcomes = run_threads(work)
    assert outcomes == ["saved"] * THREADS
    row = DataValue.objects.get(indicator__code="T_EXPORT", unit=user.unit, period=MAR)
    assert row.reported == sum(D(10**i) for i in range(THREADS)) and row.version == THREADS + 1
    assert DataValueHistory.objects.filter(value=row).count() == THREADS + 1


def test_a_save_racing_a_lock_lands_before_it_or_not_at_all(setup):
    """Seven editors save while the unit's submission is submitted (its figures locked): a save and
    a lock take the unit's lock in the same order, so every save that went through committed
    before the lock, and every later one is refused — none lands in a locked month."""
    user = setup
    [row] = save_values(actor=user, unit=user.unit, period=MAR, entries=[ValueEntry("T_EXPORT", D("1"))])

    def work(i):
        if i == 0:
            lock_windows(actor=user, units=[user.unit], indicators=[row.indicator], period=MAR, reason="已提交")
            return "locked"
        try:
            current = DataValue.objects.get(pk=row.pk)
            save_values(
                actor=user,
                unit=user.unit,
                period=MAR,
                entries=[ValueEntry("T_EXPORT", D(100 + i), expected_version=current.version)],
            )
            return "saved"
        except FiguresRefused:
            return "refused"

    outcomes = run_threads(work)
    assert outcomes.count("locked") == 1 and set(outcomes) <= {"locked", "saved", "stale", "refused"}, outcomes
    lock_event = AuditEvent.objects.get(action="indicators.windows.lock")
    saves = AuditEvent.objects.filter(action="indicators.values.save", unit=user.unit)
    assert all(e.pk < lock_event.pk for e in saves)
    assert saves.count() == 1 + outcomes.count("saved")  # the first save, then the winners before the lock
