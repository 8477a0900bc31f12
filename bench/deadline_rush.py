"""The last hour before the monthly deadline: N reporters open their form, save and submit at once.

A throwaway database (PostgreSQL on loopback by default, or an SQLite file with --sqlite) gets the
org tree, N extra reporting units with one reporter each, a small catalogue and one open round;
the app runs under gunicorn on 127.0.0.1; an asyncio client (httpx) plays the reporters, each
with its own signed-in session (created directly: the rush is about the form, not the login):

    open   GET  /reporting/<round>/<unit>/            the entry form
    save   POST … action=save                          a draft with four figures and notes
    reopen GET  /reporting/<round>/<unit>/            (new versions)
    submit POST … action=submit                        validation, workflow, audit, notification

Reporters start spread over --ramp seconds and think 1–4 s between steps; the whole run is
bounded by --max-seconds. It prints p50/p95/p99 per step and the error counts, then checks in the
database that every submitted figure is stored exactly once (one row, the value sent, one history
row) and every submission is "submitted" with exactly one workflow event, and that the audit chain
verifies. Baseline: the same GET of /healthz (no template, one SELECT 1) in the same run.

    .venv/bin/python bench/deadline_rush.py                      # 500 reporters, PostgreSQL
    .venv/bin/python bench/deadline_rush.py --users 100 --sqlite # how far SQLite goes
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/deadline_rush.py

Loopback only; the database is dropped at the end (use --keep to look at it).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from kaifang.core.testing import create_database, drop_database, free_port

REPO = Path(__file__).resolve().parent.parent
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/postgres"
INDICATORS = ("TRADE", "EXPORT", "IMPORT", "FIRMS")


def figures(i: int) -> dict[str, str]:
    """The four figures reporter `i` types: exports + imports = trade, all exact decimals."""
    trade = Decimal(1000 + i) + Decimal(i % 100) / 100
    export = Decimal(600 + i // 2) + Decimal("0.25")
    return {"TRADE": str(trade), "EXPORT": str(export), "IMPORT": str(trade - export), "FIRMS": str(i % 7 + 1)}


def prepare(users: int) -> tuple[int, list[tuple[str, str, str]]]:
    """Org tree, `users` platform units with one reporter each, a catalogue and an open round.
    Returns the round id and (unit code, session key, csrf-free username) per reporter."""
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore

    from kaifang.accounts.models import Role, User
    from kaifang.core import clock
    from kaifang.core.actors import SystemActor
    from kaifang.core.context import change_context
    from kaifang.orgs.demo import load_org_tree
    from kaifang.orgs.models import OrgUnit, UnitKind
    from kaifang.reporting.services import open_round
    from kaifang.reporting.tests.conftest import make_catalogue

    with change_context(channel="system"):
        load_org_tree(actor=SystemActor("bench"))
        cities = list(OrgUnit.objects.filter(kind=UnitKind.CITY).order_by("code"))
        units = []
        for i in range(users):
            city = cities[i % len(cities)]
            code = f"RUSH{i:04d}"
            units.append(
                OrgUnit(
                    code=code,
                    name=f"压测园区{i:04d}",
                    short_name=f"园区{i:04d}",
                    kind=UnitKind.PLATFORM,
                    parent=city,
                    path=f"{city.path}{code}/",
                    depth=city.depth + 1,
                )
            )
        OrgUnit.objects.bulk_create(units)
        units = list(OrgUnit.objects.filter(code__startswith="RUSH").order_by("code"))
        unusable = make_password(None)
        User.objects.bulk_create(
            [
                User(
                    username=f"rush{i:04d}",
                    display_name=f"压测填报员{i:04d}",
                    unit=unit,
                    role=Role.REPORTER,
                    password=unusable,
                    password_changed_at=clock.now(),
                    scope_granted_at=clock.now(),  # the security administrator's grant (scope rule)
                )
                for i, unit in enumerate(units)
            ]
        )
        now = clock.now()  # the round is open around the app's now, which stamps the submissions
        round_ = open_round(
            actor=SystemActor(name="bench"),
            period=now.date().replace(day=1),
            name="压测：月度开放指标",
            indicators=make_catalogue().values(),
            units=units,
            opens_at=now - datetime.timedelta(hours=1),
            deadline=now + datetime.timedelta(hours=2),
        )
    reporters = []
    for user in User.objects.filter(username__startswith="rush").select_related("unit").order_by("username"):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "kaifang.accounts.backends.LockoutModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session["kaifang_2fa"] = "done"
        # Wall clock: session time-outs are real time.
        session["kaifang_started"] = session["kaifang_last_seen"] = time.time()
        session.create()
        reporters.append((user.unit.code, str(session.session_key), user.username))
    return round_.pk, reporters


def verify(round_id: int, reporters: list[tuple[str, str, str]], finished: set[int]) -> dict[str, Any]:
    from django.db.models import Count

    from kaifang.audit.services import verify_chain
    from kaifang.indicators.models import DataValue, DataValueHistory
    from kaifang.reporting.models import Submission

    round_ = Submission.objects.filter(round_id=round_id).first()
    period = round_.round.period if round_ else None
    rows = DataValue.objects.filter(period=period, unit__code__startswith="RUSH").values_list(
        "unit__code", "indicator__code", "reported"
    )
    stored: dict[tuple[str, str], list[Decimal]] = defaultdict(list)
    for unit, indicator, reported in rows:
        stored[(unit, indicator)].append(reported)
    history = dict(
        DataValueHistory.objects.filter(value__period=period, value__unit__code__startswith="RUSH")
        .values("value_id")
        .annotate(n=Count("id"))
        .values_list("value_id", "n")
    )
    lost = duplicated = wrong = 0
    for i, (unit, _key, _name) in enumerate(reporters):
        if i not in finished:
            continue
        for code, text in figures(i).items():
            values = stored.get((unit, code), [])
            if not values:
                lost += 1
            elif len(values) > 1:
                duplicated += 1
            elif values[0] != Decimal(text):
                wrong += 1
    subs = Submission.objects.filter(round_id=round_id).annotate(n_events=Count("events"))
    by_unit = {s.unit.code: s for s in subs.select_related("unit")}
    not_submitted = sum(1 for i in finished if by_unit[reporters[i][0]].status != "submitted")
    bad_events = sum(1 for i in finished if by_unit[reporters[i][0]].n_events != 1)
    count, broken = verify_chain()
    return {
        "finished reporters": len(finished),
        "values lost": lost,
        "values duplicated": duplicated,
        "values wrong": wrong,
        "history rows per value": sorted(set(history.values())),
        "submissions not submitted": not_submitted,
        "submissions without exactly one event": bad_events,
        "audit events": count,
        "audit chain broken": len(broken),
    }


# --- server --------------------------------------------------------------------------------------


def start_server(env: dict[str, str], workers: int, threads: int, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    handle = log.open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "kaifang.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--worker-class",
            "gthread",
            "--timeout",
            "120",
            "--keep-alive",
            "30",  # longer than a reporter's think time, as nginx's upstream keepalive would be
            "--log-level",
            "warning",
        ],
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2)  # noqa: S310 (loopback only)
            return server, base
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("server did not start; see " + str(log))


# --- client --------------------------------------------------------------------------------------

HIDDEN = re.compile(r'name="(csrfmiddlewaretoken|key|ver_\w+)"[^>]*?value="([^"]*)"')


class Run:
    def __init__(self) -> None:
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.examples: dict[str, str] = {}
        self.finished: set[int] = set()

    async def timed(self, step: str, call: Any) -> httpx.Response | None:
        start = time.perf_counter()
        try:
            response = await call
        except httpx.HTTPError as exc:
            self.errors[step] += 1
            self.examples.setdefault(step, type(exc).__name__)
            return None
        self.times[step].append(time.perf_counter() - start)
        return response

    def fail(self, step: str, response: httpx.Response) -> None:
        self.errors[step] += 1
        self.examples.setdefault(step, f"HTTP {response.status_code} {response.text[:120]!r}")


def form_fields(html: str) -> dict[str, str]:
    return dict(HIDDEN.findall(html))


async def reporter(run: Run, base: str, round_id: int, i: int, unit: str, session: str, ramp: float) -> None:
    rng = random.Random(i)
    await asyncio.sleep(rng.uniform(0, ramp))
    url = f"/reporting/{round_id}/{unit}/"
    async with httpx.AsyncClient(base_url=base, cookies={"sessionid": session}, timeout=60) as client:
        page = await run.timed("open", client.get(url))
        if page is None or page.status_code != 200:
            return run.fail("open", page) if page is not None else None
        hidden = form_fields(page.text)
        values = figures(i)
        data = {**hidden, "action": "save"}
        for code, text in values.items():
            data[f"v_{code}"] = text
            data[f"c_{code}"] = "压测说明：与台账核对一致"
        headers = {"Referer": base + url}
        await asyncio.sleep(rng.uniform(1, 4))
        saved = await run.timed("save", client.post(url, data=data, headers=headers))
        if saved is None or saved.status_code != 302:
            return run.fail("save", saved) if saved is not None else None
        await asyncio.sleep(rng.uniform(1, 4))
        page = await run.timed("reopen", client.get(url))
        if page is None or page.status_code != 200:
            return run.fail("reopen", page) if page is not None else None
        data.update(form_fields(page.text))
        data["action"] = "submit"
        submitted = await run.timed("submit", client.post(url, data=data, headers=headers))
        if submitted is None or submitted.status_code != 302:
            return run.fail("submit", submitted) if submitted is not None else None
        run.finished.add(i)


async def baseline(run: Run, base: str, seconds: float) -> None:
    """/healthz once a second through the run: the server's floor latency under the same load."""
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            await run.timed("baseline /healthz", client.get("/healthz"))
            await asyncio.sleep(1)


async def warm_up(base: str, round_id: int, reporters: list[tuple[str, str, str]], workers: int) -> None:
    """Every worker loads its code and templates before the clock starts (read-only requests)."""
    unit, session, _name = reporters[0]
    async with httpx.AsyncClient(base_url=base, cookies={"sessionid": session}, timeout=60) as client:
        for _ in range(workers * 3):
            await asyncio.gather(client.get("/healthz"), client.get(f"/reporting/{round_id}/{unit}/"))


async def rush(base: str, round_id: int, reporters: list[tuple[str, str, str]], ramp: float, limit: float) -> Run:
    run = Run()
    tasks = [
        asyncio.create_task(reporter(run, base, round_id, i, unit, key, ramp))
        for i, (unit, key, _n) in enumerate(reporters)
    ]
    probe = asyncio.create_task(baseline(run, base, ramp + 10))
    done, pending = await asyncio.wait(tasks, timeout=limit)
    for task in pending:
        task.cancel()
        run.errors["unfinished (time limit)"] += 1
    probe.cancel()
    for task in done:
        if task.exception() is not None:
            run.errors["client exception"] += 1
            run.examples.setdefault("client exception", repr(task.exception()))
    return run


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def report(run: Run, elapsed: float) -> None:
    print(f"{'step':<20}{'n':>6}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}{'max ms':>10}{'errors':>8}")
    floor = statistics.median(run.times["baseline /healthz"]) * 1000 if run.times["baseline /healthz"] else 0
    for step in ("open", "save", "reopen", "submit", "baseline /healthz"):
        times = run.times.get(step, [])
        if not times:
            print(f"{step:<20}{0:>6}{'-':>10}{'-':>10}{'-':>10}{'-':>10}{run.errors.get(step, 0):>8}")
            continue
        print(
            f"{step:<20}{len(times):>6}{pct(times, 0.5):>10.0f}{pct(times, 0.95):>10.0f}{pct(times, 0.99):>10.0f}"
            f"{max(times) * 1000:>10.0f}{run.errors.get(step, 0):>8}"
        )
    if floor:
        print(
            f"ratio p50 submit / p50 baseline: {pct(run.times['submit'], 0.5) / floor:.1f}x"
            if run.times["submit"]
            else ""
        )
    for step, count in run.errors.items():
        if step not in ("open", "save", "reopen", "submit", "baseline /healthz"):
            print(f"{step}: {count}")
    for step, example in run.examples.items():
        print(f"first {step} error: {example}")
    requests = sum(len(v) for k, v in run.times.items() if k != "baseline /healthz")
    print(f"{requests} requests in {elapsed:.0f} s ({requests / elapsed:.1f}/s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--ramp", type=float, default=60.0, help="reporters start spread over this many seconds")
    parser.add_argument("--max-seconds", type=float, default=300.0, help="hard limit for the whole rush")
    parser.add_argument("--workers", type=int, default=5)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--sqlite", action="store_true", help="an SQLite file instead of PostgreSQL")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway database")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="kaifang-rush-"))
    server_url = "" if args.sqlite else os.environ.get("DATABASE_URL", "") or DEFAULT_PG
    database, pg_name = create_database("rush", tmp, base=server_url)
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "KAIFANG_VAR_DIR": str(tmp),
        "KAIFANG_STATIC_ROOT": str(tmp / "static"),
        "KAIFANG_DEBUG": "0",
        "KAIFANG_CONN_MAX_AGE": "60",
        "KAIFANG_REQUIRE_2FA": "0",
        "DJANGO_SETTINGS_MODULE": "kaifang.settings",
    }
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "KAIFANG_VAR_DIR", "DJANGO_SETTINGS_MODULE")})
    server = None
    try:
        kaifang = [sys.executable, "-m", "kaifang.cli"]
        for step in (["migrate", "-v0"], ["collectstatic", "--noinput", "-v0"]):
            subprocess.run(kaifang + step, env=env, check=True)
        started = time.perf_counter()
        round_id, reporters = prepare(args.users)
        print(f"prepared {len(reporters)} reporters on {'SQLite' if args.sqlite else 'PostgreSQL'} "
              f"in {time.perf_counter() - started:.0f} s; gunicorn {args.workers}×{args.threads} on "
              f"{os.cpu_count()} cores")  # fmt: skip
        server, base = start_server(env, args.workers, args.threads, tmp / "server.log")
        asyncio.run(warm_up(base, round_id, reporters, args.workers))
        load = os.getloadavg()[0]
        started = time.perf_counter()
        run = asyncio.run(rush(base, round_id, reporters, args.ramp, args.max_seconds))
        elapsed = time.perf_counter() - started
        report(run, elapsed)
        print(f"load average before / after the rush: {load:.1f} / {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        server.terminate()
        server.wait(timeout=30)
        server = None
        from django.db import connections

        connections.close_all()
        checks = verify(round_id, reporters, run.finished)
        print("checks:", ", ".join(f"{k} = {v}" for k, v in checks.items()))
        ok = (
            checks["values lost"] == checks["values duplicated"] == checks["values wrong"] == 0
            and checks["submissions not submitted"] == checks["submissions without exactly one event"] == 0
            and checks["audit chain broken"] == 0
        )
        print("RESULT:", "nothing lost or duplicated" if ok else "PROBLEMS FOUND")
    finally:
        if server is not None:
            server.kill()
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database(pg_name, base=server_url)
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print("kept:", database)


if __name__ == "__main__":
    main()
