"""SQLite: allow DELETE of audit events only once the chain head is gone, i.e. when the whole
audit store is being wiped (a test database flush, or restoring a backup). The head row is never
deleted by the application, and deleting it breaks `kaifang verify_audit` visibly. UPDATE stays
forbidden. PostgreSQL keeps refusing UPDATE and DELETE (a flush there uses TRUNCATE)."""

from django.db import migrations

FORWARD = [
    "DROP TRIGGER IF EXISTS audit_event_no_delete;",
    "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_auditevent "
    "WHEN EXISTS (SELECT 1 FROM audit_auditchainhead) "
    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;",
]
BACKWARD = [
    "DROP TRIGGER IF EXISTS audit_event_no_delete;",
    "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_auditevent "
    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in FORWARD:
            schema_editor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_triggers")]
    operations = [migrations.RunPython(forwards, backwards)]
