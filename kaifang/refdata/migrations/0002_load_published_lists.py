"""Load the published reference files (data/reference/) into a new database.

Written with the historical models and without audit events: this is the schema owner installing
the lists the files publish, like the schema itself. Later changes go through
`kaifang load_reference --commit` or the admin, both audited.
"""

from django.db import migrations


def load(apps, schema_editor):  # type: ignore[no-untyped-def]
    from kaifang.refdata import files

    RefEntry = apps.get_model("refdata", "RefEntry")
    GroupMembership = apps.get_model("refdata", "GroupMembership")
    for list_code in files.LISTS:
        for index, row in enumerate(files.list_rows(list_code)):
            RefEntry.objects.update_or_create(
                list_code=list_code,
                code=row["code"],
                defaults={
                    "name": row["name"],
                    "parent_code": row.get("parent_code", ""),
                    "level": row.get("level", "") or row.get("kind", ""),
                    "valid_from": row["valid_from"],
                    "valid_to": row["valid_to"],
                    "source": row["source"],
                    "sort_order": index,
                },
            )
    rows = files.read_csv(files.MEMBERSHIPS, required={"group", "member", "valid_from", "valid_to", "source"})
    for row in rows:
        GroupMembership.objects.update_or_create(
            group=row["group"],
            member=row["member"],
            valid_from=row["valid_from"],
            defaults={"valid_to": row["valid_to"], "source": row["source"], "verification": row.get("verification", "")},
        )


class Migration(migrations.Migration):
    dependencies = [("refdata", "0001_reference_lists")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
