"""Read replicas for real (issue 17): a throwaway PostgreSQL primary and its streaming hot standby.

The pair is started under a temporary directory (kaifang.core.pg_pair: initdb, pg_basebackup
--write-recovery-conf); the probe runs the application against it in its own process (settings
read the replica from the environment) and reports, per step, which database answered and what the
user saw. Runs in the PostgreSQL half of `make test`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from kaifang.core import pg_pair

ROOT = Path(__file__).resolve().parents[3]
pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="the PostgreSQL half runs it"
    ),
    pytest.mark.skipif(pg_pair.bin_dir() is None, reason="PostgreSQL server binaries are not installed"),
]


@pytest.fixture(scope="module")
def pair():  # type: ignore[no-untyped-def]
    folder = Path(tempfile.mkdtemp(prefix="kf-pgpair-"))
    folder.chmod(0o755)  # the clusters run as the postgres user
    started = pg_pair.start(folder / "pair")
    yield started
    pg_pair.stop(folder / "pair")
    shutil.rmtree(folder, ignore_errors=True)


def test_routing_read_your_writes_lag_and_failover(pair: pg_pair.Pair) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": pair.primary_url,
        "KAIFANG_REPLICA_URLS": pair.standby_url,
        "KAIFANG_PAIR_DIR": str(pair.base),
        "PYTHONPATH": str(ROOT),
    }
    done = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("replica_probe.py"))],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    old, new = "沈阳市", "沈阳市（新名称）"
    # An API GET is read-only work: the unit comes from the standby.
    assert out["caught_up"]["status"] == 200 and out["caught_up"]["name"] == old
    assert out["caught_up"]["replica_queries"] > 0
    # Replay paused, the primary renamed the city: a reader on the standby still sees the old name…
    assert out["reader_while_behind"]["name"] == old and out["reader_while_behind"]["replica_queries"] > 0
    assert out["writer_before_write"]["name"] == old
    # …but a user who has just written reads the primary for the window: no replica query at all.
    assert out["write_status"] == 302
    assert out["writer_after_write"] == {**out["writer_after_write"], "name": new, "replica_queries": 0}
    assert out["reader_after_others_write"]["name"] == old  # another user is not pinned
    assert out["in_transaction_alias"] == "default"  # a read inside a write transaction
    # Lag measured by pg_last_xact_replay_timestamp: over the 1 s threshold, the standby is skipped.
    assert out["lag_measured"] > 1
    assert out["reader_when_lag_too_big"]["name"] == new
    # Replay resumed and caught up: back on the standby, which now has the new name.
    assert out["reader_after_catch_up"]["name"] == new and out["reader_after_catch_up"]["replica_queries"] > 0
    # Standby stopped: the request that hit the broken connection is answered from the primary,
    # and the next one does not touch the standby at all.
    assert out["reader_standby_stopped"]["status"] == 200 and out["reader_standby_stopped"]["name"] == new
    assert out["reader_standby_still_stopped"] == {
        **out["reader_standby_still_stopped"],
        "status": 200,
        "name": new,
        "replica_queries": 0,
    }
    assert out["health_when_stopped"] is False
