"""Nothing in the demo is dated after the demo's today (DESIGN: one clock); the demo's published
Q1 ranking shows the tie rule at work.

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
from decimal import Decimal as D

import pytest

from kaifang.core.testing import create_database, drop_database

DEMO_TODAY = datetime.date(2018, 7, 5)

# Fields whose values are plans or validity dates, not records of something that happened.
PLANS = {
    "reporting.ReportingRound.deadline": "the June round closes on 2018-07-10 (the demo lives before it)",
    "supervision.Task.deadline": "a task's deadline (办理时限) is set ahead when it is assigned",
    "supervision.Milestone.due_date": "a milestone's due date is a plan",
    "supervision.SupervisionAction.reply_by": "an urging notice asks for a reply by a later date",
    "orgs.OrgUnit.valid_from": "GB/T 2260 division changes that take effect after 2018 (not yet in force)",
    "refdata.GroupMembership.valid_from": "reference data: when a country joined a strategy group (e.g. 2023)",
    "refdata.GroupMembership.valid_to": "reference data: when a membership lapsed (e.g. Italy left 一带一路 in 2024)",
    "refdata.RefEntry.valid_from": "reference data: lists in force from a later edition (e.g. a 2022 list)",
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


# The published Q1 city ranking of the demo, one row per unit (run inside the demo's database).
Q1_RANKING = r"""
import json, django
django.setup()
from kaifang.assessment.models import AssessmentSnapshot
snapshot = AssessmentSnapshot.objects.get(scheme_code="KH-2018-CITY", period="2018-03-01")
units = snapshot.results["units"]
rows = {u["name"]: [u["total"], u["rank"], u["flags"], {i["code"]: i["points"] for i in u["items"]}] for u in units}
print(json.dumps(rows))
"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo loaded as `make demo` loads it, once for this module: run(script) → its stdout."""
    tmp_path = tmp_path_factory.mktemp("demo")
    url, pg_name = create_database("demodates", tmp_path)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "kaifang.settings",
        "KAIFANG_DEMO_TODAY": DEMO_TODAY.isoformat(),
        "KAIFANG_VAR_DIR": str(tmp_path),
    }

    def run(script: str) -> str:
        return subprocess.run(
            [sys.executable, "-c", script], env=env, check=True, capture_output=True, text=True
        ).stdout

    try:
        for step in (["migrate", "-v0"], ["load_demo"]):
            subprocess.run([sys.executable, "-m", "kaifang.cli", *step], env=env, check=True, capture_output=True)
        yield run
    finally:
        drop_database(pg_name)


def test_no_demo_record_is_dated_after_the_demo_today(demo):
    latest = {key: datetime.date.fromisoformat(v) for key, v in json.loads(demo(LATEST)).items() if v}
    # The check looks at real data: the demo's stamps, its history and its plans are all there.
    assert {"audit.AuditEvent.at", "reporting.Submission.first_submitted_at", "accounts.User.date_joined"} <= set(
        latest
    )
    assert set(PLANS) <= set(latest), "a plan listed here no longer exists or holds no data"
    after = {key: day for key, day in latest.items() if day > DEMO_TODAY and key not in PLANS}
    assert after == {}
    assert latest["audit.AuditEvent.at"] == DEMO_TODAY  # the loader itself writes on the demo's day


def test_the_published_q1_shows_the_tie_rule_deciding_between_equal_totals(demo):
    ranking = json.loads(demo(Q1_RANKING))
    benxi, panjin = ranking["本溪市"], ranking["盘锦市"]
    # The rule (KH-2018-CITY): "总分相同时按“实际利用外资”得分高者在前". Both cities total 84.46 —
    # 盘锦 82.96 from the figures plus its approved +1.5 entry for March — and 本溪's 实际利用外资
    # points (23.07) beat 盘锦's (18.65), so 本溪 is 7th and 盘锦 8th, not both 7th.
    assert benxi[0] == panjin[0] == "84.46"
    assert panjin[3]["bonus"] == "1.50"
    assert sum(D(p) for p in panjin[3].values()) == D("84.46")  # the items add up to the total
    assert (benxi[3]["fdi"], panjin[3]["fdi"]) == ("23.07", "18.65")
    assert (benxi[1], panjin[1]) == (7, 8)
    assert "同分按“实际利用外资”排序" in benxi[2] and "同分按“实际利用外资”排序" in panjin[2]
    assert not any(
        "同分" in flag for name, row in ranking.items() if name not in ("本溪市", "盘锦市") for flag in row[2]
    )
