"""Many threads editing and submitting the same forms on PostgreSQL: nothing lost, nothing twice."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection

from kaifang.accounts.models import User
from kaifang.audit.models import AuditEvent
from kaifang.indicators.figures import StaleValues
from kaifang.indicators.models import DataValue, DataValueHistory
from kaifang.reporting.models import Submission, SubmissionEvent
from kaifang.reporting.models import SubmissionStatus as S
from kaifang.reporting.services import save_submission_values, transition
from kaifang.reporting.tests.conftest import entries, make_catalogue, make_round

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

THREADS = 8
COUNTIES = ("210112", "210103")


def run_threads(work):  # type: ignore[no-untyped-def]
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def runner(i: int) -> None:
        try:
            barrier.wait()
            result = work(i)
        except StaleValues:
            result = "stale"
        except ValidationError as exc:
            result = exc.code or "invalid"
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
def setup(base_data, clock):  # type: ignore[no-untyped-def]
    if connection.vendor != "postgresql":
        pytest.skip("concurrency needs PostgreSQL")
    round_ = make_round(make_catalogue())
    users = {u.unit.code: u for u in User.objects.select_related("unit").filter(username__in=["hunnan", "shenhe"])}
    subs = {
        s.unit.code: s
        for s in Submission.objects.filter(round=round_, unit__code__in=COUNTIES).select_related("unit", "round")
    }
    for code in COUNTIES:
        save_submission_values(actor=users[code], submission=subs[code], entries=entries())
    return users, subs


def test_edits_from_the_same_version_apply_once_per_form_and_the_rest_conflict(setup):
    users, subs = setup

    def work(i: int) -> str:
        # Every thread types a figure different from the stored 600: an unchanged figure would be an
        # idempotent no-op and succeed whatever its version.
        code = COUNTIES[i % 2]
        save_submission_values(
            actor=users[code], submission=subs[code], entries=entries({"EXPORT": str(700 + i)}, versions={"EXPORT": 1})
        )
        return "saved"

    outcomes = run_threads(work)
    assert outcomes.count("saved") == 2 and outcomes.count("stale") == THREADS - 2, outcomes
    for code in COUNTIES:
        row = DataValue.objects.get(unit__code=code, indicator__code="EXPORT")
        assert row.version == 2 and DataValueHistory.objects.filter(value=row).count() == 2


def test_many_submits_of_the_same_form_apply_once(setup):
    users, subs = setup

    def work(i: int) -> str:
        code = COUNTIES[i % 2]
        key = "same-form" if i < 4 else f"tab-{i}"  # double clicks of one form, and other tabs
        outcome = transition(actor=users[code], submission=subs[code], action="submit", key=key)
        return "applied" if outcome.applied else "repeat"

    outcomes = run_threads(work)
    assert outcomes.count("applied") == 2 and outcomes.count("repeat") == THREADS - 2, outcomes
    for code in COUNTIES:
        assert Submission.objects.get(pk=subs[code].pk).status == S.SUBMITTED
        assert SubmissionEvent.objects.filter(submission=subs[code], action="submit").count() == 1
        assert (
            AuditEvent.objects.filter(action="reporting.submission.submit", object_id=str(subs[code].pk)).count() == 1
        )


def test_edits_racing_a_submit_are_either_in_the_submitted_data_or_refused(setup):
    users, subs = setup

    def work(i: int) -> str:
        code = COUNTIES[i % 2]
        if i in (0, 1):
            transition(actor=users[code], submission=subs[code], action="submit", key=f"s{i}")
            return "submitted"
        current = DataValue.objects.get(unit__code=code, indicator__code="FIRMS").version
        save_submission_values(
            actor=users[code],
            submission=subs[code],
            entries=entries({"FIRMS": str(10 + i)}, versions={"FIRMS": current}),
        )
        return "saved"

    outcomes = run_threads(work)
    assert outcomes.count("submitted") == 2, outcomes
    assert all(o in ("submitted", "saved", "stale", "locked") for o in outcomes), outcomes
    saved = outcomes.count("saved")
    total_history = sum(
        DataValueHistory.objects.filter(value__unit__code=code, value__indicator__code="FIRMS").count()
        for code in COUNTIES
    )
    assert total_history == 2 + saved  # the first save of each form, plus every save reported as done
    for code in COUNTIES:
        sub = Submission.objects.get(pk=subs[code].pk)
        row = DataValue.objects.get(unit__code=code, indicator__code="FIRMS")
        assert sub.status == S.SUBMITTED
        # nothing changed after the submit committed: the last change is not later than the submit event
        last = DataValueHistory.objects.filter(value=row).order_by("-id").first()
        submit = SubmissionEvent.objects.get(submission=sub, action="submit")
        assert (
            last is not None
            and last.at <= AuditEvent.objects.get(action="reporting.submission.submit", object_id=str(sub.pk)).at
        )
        assert submit.to_status == S.SUBMITTED
