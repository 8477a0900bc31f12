"""SQLite: refuse DELETE of audit events unconditionally again, as PostgreSQL always has.

0003 let DELETE through once the chain head row was gone, so that a test flush could wipe the
store; but any code able to delete that one row could then delete the trail. The test harness now
lifts the triggers only inside its own flush of a throwaway database (conftest.py), so production
keeps no hole. UPDATE stays refused (0002)."""

from django.db import migrations

FORWARD = [
    "DROP TRIGGER IF EXISTS audit_event_no_delete;",
    "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_auditevent "
    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;",
]
BACKWARD = [
    "DROP TRIGGER IF EXISTS audit_event_no_delete;",
    "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_auditevent "
    "WHEN EXISTS (SELECT 1 FROM audit_auditchainhead) "
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
    dependencies = [("audit", "0003_sqlite_delete_only_when_wiping")]
    operations = [migrations.RunPython(forwards, backwards)]
