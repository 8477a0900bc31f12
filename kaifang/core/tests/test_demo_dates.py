"""Nothing in the demo is dated after the demo's today (DESIGN: one clock).

Loads the demo exactly as `make demo` does (migrate + load_demo with KAIFANG_DEMO_TODAY=2018-07-05)
into a throwaway database of its own (SQLite file, or PostgreSQL when DATABASE_URL says so), then
looks at the latest value of every date and datetime field of every model (found by introspection,
so a new model or field is checked without touching this test). Only plans may lie ahead, each
listed below with its reason.
"""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys

from kaifang.core.testing import create_database, drop_database

DEMO_TODAY = datetime.date(2018, 7, 5)

# Fields whose values are plans or validity dates, not records of something that happened.
PLANS = {
    "reporting.ReportingRound.deadline": "the June round closes on 2018-07-10 (the demo lives before it)",
    "supervision.Task.deadline": "a task's deadline (办理时限) is set ahead when it is assigned",
    "supervision.Milestone.due_date": "a milestone's due date is a plan",
    "supervision.SupervisionAction.reply_by": "an urging notice asks for a reply by a later date",
    "orgs.OrgUnit.valid_from": "GB/T 2260 division changes that take effect after 2018 (not yet in force)",
}

# The latest value of each date/datetime field, as a local date (run inside the demo's database).
LATEST = r"""
import datetime, json, django
django.setup()
from django.apps import apps
from django.db import models
from django.db.models import Max
from django.utils import timezone
latest = {}
for model in apps.get_models():
    for field in model._meta.concrete_fields:
        if isinstance(field, models.DateField):
            value = model._base_manager.aggregate(m=Max(field.name))["m"]
            if isinstance(value, datetime.datetime):
                value = timezone.localtime(value).date()
            latest[f"{model._meta.label}.{field.name}"] = value.isoformat() if value else None
print(json.dumps(latest))
"""


def test_no_demo_record_is_dated_after_the_demo_today(tmp_path):
    url, pg_name = create_database("demodates", tmp_path)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "kaifang.settings",
        "KAIFANG_DEMO_TODAY": DEMO_TODAY.isoformat(),
        "KAIFANG_VAR_DIR": str(tmp_path),
    }
    try:
        for step in (["migrate", "-v0"], ["load_demo"]):
            subprocess.run([sys.executable, "-m", "kaifang.cli", *step], env=env, check=True, capture_output=True)
        out = subprocess.run([sys.executable, "-c", LATEST], env=env, check=True, capture_output=True, text=True)
    finally:
        drop_database(pg_name)
    latest = {key: datetime.date.fromisoformat(v) for key, v in json.loads(out.stdout).items() if v}
    # The check looks at real data: the demo's stamps, its history and its plans are all there.
    assert {"audit.AuditEvent.at", "reporting.Submission.first_submitted_at", "accounts.User.date_joined"} <= set(
        latest
    )
    assert set(PLANS) <= set(latest), "a plan listed here no longer exists or holds no data"
    after = {key: day for key, day in latest.items() if day > DEMO_TODAY and key not in PLANS}
    assert after == {}
    assert latest["audit.AuditEvent.at"] == DEMO_TODAY  # the loader itself writes on the demo's day
