"""A published snapshot, with its frozen inputs and results, is immutable at the database on both
engines: DELETE is refused by a trigger too (0002 refuses UPDATE). Nothing in the application
deletes a snapshot; a test database is wiped by TRUNCATE (PostgreSQL) or with its triggers lifted
for the flush by the test harness (SQLite, see conftest.py), never through a hole in the trigger."""

from django.db import migrations

MESSAGE = "published assessment snapshots are immutable"

SQLITE = [
    "CREATE TRIGGER assessment_snapshot_no_delete BEFORE DELETE ON assessment_assessmentsnapshot "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;",
]
SQLITE_REVERSE = ["DROP TRIGGER IF EXISTS assessment_snapshot_no_delete;"]

POSTGRES = [
    # The function assessment_snapshot_immutable() of 0002 raises the same message.
    "CREATE TRIGGER assessment_snapshot_no_delete BEFORE DELETE ON assessment_assessmentsnapshot "
    "FOR EACH ROW EXECUTE FUNCTION assessment_snapshot_immutable();",
]
POSTGRES_REVERSE = ["DROP TRIGGER IF EXISTS assessment_snapshot_no_delete ON assessment_assessmentsnapshot;"]


def forwards(apps, schema_editor):
    statements = POSTGRES if schema_editor.connection.vendor == "postgresql" else SQLITE
    for sql in statements:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    statements = POSTGRES_REVERSE if schema_editor.connection.vendor == "postgresql" else SQLITE_REVERSE
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("assessment", "0003_stamps_follow_app_clock")]
    operations = [migrations.RunPython(forwards, backwards)]
