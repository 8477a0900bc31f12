"""A published snapshot is immutable at the database too: UPDATE is refused by a trigger."""

from django.db import migrations

SQLITE = [
    "CREATE TRIGGER assessment_snapshot_no_update BEFORE UPDATE ON assessment_assessmentsnapshot "
    "BEGIN SELECT RAISE(ABORT, 'published assessment snapshots are immutable'); END;",
]
SQLITE_REVERSE = ["DROP TRIGGER IF EXISTS assessment_snapshot_no_update;"]

POSTGRES = [
    """CREATE OR REPLACE FUNCTION assessment_snapshot_immutable() RETURNS trigger AS $$
    BEGIN RAISE EXCEPTION 'published assessment snapshots are immutable'; END; $$ LANGUAGE plpgsql;""",
    "CREATE TRIGGER assessment_snapshot_no_update BEFORE UPDATE ON assessment_assessmentsnapshot "
    "FOR EACH ROW EXECUTE FUNCTION assessment_snapshot_immutable();",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS assessment_snapshot_no_update ON assessment_assessmentsnapshot;",
    "DROP FUNCTION IF EXISTS assessment_snapshot_immutable();",
]


def forwards(apps, schema_editor):
    statements = POSTGRES if schema_editor.connection.vendor == "postgresql" else SQLITE
    for sql in statements:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    statements = POSTGRES_REVERSE if schema_editor.connection.vendor == "postgresql" else SQLITE_REVERSE
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("assessment", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
