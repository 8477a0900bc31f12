"""A published snapshot (its frozen inputs, results and digest) cannot be changed or removed, not even
with raw SQL: a database trigger refuses UPDATE and DELETE on SQLite and PostgreSQL alike."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from kaifang.assessment import services
from kaifang.assessment.models import AssessmentSnapshot
from kaifang.assessment.tests.conftest import JUNE
from kaifang.audit.models import AuditEvent

STATEMENTS = [
    "UPDATE assessment_assessmentsnapshot SET results = inputs WHERE id = %s",
    "UPDATE assessment_assessmentsnapshot SET inputs = '{}' WHERE id = %s",
    "DELETE FROM assessment_assessmentsnapshot WHERE id = %s",
]


@pytest.mark.parametrize("statement", STATEMENTS)
def test_raw_sql_update_and_delete_of_a_published_snapshot_are_refused(statement, two_cities, province):
    snapshot = services.publish_assessment(actor=province, scheme=two_cities, period=JUNE)
    frozen = (snapshot.inputs, snapshot.results, snapshot.digest)
    with (
        pytest.raises(DatabaseError, match="published assessment snapshots are immutable"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement, [snapshot.pk])
    snapshot = AssessmentSnapshot.objects.get(pk=snapshot.pk)
    assert (snapshot.inputs, snapshot.results, snapshot.digest) == frozen


def test_the_orm_cannot_delete_a_published_snapshot_either(two_cities, province):
    snapshot = services.publish_assessment(actor=province, scheme=two_cities, period=JUNE)
    with pytest.raises(DatabaseError, match="immutable"), transaction.atomic():
        AssessmentSnapshot.objects.filter(pk=snapshot.pk).delete()
    assert AssessmentSnapshot.objects.filter(pk=snapshot.pk).exists()


# Transactional tests end with a flush of the test database: on SQLite the test harness lifts the
# triggers inside that flush only (conftest.py), on PostgreSQL the flush is TRUNCATE. These two prove
# the flush still works with snapshots and audit events present, and that the guard is back after it.


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_may_publish_and_its_flush_still_wipes_the_database(base_data, province, two_cities):
    services.publish_assessment(actor=province, scheme=two_cities, period=JUNE)
    assert AssessmentSnapshot.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_after_a_flush_the_triggers_still_refuse_update_and_delete(base_data, province, two_cities):
    assert not AssessmentSnapshot.objects.exists()  # the previous test's snapshot went with its flush
    snapshot = services.publish_assessment(actor=province, scheme=two_cities, period=JUNE)
    event = AuditEvent.objects.filter(action="assessment.snapshot.publish").latest("id")
    for sql, pk, message in [
        ("DELETE FROM assessment_assessmentsnapshot WHERE id = %s", snapshot.pk, "immutable"),
        ("UPDATE assessment_assessmentsnapshot SET digest = 'x' WHERE id = %s", snapshot.pk, "immutable"),
        ("DELETE FROM audit_auditevent WHERE id = %s", event.pk, "append-only"),
        ("UPDATE audit_auditevent SET action = 'x' WHERE id = %s", event.pk, "append-only"),
    ]:
        with pytest.raises(DatabaseError, match=message), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [pk])
