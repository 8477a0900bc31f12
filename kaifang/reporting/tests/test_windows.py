"""Rounds drive the figures' windows, and a locked month is refused on every path a unit can write
through — the form, the submission API, the values API, an Excel import (page and CLI) — with a
message naming the month, while another county changes nothing. (The decision itself:
kaifang/indicators/tests/test_windows.py.)"""

from __future__ import annotations

import datetime
import importlib
import io
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError

from kaifang.core.actors import PlainStringActor, SystemActor
from kaifang.indicators.figures import FiguresRefused, ValueEntry
from kaifang.indicators.models import DataValue, FigureWindow
from kaifang.indicators.services import save_many
from kaifang.orgs.models import OrgUnit
from kaifang.reporting.excel import build_template
from kaifang.reporting.models import ImportStatus, ReportingRound, RoundKind, Submission
from kaifang.reporting.selectors import round_overview
from kaifang.reporting.services import close_round, open_round, save_submission_values, transition
from kaifang.reporting.services.imports import request_apply, upload_workbook
from kaifang.reporting.tests.conftest import GOOD, JUNE, at, entries
from kaifang.reporting.tests.test_excel import fill, hunnan_values

pytestmark = pytest.mark.django_db

TEST = SystemActor(name="test")
MAY = datetime.date(2018, 5, 1)
ROUND_UNITS = ["210112", "210103", "210211", "210100", "210200", "SWT"]
STORED = ["TRADE", "EXPORT", "IMPORT", "FIRMS", "TALENT"]  # TALENT: ledger-derived, stored too


def states(unit_code: str = "210112", period: datetime.date = JUNE) -> dict[str, tuple[str, str]]:
    return {
        w.indicator.code: (w.state, w.reason)
        for w in FigureWindow.objects.filter(unit__code=unit_code, period=period).select_related("indicator")
    }


def export_of(unit_code: str = "210112") -> Decimal | None:
    return DataValue.objects.get(unit__code=unit_code, indicator__code="EXPORT", period=JUNE).reported


def submitted(sub_of, hunnan):  # type: ignore[no-untyped-def]
    sub = sub_of("210112")
    save_submission_values(actor=hunnan, submission=sub, entries=entries())  # EXPORT 600
    transition(actor=hunnan, submission=sub, action="submit")
    return sub


def test_a_round_opens_the_figures_of_its_units_and_stored_indicators_for_its_month(june_round):
    # 6 units × 5 stored indicators = 30 windows, all open, none for any other month.
    windows = FigureWindow.objects.filter(period=JUNE)
    assert windows.count() == 30 and set(windows.values_list("state", flat=True)) == {"open"}
    assert set(windows.values_list("unit__code", flat=True)) == set(ROUND_UNITS)
    assert set(windows.values_list("indicator__code", flat=True)) == set(STORED)
    assert states()["EXPORT"] == ("open", "报送批次“2018年6月开放指标”")
    assert not FigureWindow.objects.exclude(period=JUNE).exists()


def test_submit_locks_return_reopens_approve_locks_unapprove_reopens(sub_of, hunnan, shenyang, clock):
    sub = submitted(sub_of, hunnan)
    assert states() == {code: ("locked", "浑南区报送已提交") for code in STORED}
    assert set(states("210103").values()) == {("open", "报送批次“2018年6月开放指标”")}  # 沈河区 untouched
    transition(actor=shenyang, submission=sub, action="return", reason="出口额请核对")
    assert states() == {code: ("open", "浑南区报送已退回修改") for code in STORED}
    save_submission_values(actor=hunnan, submission=sub, entries=entries({"EXPORT": "610"}, versions={"EXPORT": 1}))
    transition(actor=hunnan, submission=sub, action="submit")
    transition(actor=shenyang, submission=sub, action="approve")
    assert states()["EXPORT"] == ("locked", "浑南区报送已审核")
    transition(actor=shenyang, submission=sub, action="unapprove", reason="撤销")
    assert states()["EXPORT"] == ("open", "浑南区报送已撤销审核")
    assert export_of() == Decimal("610")


def test_a_submitted_month_is_refused_on_every_path_naming_the_month(
    sub_of, hunnan, shenhe, june_round, client_for, clock, tmp_path
):
    # Checked while still a draft, so the file passes its preview; applied after the submit below.
    data = fill(build_template(hunnan, june_round, hunnan.unit), hunnan_values(EXPORT=650))
    early = upload_workbook(user=hunnan, round_=june_round, data=data, filename="浑南区.xlsx")
    assert early.status == ImportStatus.CHECKED
    sub = submitted(sub_of, hunnan)
    versions = dict(DataValue.objects.filter(unit__code="210112").values_list("indicator__code", "version"))
    locked = "2018年6月已锁定（浑南区报送已提交）：浑南区 出口额 不能修改"

    with pytest.raises(FiguresRefused) as refused:  # the service the form, API and import share
        save_submission_values(actor=hunnan, submission=sub, entries=entries({"EXPORT": "1"}, versions=versions))
    assert refused.value.code == "locked" and refused.value.messages[0].startswith(locked)

    c = client_for(hunnan)
    form = {"key": "k-1", "action": "save", **{f"v_{k}": v for k, v in GOOD.items()}, "v_EXPORT": "1"}
    form.update({f"ver_{k}": str(v) for k, v in versions.items()})
    page = c.post(f"/reporting/{june_round.pk}/210112/", form)
    assert page.status_code == 400 and locked in page.content.decode()

    body = {"entries": [{"indicator": "EXPORT", "value": "1", "expected_version": versions["EXPORT"]}]}
    api = c.post(f"/api/v1/submissions/{sub.pk}/values", body, content_type="application/json")
    assert api.status_code == 400 and locked in api.json()["detail"][0]

    body = {"unit": "210112", "period": "2018-06", "entries": body["entries"]}
    values_api = c.post("/api/v1/values", body, content_type="application/json")
    assert values_api.status_code == 400 and locked in values_api.json()["detail"][0]

    applied = request_apply(user=hunnan, batch=early)
    assert applied.status == ImportStatus.FAILED
    assert any(locked in p["text"] for p in applied.problems), applied.problems

    path = tmp_path / "浑南区.xlsx"
    path.write_bytes(fill(build_template(hunnan, june_round, hunnan.unit), hunnan_values(EXPORT=1)))
    printed = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_values", str(path), user="hunnan", commit=True, stdout=printed)
    assert "“浑南区”2018年6月的报送状态为“已提交待审核”，数据只读，不能导入" in printed.getvalue()

    # Another county changes nothing, open window or not.
    other = client_for(shenhe)
    assert other.post(f"/api/v1/submissions/{sub.pk}/values", body, content_type="application/json").status_code == 404
    assert other.post("/api/v1/values", body, content_type="application/json").status_code == 404
    with pytest.raises(PermissionDenied):
        save_submission_values(actor=shenhe, submission=sub, entries=entries({"EXPORT": "1"}, versions=versions))
    assert export_of() == Decimal("600") and states()["EXPORT"][0] == "locked"


def test_closing_the_round_locks_every_figure_and_a_late_return_does_not_reopen(
    sub_of, hunnan, shenyang, june_round, province, clock
):
    sub = submitted(sub_of, hunnan)
    close_round(actor=province, round_=june_round)
    assert FigureWindow.objects.filter(period=JUNE, state="locked").count() == 30
    assert states("210103")["EXPORT"] == ("locked", "报送批次已关闭")
    assert states()["EXPORT"] == ("locked", "报送批次已关闭")  # the latest reason it is locked for
    transition(actor=shenyang, submission=sub, action="return", reason="补充说明")
    assert states()["EXPORT"][0] == "locked"
    with pytest.raises(FiguresRefused, match="2018年6月已锁定"):
        save_submission_values(actor=hunnan, submission=sub, entries=entries({"EXPORT": "1"}, versions={"EXPORT": 1}))
    shenhe_sub = sub_of("210103")
    with pytest.raises(FiguresRefused, match="2018年6月已锁定（报送批次已关闭）"):
        save_submission_values(actor=shenyang, submission=shenhe_sub, entries=entries())


def test_a_historical_round_has_no_submissions_no_timeliness_and_locks_its_month(catalogue, province):
    history = open_round(
        actor=TEST,
        period=MAY,
        name="2018年5月历史数据补录",
        indicators=catalogue.values(),
        units=OrgUnit.objects.filter(code__in=["210112", "210103"]),
        opens_at=at(1, 0, month=6),
        deadline=at(10, 0, month=6),
        kind=RoundKind.HISTORICAL,
    )
    assert not history.submissions.exists() and states(period=MAY)["EXPORT"][0] == "open"
    hunnan_unit = history.units.get(code="210112")
    save_many(actor=TEST, period=MAY, batches=[(hunnan_unit, [ValueEntry("EXPORT", Decimal("500"))])])
    close_round(actor=TEST, round_=history)
    assert states(period=MAY)["EXPORT"] == ("locked", "报送批次已关闭")
    overview = round_overview(province, history)
    assert overview.total.timeliness is None and overview.total.timeliness_text == "—"
    assert not ReportingRound.objects.counted().filter(pk=history.pk).exists()


def test_only_a_system_actor_is_trusted_for_every_unit(catalogue, hunnan):
    with pytest.raises(PlainStringActor):  # a plain string is refused outright, never trusted
        open_round(
            actor="demo",
            period=MAY,
            name="x",
            indicators=catalogue.values(),
            units=[hunnan.unit],
            opens_at=at(1, 0, month=6),
            deadline=at(10, 0, month=6),
        )
    with pytest.raises(PlainStringActor):  # a plain string is refused outright, never trusted
        save_many(actor="demo", period=JUNE, batches=[(hunnan.unit, [ValueEntry("EXPORT", Decimal("1"))])])


def test_the_migration_gives_existing_rounds_the_windows_the_services_would_have(catalogue, june_round, hunnan):
    Submission.objects.filter(round=june_round, unit__code="210103").update(status="approved")
    Submission.objects.filter(round=june_round, unit__code="210112").update(status="returned")
    may = ReportingRound.objects.create(
        period=MAY, name="5月", status="closed", opens_at=at(1, 0, month=6), deadline=at(10, 0, month=6)
    )
    may.indicators.set(catalogue.values())
    may.units.set([hunnan.unit])
    FigureWindow.objects.all().delete()
    migration = importlib.import_module("kaifang.reporting.migrations.0002_windows_for_existing_rounds")
    migration.create_windows(apps, None)
    assert states()["EXPORT"] == ("open", "报送批次“2018年6月开放指标”")  # returned: open
    assert states("210103")["EXPORT"] == ("locked", "沈河区报送已审核")
    assert states(period=MAY) == {code: ("locked", "报送批次已关闭") for code in STORED}
    assert FigureWindow.objects.count() == 30 + 5
