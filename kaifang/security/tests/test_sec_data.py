"""Checklist sections D and E over the reporting workflow: validation, imports, exports, optimistic
locking, atomic and idempotent submissions, transient errors, approval locks, deadlines
(SEC-22, SEC-27, SEC-29, SEC-33, SEC-36 … SEC-40, SEC-43, SEC-44). The reporting app's own tests
cover more cases; docs/operations.md §17 lists both."""

from __future__ import annotations

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import OperationalError, connection
from django.test import Client

from kaifang.accounts.models import User
from kaifang.audit.models import AuditEvent
from kaifang.core.actors import SystemActor
from kaifang.core.spreadsheets import read_workbook, safe_cell
from kaifang.indicators.figures import StaleValues
from kaifang.indicators.models import DataValue, DataValueHistory
from kaifang.reporting.models import Submission, SubmissionEvent
from kaifang.reporting.models import SubmissionStatus as S
from kaifang.reporting.services import check_submission, save_submission_values, timeliness_of, transition
from kaifang.reporting.tests.conftest import at, entries, make_catalogue, make_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def june(db, monkeypatch):
    from kaifang.reporting import services

    monkeypatch.setattr(services, "server_now", lambda: at(5))
    return make_round(make_catalogue())


def sub_of(round_, code: str) -> Submission:
    return round_.submissions.select_related("unit", "round").get(unit__code=code)


def value(code: str, unit: str = "210112") -> DataValue:
    return DataValue.objects.get(indicator__code=code, unit__code=unit, period=datetime.date(2018, 6, 1))


# --- SEC-22 ---------------------------------------------------------------------------------------


def test_sec_22_every_change_of_a_figure_keeps_old_new_who_when_and_channel(june, hunnan):
    sub = sub_of(june, "210112")
    save_submission_values(actor=hunnan, submission=sub, entries=entries())
    save_submission_values(actor=hunnan, submission=sub, entries=entries({"EXPORT": "650"}, versions={"EXPORT": 1}))
    history = list(DataValueHistory.objects.filter(value=value("EXPORT")).order_by("id"))
    assert [(h.old_reported, h.new_reported) for h in history] == [
        (None, Decimal("600")),
        (Decimal("600"), Decimal("650")),
    ]
    assert all(h.actor_id == hunnan.pk and h.at and h.channel for h in history)


# --- SEC-27 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["NaN", "inf", "-inf", "1e309", "12abc", "1.2.3", "9" * 30])
def test_sec_27_nonsense_figures_are_refused_on_the_server(june, typed):
    check = check_submission(sub_of(june, "210112"), typed={"EXPORT": typed}, final=False)
    assert any(f.indicator == "EXPORT" for f in check.errors), typed


def test_sec_27_full_width_digits_are_normalised_and_cross_field_rules_block(june):
    sub = sub_of(june, "210112")
    check = check_submission(sub, typed={"EXPORT": "１２３", "TRADE": "1000", "IMPORT": "0", "FIRMS": "1"}, final=False)
    assert check.values["EXPORT"] == Decimal("123")
    over = check_submission(sub, typed={"EXPORT": "2000", "TRADE": "1000", "IMPORT": "0", "FIRMS": "1"}, final=True)
    assert any(f.indicator == "EXPORT" for f in over.errors)  # exports ≤ total trade


# --- SEC-29 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data, name",
    [
        (b"<html><script>alert(1)</script></html>", "evil.xlsx"),
        (b"PK\x03\x04" + b"\0" * 100, "macro.xlsm"),
        (b"x", "a.xls"),
    ],
)
def test_sec_29_only_real_xlsx_workbooks_are_accepted(data, name):
    with pytest.raises(ValidationError):
        read_workbook(data, filename=name)


# --- SEC-33 ---------------------------------------------------------------------------------------


def test_sec_33_exports_neutralise_formulas_and_keep_numbers_numeric(client_for, auditor):
    assert safe_cell('=HYPERLINK("http://x","y")') == '\'=HYPERLINK("http://x","y")'
    assert safe_cell(-5) == -5 and safe_cell(Decimal("-1.5")) == Decimal("-1.5")
    for text in ("+1", "-cmd", "@SUM(A1)", "\tx", "\rx"):
        assert safe_cell(text).startswith("'")
    from kaifang.audit.services import record_event

    record_event(actor=SystemActor("test"), action="test.csv", object_repr='=HYPERLINK("http://x","y")')
    csv_text = client_for(auditor).get("/audit/export.csv?action=test.csv").content.decode("utf-8-sig")
    assert '"\'=HYPERLINK(""http://x"",""y"")"' in csv_text


# --- SEC-36 ---------------------------------------------------------------------------------------


def test_sec_36_a_stale_edit_is_refused_and_the_first_writer_wins(june, hunnan):
    sub = sub_of(june, "210112")
    save_submission_values(actor=hunnan, submission=sub, entries=entries())  # v1
    save_submission_values(actor=hunnan, submission=sub, entries=entries({"EXPORT": "610"}, versions={"EXPORT": 1}))
    events = AuditEvent.objects.count()
    with pytest.raises(StaleValues):
        save_submission_values(actor=hunnan, submission=sub, entries=entries({"EXPORT": "999"}, versions={"EXPORT": 1}))
    assert value("EXPORT").reported == Decimal("610") and value("EXPORT").version == 2
    assert AuditEvent.objects.count() == events


# --- SEC-37 ---------------------------------------------------------------------------------------


def test_sec_37_a_failure_inside_a_submission_leaves_nothing_behind(june, hunnan, monkeypatch):
    from kaifang.notifications.models import Notification
    from kaifang.reporting import services

    sub = sub_of(june, "210112")
    save_submission_values(actor=hunnan, submission=sub, entries=entries())
    notes = Notification.objects.count()

    def broken(**kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("audit store down")

    monkeypatch.setattr(services, "record_event", broken)
    with pytest.raises(RuntimeError):
        transition(actor=hunnan, submission=sub, action="submit", key="k-37")
    sub.refresh_from_db()
    assert sub.status == S.DRAFT and sub.version == 1
    assert not SubmissionEvent.objects.filter(submission=sub).exists()
    assert Notification.objects.count() == notes


# --- SEC-38 ---------------------------------------------------------------------------------------


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_sec_38_approve_and_return_at_the_same_moment_end_in_exactly_one_legal_state(base_data, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    from kaifang.reporting import services

    monkeypatch.setattr(services, "server_now", lambda: at(5))
    june = make_round(make_catalogue())
    hunnan, shenyang = User.objects.get(username="hunnan"), User.objects.get(username="shenyang")
    sub = sub_of(june, "210112")
    save_submission_values(actor=hunnan, submission=sub, entries=entries())
    transition(actor=hunnan, submission=sub, action="submit")
    barrier, outcomes = threading.Barrier(2), []

    def act(action: str) -> None:
        from django.db import connections

        barrier.wait()
        try:
            transition(actor=shenyang, submission=sub, action=action, reason="请核实")
            outcomes.append((action, "ok"))
        except ValidationError as exc:
            outcomes.append((action, exc.code))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=act, args=(a,)) for a in ("approve", "return")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    sub.refresh_from_db()
    winners = [a for a, result in outcomes if result == "ok"]
    assert len(winners) == 1 and [r for _a, r in outcomes if r != "ok"] == ["state"]
    assert sub.status == {"approve": S.APPROVED, "return": S.RETURNED}[winners[0]]
    assert SubmissionEvent.objects.filter(submission=sub).count() == 2  # submit + the winner


# --- SEC-39 ---------------------------------------------------------------------------------------


def test_sec_39_the_same_submit_replayed_applies_once(june, hunnan):
    sub = sub_of(june, "210112")
    save_submission_values(actor=hunnan, submission=sub, entries=entries())
    results = [transition(actor=hunnan, submission=sub, action="submit", key="form-39").applied for _ in range(3)]
    assert results == [True, False, False]
    assert AuditEvent.objects.filter(action="reporting.submission.submit", object_id=str(sub.pk)).count() == 1


# --- SEC-40 ---------------------------------------------------------------------------------------


def test_sec_40_database_is_locked_keeps_the_typed_form_and_writes_nothing(june, hunnan, monkeypatch):
    import kaifang.reporting.views as views

    def busy(**kwargs):  # type: ignore[no-untyped-def]
        raise OperationalError("database is locked")

    monkeypatch.setattr(views, "save_submission_values", busy)
    c = Client(raise_request_exception=False)
    c.force_login(hunnan)
    url = f"/reporting/{june.pk}/210112/"
    form = {
        "key": "k-40",
        "action": "save",
        "v_TRADE": "1000",
        "v_EXPORT": "600.5",
        "v_IMPORT": "399.5",
        "v_FIRMS": "3",
    }
    response = c.post(url, form)
    body = response.content.decode()
    assert response.status_code == 503 and response["Retry-After"]
    assert 'name="v_EXPORT" value="600.5"' in body and 'name="key" value="k-40"' in body and "重新提交" in body
    assert not DataValue.objects.filter(unit__code="210112").exists()
    api = c.post("/api/v1/values", {}, content_type="application/json")
    assert api.status_code in (400, 403, 422)  # a normal request is unaffected


def test_sec_40_a_postgres_serialization_failure_is_transient_too():
    from kaifang.security.middleware import is_transient

    class Cause(Exception):
        sqlstate = "40001"

    exc = OperationalError("could not serialize access due to concurrent update")
    exc.__cause__ = Cause()
    assert is_transient(exc) and is_transient(OperationalError("deadlock detected"))
    assert not is_transient(OperationalError("no such table: x"))


# --- SEC-43 ---------------------------------------------------------------------------------------


def _approve(june, hunnan, shenyang) -> Submission:
    sub = sub_of(june, "210112")
    save_submission_values(actor=hunnan, submission=sub, entries=entries())
    transition(actor=hunnan, submission=sub, action="submit")
    transition(actor=shenyang, submission=sub, action="approve")
    return sub


def test_sec_43_approved_figures_are_read_only_through_the_form_and_the_service(june, hunnan, shenyang, client_for):
    sub = _approve(june, hunnan, shenyang)
    with pytest.raises(ValidationError) as caught:
        save_submission_values(actor=hunnan, submission=sub, entries=entries({"EXPORT": "1"}, versions={"EXPORT": 1}))
    assert caught.value.code == "locked"
    form = {"key": "k-43", "action": "save", "v_TRADE": "1000", "v_EXPORT": "1", "v_IMPORT": "400", "v_FIRMS": "3"}
    client_for(hunnan).post(f"/reporting/{june.pk}/210112/", form)
    assert value("EXPORT").reported == Decimal("600")


def test_sec_43_approved_figures_are_read_only_through_the_values_api(june, hunnan, shenyang, client_for):
    _approve(june, hunnan, shenyang)
    payload = {
        "unit": "210112",
        "period": "2018-06",
        "entries": [{"indicator": "EXPORT", "value": "1", "expected_version": 1}],
    }
    response = client_for(hunnan).post("/api/v1/values", payload, content_type="application/json")
    assert response.status_code in (400, 403, 409)
    assert value("EXPORT").reported == Decimal("600")


# --- SEC-44 ---------------------------------------------------------------------------------------


def test_sec_44_on_time_is_decided_by_server_time_at_the_deadline_second(june):
    deadline = june.deadline
    assert timeliness_of(june, deadline - datetime.timedelta(seconds=1)) == "on_time"
    assert timeliness_of(june, deadline + datetime.timedelta(seconds=1)) != "on_time"
    assert deadline.utcoffset() is not None  # stored with its zone, shown in Asia/Shanghai


# --- SEC-31 / SEC-32 --------------------------------------------------------------------------------


def _city_file(june, shenyang, bad: str | None = None) -> bytes:
    from kaifang.reporting.excel import build_template
    from kaifang.reporting.tests.test_excel import fill

    values: dict[tuple[str, str], object] = {
        (unit, code): float(v) for unit in ("210100", "210103", "210112") for code, v in GOOD.items()
    }
    if bad:
        values[("210103", "EXPORT")] = bad
    return fill(build_template(shenyang, june, shenyang.unit), values)


GOOD = {"TRADE": "1000", "EXPORT": "600", "IMPORT": "400", "FIRMS": "3"}


def test_sec_31_an_import_with_one_bad_row_writes_nothing_names_the_row_and_audits_the_file_hash(june, shenyang):
    from kaifang.reporting.services.imports import upload_workbook

    data = _city_file(june, shenyang, bad="一千")
    batch = upload_workbook(user=shenyang, round_=june, data=data, filename="沈阳市.xlsx", run_now=True)
    assert batch.status == "failed" and not DataValue.objects.exists()
    assert any("行" in p["text"] and "一千" in p["text"] for p in batch.problems), batch.problems
    upload = AuditEvent.objects.get(action="reporting.import.upload", object_id=str(batch.pk))
    import hashlib

    assert upload.after["sha256"] == hashlib.sha256(data).hexdigest()


def test_sec_32_the_same_file_imported_twice_changes_nothing_the_second_time(june, shenyang):
    from kaifang.reporting.services.imports import run_apply, upload_workbook

    data = _city_file(june, shenyang)
    first = upload_workbook(user=shenyang, round_=june, data=data, filename="沈阳市.xlsx", run_now=True)
    assert run_apply(first.pk).status == "applied"
    versions = sorted(DataValue.objects.values_list("id", "version"))
    again = upload_workbook(user=shenyang, round_=june, data=data, filename="沈阳市.xlsx", run_now=True)
    assert "此前已导入过" in again.summary and "0 个数据将更新" in again.summary
    run_apply(again.pk)
    assert sorted(DataValue.objects.values_list("id", "version")) == versions
    assert DataValueHistory.objects.count() == len(versions)
