"""Two app servers behind nginx and two task workers: the deadline rush and the scheduled jobs.

The production layout of docs/operations.md §8 on one machine, all on loopback: nginx (Debian's
binary, a temporary configuration) balances two gunicorn instances; two `kaifang worker`
processes share the database task queue. On a throwaway PostgreSQL database:

1. the deadline rush of bench/deadline_rush.py (--users reporters, default 2,000) through nginx:
   how the requests spread over the two app servers, p50/p95 per step beside the /healthz floor,
   then every figure stored exactly once, every submission submitted with one workflow event,
   the audit chain intact;
2. the recurring jobs (reminders, stale accounts, … every --period seconds) with both workers up:
   each job runs exactly once per period (its completed runs are at least one period apart, none
   missed); then one worker is killed (SIGKILL) while it is running a job, and the jobs still run
   once per period on the other one — the killed run's period included (the reaper frees its lease).

    .venv/bin/python bench/two_nodes.py [--users 2000] [--period 5] [--after-kill 30]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/two_nodes.py

Exits non-zero when anything was lost, duplicated or run twice in a period.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import datetime
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import itertools

import deadline_rush as rush_bench

from kaifang.core.testing import create_database, drop_database, free_port

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def nginx_config(folder: Path, port: int, upstreams: list[str]) -> Path:
    """The operations guide's site, reduced to loopback and a temporary prefix."""
    servers = "\n".join(f"        server {u.removeprefix('http://')} max_fails=0;" for u in upstreams)
    conf = folder / "nginx.conf"
    conf.write_text(
        f"""
worker_processes 2;
pid {folder}/nginx.pid;
error_log {folder}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
    log_format upstream '$upstream_addr $status $request_time';
    access_log {folder}/nginx-access.log upstream;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    upstream kaifang {{
{servers}
        keepalive 64;
    }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 12m;
        location / {{
            proxy_pass http://kaifang;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_read_timeout 120s;
        }}
    }}
}}
"""
    )
    return conf


def start_nginx(folder: Path, upstreams: list[str]) -> tuple[subprocess.Popen[bytes], str]:
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o777)
    port = free_port()
    conf = nginx_config(folder, port, upstreams)
    process = subprocess.Popen(
        [NGINX, "-p", str(folder), "-c", str(conf), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=(folder / "nginx-stderr.log").open("w"),
    )
    base = f"http://127.0.0.1:{port}"
    import urllib.request

    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2)  # noqa: S310 (loopback only)
            return process, base
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("nginx did not start; see " + str(folder))


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "kaifang.cli", "worker", "--interval", "0.2", "--no-startup-delay"],
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )


def job_runs() -> dict[str, list[tuple[datetime.datetime, datetime.datetime | None, str, str]]]:
    """Every run of every recurring job: (started, finished, outcome, worker), by job."""
    from django_tasks_db.models import DBTaskResult

    out: dict[str, list[tuple[datetime.datetime, datetime.datetime | None, str, str]]] = collections.defaultdict(list)
    rows = DBTaskResult.objects.filter(task_path="kaifang.jobs.run_job").exclude(started_at=None)
    for r in rows.order_by("started_at"):
        name = (r.args_kwargs or {}).get("args", ["?"])[0]
        outcome = str(r.return_value) if r.status == "SUCCESSFUL" else r.status
        out[name].append((r.started_at, r.finished_at, outcome, (r.worker_ids or ["?"])[-1]))
    return out


def check_periods(period: float, since: datetime.datetime, until: datetime.datetime) -> dict[str, Any]:
    """Completed runs (outcome other than 'skipped'/failed) per job: never two within one period,
    never a period without one (allowing one period of slack for scheduling)."""
    from kaifang.jobs import scheduled_jobs

    every = {job.name: job.every.total_seconds() for job in scheduled_jobs()}
    twice, missed, completed = [], [], 0
    for name, runs in job_runs().items():
        done = [
            started for started, _f, outcome, _w in runs if outcome not in ("skipped", "FAILED") and started >= since
        ]
        done = [d for d in done if d <= until]
        completed += len(done)
        step = every.get(name, period)
        for a, b in itertools.pairwise(done):
            if (b - a).total_seconds() < step * 0.99:
                twice.append((name, a.isoformat(), b.isoformat()))
            if (b - a).total_seconds() > step * 3 + 5:
                missed.append((name, a.isoformat(), b.isoformat()))
        if not done:
            missed.append((name, "never", ""))
    return {"completed runs": completed, "twice in one period": twice, "missed periods": missed}


def kill_mid_run(worker: subprocess.Popen[bytes], timeout: float = 60) -> str:
    """SIGKILL `worker` the moment it is running a recurring job; returns the job's name."""
    from django_tasks_db.models import DBTaskResult

    end = time.monotonic() + timeout
    mine = f":{worker.pid}"
    while time.monotonic() < end:
        running = DBTaskResult.objects.filter(status="RUNNING", task_path="kaifang.jobs.run_job")
        for r in running:
            if r.worker_ids and r.worker_ids[-1].endswith(mine):
                os.kill(worker.pid, signal.SIGKILL)
                return str((r.args_kwargs or {}).get("args", ["?"])[0])
        time.sleep(0.002)
    os.kill(worker.pid, signal.SIGKILL)
    return "(no job caught running: killed between runs)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument("--ramp", type=float, default=120.0)
    parser.add_argument("--max-seconds", type=float, default=600.0)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn processes per app server")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--period", type=int, default=5, help="job period in seconds (production: 900)")
    parser.add_argument("--after-kill", type=float, default=30.0, help="seconds watched after the kill")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="kaifang-2nodes-"))
    tmp.chmod(0o755)
    server_url = os.environ.get("DATABASE_URL", "") or rush_bench.DEFAULT_PG
    database, pg_name = create_database("twonodes", tmp, base=server_url)
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "KAIFANG_VAR_DIR": str(tmp),
        "KAIFANG_STATIC_ROOT": str(tmp / "static"),
        "KAIFANG_DEBUG": "0",
        "KAIFANG_CONN_MAX_AGE": "60",
        "KAIFANG_REQUIRE_2FA": "0",
        "KAIFANG_BEHIND_PROXY": "1",
        "KAIFANG_JOB_INTERVAL_SECONDS": str(args.period),
        "DJANGO_SETTINGS_MODULE": "kaifang.settings",
    }
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "KAIFANG_VAR_DIR", "DJANGO_SETTINGS_MODULE")})
    os.environ["KAIFANG_JOB_INTERVAL_SECONDS"] = str(args.period)
    processes: list[subprocess.Popen[bytes]] = []
    ok = True
    try:
        kaifang = [sys.executable, "-m", "kaifang.cli"]
        for step in (["migrate", "-v0"], ["collectstatic", "--noinput", "-v0"]):
            subprocess.run(kaifang + step, env=env, check=True)
        round_id, reporters = rush_bench.prepare(args.users)
        apps = [rush_bench.start_server(env, args.workers, args.threads, tmp / f"app{i}.log") for i in (1, 2)]
        processes += [p for p, _b in apps]
        proxy, base = start_nginx(tmp / "nginx", [b for _p, b in apps])
        processes.append(proxy)
        workers = [start_worker(env, tmp / f"worker{i}.log") for i in (1, 2)]
        processes += workers
        print(
            f"layout: nginx {base} → app servers {', '.join(b for _p, b in apps)} (gunicorn {args.workers}×"
            f"{args.threads} each); 2 workers (pids {workers[0].pid}, {workers[1].pid}); jobs every {args.period} s; "
            f"{len(reporters)} reporters; {os.cpu_count()} cores"
        )
        asyncio.run(rush_bench.warm_up(base, round_id, reporters, args.workers * 2))
        jobs_from = datetime.datetime.now(datetime.UTC)
        started = time.perf_counter()
        run = asyncio.run(rush_bench.rush(base, round_id, reporters, args.ramp, args.max_seconds))
        elapsed = time.perf_counter() - started
        rush_bench.report(run, elapsed)
        served = collections.Counter(
            line.split()[0] for line in (tmp / "nginx" / "nginx-access.log").read_text().splitlines() if line
        )
        print("requests per app server:", ", ".join(f"{k} {v}" for k, v in sorted(served.items())))
        from django.db import connections

        connections.close_all()
        checks = rush_bench.verify(round_id, reporters, run.finished)
        print("rush checks:", ", ".join(f"{k} = {v}" for k, v in checks.items()))
        ok &= (
            checks["finished reporters"] == len(reporters)
            and checks["values lost"] == checks["values duplicated"] == checks["values wrong"] == 0
            and checks["submissions not submitted"] == checks["submissions without exactly one event"] == 0
            and checks["audit chain broken"] == 0
        )
        both_up_until = datetime.datetime.now(datetime.UTC)
        both = check_periods(args.period, jobs_from, both_up_until)
        print(f"jobs, both workers up ({(both_up_until - jobs_from).total_seconds():.0f} s):", both)
        ok &= not both["twice in one period"] and not both["missed periods"]

        killed_job = kill_mid_run(workers[0])
        workers[0].wait()  # reaped: the survivor's reaper sees the process gone
        killed_at = datetime.datetime.now(datetime.UTC)
        print(f"worker {workers[0].pid} killed (SIGKILL) while running: {killed_job}")
        time.sleep(args.after_kill)
        after = check_periods(args.period, jobs_from, datetime.datetime.now(datetime.UTC))
        runs = job_runs()
        resumed = [
            (s.isoformat(), o, w)
            for s, _f, o, w in runs.get(killed_job, [])
            if s >= killed_at - datetime.timedelta(seconds=1)
        ]
        survivors = {w for rs in runs.values() for s, _f, _o, w in rs if s > killed_at}
        print(f"jobs, one worker killed (+{args.after_kill:.0f} s):", after)
        print(f"  runs of {killed_job} around the kill: {resumed[:4]}")
        print(f"  workers running jobs after the kill: {sorted(survivors)}")
        ok &= not after["twice in one period"] and not after["missed periods"]
        ok &= all(not w.endswith(f":{workers[0].pid}") for w in survivors)
        if not killed_job.startswith("("):  # the killed run's period was run again, on the survivor
            ok &= any(o not in ("RUNNING", "FAILED", "skipped") for _s, o, _w in resumed)
        print("RESULT:", "nothing lost or duplicated, every job once per period" if ok else "PROBLEMS FOUND")
    finally:
        for process in reversed(processes):
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database(pg_name, base=server_url)
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print("kept:", database, tmp)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
