"""The audit trail is append-only and hash-chained."""

import pytest
from django.db import DatabaseError, connection, transaction

from kaifang.audit.models import AuditChainHead, AuditEvent
from kaifang.audit.services import record_event, verify_chain
from kaifang.core.actors import SystemActor

pytestmark = pytest.mark.django_db


def test_events_chain_and_the_chain_verifies():
    first = record_event(actor=SystemActor("test"), action="test.one", object_repr="甲")
    second = record_event(
        actor=SystemActor("test"), action="test.two", object_repr="乙", before={"v": "1.10"}, after={"v": "2"}
    )
    assert second.prev_hash == first.hash
    count, broken = verify_chain()
    assert count >= 2 and broken == []


def test_an_event_cannot_be_changed_or_deleted_through_the_orm_or_sql():
    event = record_event(actor=SystemActor("test"), action="test.immutable")
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action = 'forged' WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "test.immutable"


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_auditevent SET action = 'forged' WHERE id = %s", "DELETE FROM audit_auditevent WHERE id = %s"],
)
def test_raw_sql_update_and_delete_of_an_event_are_refused_by_the_trigger_even_without_the_chain_head(statement):
    """On SQLite and PostgreSQL alike; removing the chain head row (which once let DELETE through on
    SQLite, for test flushes) opens nothing."""
    event = record_event(actor=SystemActor("test"), action="test.undeletable")
    AuditChainHead.objects.all().delete()
    with (
        pytest.raises(DatabaseError, match="audit events are append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "test.undeletable"
