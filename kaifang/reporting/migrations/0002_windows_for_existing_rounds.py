"""Write windows for the rounds that exist already, as the reporting services would have set them:
every unit × stored indicator of a round is open, locked when its submission is submitted,
approved or locked, and every one of a closed round is locked (a lock wins over an open window of
another round of the same month)."""

from django.db import migrations

DONE = {"submitted": "已提交", "approved": "已审核", "locked": "已锁定"}


def create_windows(apps, schema_editor):
    ReportingRound = apps.get_model("reporting", "ReportingRound")
    Submission = apps.get_model("reporting", "Submission")
    FigureWindow = apps.get_model("indicators", "FigureWindow")
    states = {}
    for round_ in ReportingRound.objects.prefetch_related("units", "indicators").order_by("pk"):
        indicators = [i for i in round_.indicators.all() if i.source != "formula"]
        statuses = dict(Submission.objects.filter(round=round_).values_list("unit_id", "status"))
        for unit in round_.units.all():
            status = statuses.get(unit.pk)
            if round_.status == "closed":
                state, reason = "locked", "报送批次已关闭"
            elif status in DONE:
                state, reason = "locked", f"{unit.name}报送{DONE[status]}"
            else:
                state, reason = "open", f"报送批次“{round_.name}”"
            for indicator in indicators:
                key = (unit.pk, indicator.pk, round_.period)
                if states.get(key, ("open",))[0] != "locked":
                    states[key] = (state, reason)
    FigureWindow.objects.bulk_create(
        [
            FigureWindow(
                unit_id=unit_id,
                indicator_id=indicator_id,
                period=period,
                state=state,
                reason=reason,
                changed_by_name="migration",
            )
            for (unit_id, indicator_id, period), (state, reason) in states.items()
        ],
        batch_size=2000,
    )


def remove_windows(apps, schema_editor):
    apps.get_model("indicators", "FigureWindow").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0001_initial"),
        ("indicators", "0005_figurewindow"),
    ]

    operations = [migrations.RunPython(create_windows, remove_windows)]
