"""Accounts that existed before scope grants were made by the operator (command line, demo): they
keep the scope they had, granted as of their creation, and get their first posting record."""

from django.db import migrations


def grant_existing(apps, schema_editor):  # type: ignore[no-untyped-def]
    User = apps.get_model("accounts", "User")
    UnitAssignment = apps.get_model("accounts", "UnitAssignment")
    for user in User.objects.filter(scope_granted_at__isnull=True).iterator():
        User.objects.filter(pk=user.pk).update(scope_granted_at=user.date_joined)
        if user.unit_id is not None and not UnitAssignment.objects.filter(user_id=user.pk).exists():
            UnitAssignment.objects.create(
                user_id=user.pk, unit_id=user.unit_id, role=user.role, since=user.date_joined, changed_by="migration"
            )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_user_scope_grant_postings_imports")]

    operations = [migrations.RunPython(grant_existing, migrations.RunPython.noop)]
