"""Crash safety: `kill -9` in the middle of an Excel import and of a submission, restart, and
nothing is half-applied; the import and the submission can simply be retried.

Runs on a throwaway database of its own (SQLite file, or PostgreSQL when DATABASE_URL says so):
the import through `kaifang import_values … --commit` killed at several moments of its apply,
the submission through gunicorn killed (whole process group) several milliseconds after the POST.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from kaifang.core.testing import create_database, drop_database, free_port

REPO = Path(__file__).resolve().parents[3]
PASSWORD = "Demo-2018!open"
IMPORT_UNITS = ["210100", "210102", "210103", "210104", "210105", "210106", "210112"]
SUBMITTERS = [("hunnan", "210112"), ("shenhe", "210103"), ("ganjingzi", "210211"), ("swt", "SWT")]

SETUP = r"""
import io, sys, django
django.setup()
import openpyxl
from kaifang.core.context import change_context
from kaifang.orgs.demo import load_org_tree
from kaifang.accounts.demo import load_personas
from kaifang.accounts.models import User
from kaifang.orgs.models import OrgUnit
from kaifang.reporting.excel import SHEET, build_template
from kaifang.reporting.services import open_round
from kaifang.core.actors import SystemActor
from kaifang.reporting.tests.conftest import JUNE, at, make_catalogue
import datetime
from django.utils import timezone

out = sys.argv[1]
units = sys.argv[2].split(",")
with change_context(channel="system"):
    load_org_tree(actor=SystemActor("test"))
    load_personas()
    now = timezone.now()
    round_ = open_round(actor=SystemActor(name="test"), period=JUNE, name="崩溃测试",
        indicators=make_catalogue().values(), units=OrgUnit.objects.filter(code__in=units),
        opens_at=now - datetime.timedelta(days=1), deadline=now + datetime.timedelta(days=1))
shenyang = User.objects.get(username="shenyang")
template = build_template(shenyang, round_, shenyang.unit)
for trial in range(1, 7):
    book = openpyxl.load_workbook(io.BytesIO(template))
    for row in book[SHEET].iter_rows(min_row=2):
        figures = {"TRADE": 1000 * trial, "EXPORT": 600 * trial, "IMPORT": 400 * trial, "FIRMS": trial}
        if str(row[2].value) in figures:
            row[7].value = figures[str(row[2].value)]
    book.save(f"{out}/city-{trial}.xlsx")
print(round_.pk)
"""


class Site:
    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.url, self.pg_name = create_database("crash", tmp)  # never the live_site's database
        self.env = {
            **os.environ,
            "DATABASE_URL": self.url,
            "KAIFANG_VAR_DIR": str(tmp),
            "KAIFANG_STATIC_ROOT": str(tmp / "static"),
            "KAIFANG_DEBUG": "0",
            "KAIFANG_REQUIRE_2FA": "0",
            "KAIFANG_TASKS_BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
            "DJANGO_SETTINGS_MODULE": "kaifang.settings",
        }
        self.server: subprocess.Popen[bytes] | None = None
        self.base = ""

    def kaifang(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "kaifang.cli", *args], env=self.env, capture_output=True, text=True, check=check
        )

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        if self.pg_name is None:
            db = sqlite3.connect(self.url.removeprefix("sqlite:///"), timeout=20)
            try:
                return db.execute(sql.replace("%s", "?"), params).fetchall()
            finally:
                db.close()
        import psycopg

        with psycopg.connect(self.url) as conn:
            return conn.execute(sql, params).fetchall()  # type: ignore[arg-type]

    def start(self) -> None:
        port = free_port()
        self.server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "kaifang.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--threads",
                "2",
            ],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                httpx.get(self.base + "/healthz", timeout=2)
                return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("server did not start")

    def kill(self) -> None:
        assert self.server is not None
        os.killpg(self.server.pid, signal.SIGKILL)
        self.server.wait()
        self.server = None


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[Site]:
    tmp = tmp_path_factory.mktemp("crash")
    site = Site(tmp)
    try:
        site.kaifang("migrate", "-v0")
        site.kaifang("collectstatic", "--noinput", "-v0")
        setup = subprocess.run(
            [sys.executable, "-c", SETUP, str(tmp), ",".join(IMPORT_UNITS + [u for _n, u in SUBMITTERS] + ["210211"])],
            env=site.env,
            capture_output=True,
            text=True,
            check=True,
        )
        site.round_id = int(setup.stdout.strip().splitlines()[-1])  # type: ignore[attr-defined]
        yield site
    finally:
        if site.server is not None:
            site.kill()
        drop_database(site.pg_name)


def city_values(site: Site) -> dict[tuple[str, str], Any]:
    rows = site.query(
        "SELECT u.code, i.code, v.reported FROM indicators_datavalue v JOIN orgs_orgunit u ON u.id = v.unit_id "
        "JOIN indicators_indicator i ON i.id = v.indicator_id"
    )
    return {(unit, ind): float(value) for unit, ind, value in rows if unit in IMPORT_UNITS and value is not None}


def trial_of(values: dict[tuple[str, str], Any]) -> set[int]:
    """Which file each stored TRADE figure came from (1000 × trial)."""
    return {int(v // 1000) for (_u, ind), v in values.items() if ind == "TRADE"}


def test_an_import_killed_mid_apply_is_all_or_nothing_and_can_be_retried(site):
    seen_partial = []
    previous: set[int] = set()
    for trial, delay in enumerate([0.0, 0.02, 0.05, 0.1, 0.2, 0.4], start=1):
        path = site.tmp / f"city-{trial}.xlsx"
        # Each file was filled before the trials began: the figures a previous trial wrote are
        # "changed since download", which the clerk overwrites on purpose (--confirm-changed).
        args = ["import_values", str(path), "--user", "shenyang", "--commit", "--confirm-changed"]
        command = [sys.executable, "-m", "kaifang.cli", *args]
        process = subprocess.Popen(command, env=site.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:  # wait for the check to finish
            states = site.query("SELECT status FROM reporting_importbatch ORDER BY id DESC LIMIT 1")
            if states and states[0][0] in ("checked", "applying", "applied"):
                break
            time.sleep(0.01)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        after = trial_of(city_values(site))
        assert after in ({trial}, previous or set(), set()), f"trial {trial}: half-applied {after}"
        if len(after) > 1:
            seen_partial.append(trial)
        retry = site.kaifang(*args, check=False)
        assert retry.returncode == 0, retry.stdout + retry.stderr
        values = city_values(site)
        assert trial_of(values) == {trial} and len(values) == 4 * len(IMPORT_UNITS)
        previous = {trial}
    assert seen_partial == []
    assert site.kaifang("verify_audit", check=False).returncode == 0


def sign_in(site: Site, username: str) -> httpx.Client:
    client = httpx.Client(base_url=site.base, timeout=30)
    page = client.get("/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    response = client.post(
        "/accounts/login/", data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    return client


def post_quietly(client: httpx.Client, url: str, data: dict[str, str]) -> None:
    with contextlib.suppress(httpx.HTTPError):  # the server dies under the request
        client.post(url, data=data)


def form_of(client: httpx.Client, url: str) -> dict[str, str]:
    return dict(re.findall(r'name="(csrfmiddlewaretoken|key|ver_\w+)"[^>]*?value="([^"]*)"', client.get(url).text))


def submission_state(site: Site, unit: str) -> tuple[str, int]:
    rows = site.query(
        "SELECT s.status, (SELECT COUNT(*) FROM reporting_submissionevent e WHERE e.submission_id = s.id) "
        "FROM reporting_submission s JOIN orgs_orgunit u ON u.id = s.unit_id WHERE u.code = %s AND s.round_id = %s",
        (unit, site.round_id),  # type: ignore[attr-defined]
    )
    return rows[0][0], int(rows[0][1])


def test_a_server_killed_mid_submission_leaves_a_clean_state_and_the_submit_can_be_retried(site):
    figures = {"v_TRADE": "1000", "v_EXPORT": "600", "v_IMPORT": "400", "v_FIRMS": "2"}
    for (username, unit), delay in zip(SUBMITTERS, [0.0, 0.01, 0.03, 0.08], strict=True):
        site.start()
        client = sign_in(site, username)
        url = f"/reporting/{site.round_id}/{unit}/"  # type: ignore[attr-defined]
        saved = client.post(url, data={**form_of(client, url), **figures, "action": "save"})
        assert saved.status_code == 302
        data = {**form_of(client, url), **figures, "action": "submit"}

        sender = threading.Thread(target=post_quietly, args=(client, url, data))
        sender.start()
        time.sleep(delay)
        site.kill()
        sender.join()
        status, events = submission_state(site, unit)
        assert (status, events) in {("draft", 0), ("submitted", 1)}, (username, status, events)
        site.start()
        client = sign_in(site, username)
        retry = client.post(url, data={**form_of(client, url), **figures, "action": "submit"})
        assert retry.status_code in (302, 400)
        assert submission_state(site, unit) == ("submitted", 1)
        site.kill()
    assert site.kaifang("verify_audit", check=False).returncode == 0
