"""A second province from zero, as its own administrators would do it, on an empty database with no
demo: 试点省 (990000, invented; kaifang/core/tests/corpus/province_990000).

init_province (divisions, departments, the three administrators, the starter catalogue) → the
system administrator imports 40 accounts from Excel → the security administrator grants them and
prints one-time passwords → targets from Excel (province → cities, a city → its counties) → the
city scheme from YAML → the year's rounds from the calendar → county reporters submit January,
the city approves → the supervisor publishes the January assessment.
"""

from __future__ import annotations

import csv
import datetime
import re
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from freezegun import freeze_time

from kaifang.accounts.models import User
from kaifang.accounts.services.imports import COLUMNS, SHEET
from kaifang.assessment.models import AssessmentScheme, AssessmentSnapshot
from kaifang.assessment.services import publish_assessment
from kaifang.core.testing import xlsx_bytes
from kaifang.indicators.figures import ValueEntry
from kaifang.indicators.models import Indicator, Target
from kaifang.indicators.services import target_files
from kaifang.orgs.models import OrgUnit, UnitGroup
from kaifang.reporting.models import ReportingRound, RoundStatus, Submission, SubmissionStatus
from kaifang.reporting.services import save_submission_values, transition

CORPUS = Path(__file__).parent / "corpus" / "province_990000"
NEW_PASSWORD = "Blue-river-47!"
SETUP_DAY = "2019-02-05 10:00:00+08:00"  # January's round is open (1–11 February)
PUBLISH_DAY = "2019-02-20 10:00:00+08:00"  # its deadline (11 Feb, a Sunday moved to Monday) + 2 days' grace passed


def empty_database() -> None:
    from kaifang.audit.models import AuditChainHead

    AuditChainHead.objects.all().delete()  # the audit store may only be wiped without its chain head
    call_command("flush", interactive=False, verbosity=0)
    assert not OrgUnit.objects.exists() and not User.objects.exists() and not Indicator.objects.exists()


def first_sign_in(username: str, password: str) -> Client:
    """Sign in with a one-time password: every page sends you to change it first."""
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": password})
    assert response.status_code == 302, username
    assert client.get("/").headers["Location"].startswith("/accounts/password/")
    changed = client.post(
        "/accounts/password/",
        {"old_password": password, "new_password": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert changed.status_code == 302 and client.get("/").status_code == 200
    return client


def upload(client: Client, url: str, name: str, data: bytes, **fields: str) -> object:
    """The two steps of a setup import page: check the file, then confirm the very file checked."""
    checked = client.post(url, {"file": SimpleUploadedFile(name, data), **fields})
    assert checked.status_code == 200, checked.content.decode()[:2000]
    token = checked.context["token"]
    assert token
    return client.post(url, {"token": token, **fields})


def accounts_workbook() -> bytes:
    rows = list(csv.reader((CORPUS / "accounts.csv").read_text(encoding="utf-8").splitlines()))
    assert rows[0] == COLUMNS and len(rows) == 41
    return xlsx_bytes({SHEET: rows})


@pytest.mark.django_db(transaction=True)
def test_a_synthetic_province_goes_from_an_empty_database_to_a_published_assessment(settings):
    settings.KAIFANG_PROVINCE_CODE = "990000"
    settings.KAIFANG_DEMO_TODAY = ""
    assert Client().get("/healthz").status_code == 200  # load the URLs (and API schemas) before the clock stops
    empty_database()
    with freeze_time(SETUP_DAY):
        out = StringIO()
        call_command(
            "init_province",
            divisions=CORPUS / "divisions.csv",
            departments=CORPUS / "departments.csv",
            commit=True,
            stdout=out,
            stderr=StringIO(),
        )
        printed = dict(re.findall(r"：(\w+)  一次性密码：(\S+)", out.getvalue()))
        assert set(printed) == {"sysadmin", "secadmin", "auditadmin"}
        assert OrgUnit.objects.count() == 11 + 2 and Indicator.objects.count() == 17
        assert UnitGroup.objects.get(code="G-CITIES").members.count() == 3

        # The system administrator imports the 40 accounts: none can sign in or see anything yet.
        sysadmin = first_sign_in("sysadmin", printed["sysadmin"])
        done = upload(sysadmin, "/accounts/users/import/", "accounts.xlsx", accounts_workbook())
        assert done.status_code == 302  # type: ignore[attr-defined]
        imported = User.objects.exclude(username__in=printed)
        assert imported.count() == 40 and not imported.filter(scope_granted_at__isnull=False).exists()

        # The security administrator grants them their roles and prints the one-time passwords.
        secadmin = first_sign_in("secadmin", printed["secadmin"])
        sheet = secadmin.post("/accounts/users/passwords/", {"ids": [u.pk for u in imported], "grant": "1"})
        page = sheet.content.decode()
        names = re.findall(r'<dd class="mono">([\w.]+)</dd>', page)
        secrets = re.findall(r'<dd class="mono secret">(\S+)</dd>', page)
        otp = dict(zip(names, secrets, strict=True))
        assert len(otp) == 40 and not User.objects.filter(pk__in=imported, scope_granted_at__isnull=True).exists()

        # Targets: the supervisor hands FDI down to the cities; 青川市 to its three counties.
        supervisor = first_sign_in("sd.duchao1", otp["sd.duchao1"])
        cities = [[2019, code, "", "FDI", "", "", value] for code, value in (("990100", 2400), ("990200", 3000))]
        cities.append([2019, "990300", "", "FDI", "", "", 1200])
        targets = xlsx_bytes({target_files.SHEET: [target_files.COLUMNS, *cities]})
        assert upload(supervisor, "/indicators/targets/import/", "t.xlsx", targets).status_code == 302  # type: ignore[attr-defined]
        qingchuan = first_sign_in("qc.city1", otp["qc.city1"])
        counties = [[2019, c, "", "FDI", "", "", v] for c, v in (("990102", 1000), ("990103", 900), ("990121", 600))]
        counties_file = xlsx_bytes({target_files.SHEET: [target_files.COLUMNS, *counties]})
        checked = qingchuan.post(
            "/indicators/targets/import/", {"file": SimpleUploadedFile("c.xlsx", counties_file)}
        ).context["result"]
        gap = next(g for g in checked.gaps if g.unit.code == "990100")
        # 1,000 + 900 + 600 = 2,500 handed down against the city's 2,400: 100 more than it was given.
        assert (gap.own, gap.children_sum, gap.difference) == (Decimal(2400), Decimal(2500), Decimal(100))
        assert upload(qingchuan, "/indicators/targets/import/", "c.xlsx", counties_file).status_code == 302  # type: ignore[attr-defined]
        assert Target.objects.filter(year=2019, indicator__code="FDI").count() == 6

        # The city scheme from YAML, put in use; the year's rounds from the calendar.
        scheme_file = (CORPUS / "scheme.yaml").read_bytes()
        done = upload(supervisor, "/assessment/schemes/import/", "scheme.yaml", scheme_file, activate="1")
        assert done.status_code == 302  # type: ignore[attr-defined]
        calendar = {
            "year": "2019",
            "months": [str(m) for m in range(1, 13)],
            "opens_day": "1",
            "deadline_day": "10",
            "grace_days": "2",
            "weekend_to_monday": "on",
            "unit_kinds": ["county", "department"],
            "indicators": ["FDI"],
            "create": "1",
        }
        assert supervisor.post("/reporting/calendar/", calendar).status_code == 302
        assert ReportingRound.objects.count() == 12
        january = ReportingRound.objects.get(period=datetime.date(2019, 1, 1))
        assert january.status == RoundStatus.OPEN and january.units.count() == 7 + 2
        assert ReportingRound.objects.filter(status=RoundStatus.PLANNED).count() == 11

        # County reporters type and submit January; the cities approve.
        figures = {"qcdc.report1": "120", "qcxc.report1": "80", "bsq.report1": "300", "bsx.report1": "200"}
        for username, fdi in figures.items():
            first_sign_in(username, otp[username])
            reporter = User.objects.get(username=username)
            # Deny by default held until the grant: now the reporter sees exactly their own county.
            assert list(OrgUnit.objects.visible_to(reporter)) == [reporter.unit]
            submission = Submission.objects.get(round=january, unit=reporter.unit)
            save_submission_values(actor=reporter, submission=submission, entries=[ValueEntry("FDI", fdi, "", None)])
            transition(actor=reporter, submission=submission, action="submit")
        for officer, county in (("qc.city1", "990102"), ("qc.city1", "990103"), ("bs.city1", "990202")):
            transition(
                actor=User.objects.get(username=officer),
                submission=Submission.objects.get(round=january, unit__code=county),
                action="approve",
            )
        statuses = dict(Submission.objects.filter(round=january).values_list("unit__code", "status"))
        assert statuses["990102"] == statuses["990202"] == SubmissionStatus.APPROVED
        assert statuses["990221"] == SubmissionStatus.SUBMITTED and statuses["990121"] == SubmissionStatus.DRAFT

    with freeze_time(PUBLISH_DAY):
        scheme = AssessmentScheme.objects.get(code="SD-2019-CITY", status="active")
        snapshot = publish_assessment(
            actor=User.objects.get(username="sd.duchao1"),
            scheme=scheme,
            period=datetime.date(2019, 1, 1),
            reason="2019年1月考核结果",
        )
    units = {u["code"]: u for u in snapshot.results["units"]}
    points = {code: {i["code"]: Decimal(i["points"]) for i in u["items"]} for code, u in units.items()}
    # FDI, weight 60, cap 120%, at January (time progress 1/12):
    #   青川市 120 + 80 = 200 of 2,400 = 1/12 → ratio 1.0 → 60.00
    #   白石市 300 + 200 = 500 of 3,000 = 1/6 → ratio 2.0, capped at 1.2 → 72.00
    #   临江市 nothing reported → missing, 0 points
    assert (points["990100"]["fdi"], points["990200"]["fdi"], points["990300"]["fdi"]) == (
        Decimal("60.00"),
        Decimal("72.00"),
        Decimal("0.00"),
    )
    # Reporting, weight 40, a city answers for the counties it approves: January's round counts (its
    # deadline plus grace passed on 13 February). 青川市 2 of 3 on time → 2/3 × 40 = 26.67;
    # 白石市 2 of 2 → 40.00; 临江市 0 of 2 → 0.00.
    assert (points["990100"]["reporting"], points["990200"]["reporting"], points["990300"]["reporting"]) == (
        Decimal("26.67"),
        Decimal("40.00"),
        Decimal("0.00"),
    )
    # Totals 86.67, 112.00, 0.00: 白石市 first, 青川市 second.
    assert [units[c]["rank"] for c in ("990200", "990100", "990300")] == [1, 2, 3]
    assert Decimal(units["990100"]["total"]) == Decimal("86.67")
    assert AssessmentSnapshot.objects.filter(scheme_code="SD-2019-CITY").count() == 1
    # Nothing of the Liaoning demo is anywhere.
    assert not OrgUnit.objects.filter(code__startswith="21").exists()
    assert not User.objects.filter(username__in=["province", "admin", "hunnan"]).exists()


@pytest.mark.django_db(transaction=True)
def test_init_province_checks_without_commit_names_a_wrong_province_code_and_runs_once(settings):
    from django.core.management import CommandError

    empty_database()
    settings.KAIFANG_PROVINCE_CODE = "990000"
    out = StringIO()
    call_command("init_province", divisions=CORPUS / "divisions.csv", stdout=out, stderr=StringIO())
    assert "检查通过" in out.getvalue() and "一次性密码" not in out.getvalue()
    assert not OrgUnit.objects.exists() and not User.objects.exists()
    settings.KAIFANG_PROVINCE_CODE = "210000"
    with pytest.raises(
        CommandError, match="省级单位 210000（KAIFANG_PROVINCE_CODE）不在行政区划中（其中的省级单位：990000）"
    ):
        call_command("init_province", divisions=CORPUS / "divisions.csv", commit=True, stdout=StringIO())
    assert not OrgUnit.objects.exists()
    settings.KAIFANG_PROVINCE_CODE = "990000"
    call_command("init_province", divisions=CORPUS / "divisions.csv", commit=True, stdout=StringIO(), stderr=StringIO())
    again = StringIO()
    call_command("init_province", divisions=CORPUS / "divisions.csv", commit=True, stdout=again, stderr=StringIO())
    assert "已有 sysadmin，不再创建" in again.getvalue() and "一次性密码" not in again.getvalue()
    assert User.objects.count() == 3 and Indicator.objects.count() == 17
