"""Two app servers behind nginx and two task workers (issue 17), end to end on PostgreSQL.

Runs bench/two_nodes.py small: nginx (Debian's binary, a temporary configuration on loopback)
in front of two gunicorn instances, two `kaifang worker` processes, a deadline rush of 30
reporters through nginx, recurring jobs every 2 s; then one worker is SIGKILLed mid-job. The
script exits non-zero when a figure is lost or duplicated, a request fails, a job runs twice in
one period or misses one, or the killed run's period is not run again by the survivor.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="the PostgreSQL half runs it"
    ),
    pytest.mark.skipif(
        shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists(), reason="nginx is not installed"
    ),
]


def test_rush_over_two_app_servers_and_jobs_once_per_period_with_a_worker_killed() -> None:
    server = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres"
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "two_nodes.py"),
            "--users",
            "30",
            "--ramp",
            "5",
            "--period",
            "2",
            "--after-kill",
            "12",
            "--max-seconds",
            "300",
        ],
        env={**os.environ, "DATABASE_URL": server, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=900,
    )
    out = done.stdout
    assert done.returncode == 0, out[-4000:] + done.stderr[-3000:]
    assert "RESULT: nothing lost or duplicated, every job once per period" in out
    served = next(line for line in out.splitlines() if line.startswith("requests per app server:"))
    assert served.count("127.0.0.1:") == 2  # both app servers answered
    assert "finished reporters = 30, values lost = 0, values duplicated = 0" in out
    assert "killed (SIGKILL) while running" in out
