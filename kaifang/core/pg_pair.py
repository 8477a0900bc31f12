"""A throwaway PostgreSQL primary and its streaming hot standby, for the replica tests and bench.

    python -m kaifang.core.pg_pair start /tmp/kf-pair     # prints the two database URLs
    python -m kaifang.core.pg_pair stop /tmp/kf-pair

Both clusters live under the given directory (initdb, then pg_basebackup --write-recovery-conf),
on free loopback ports, with trust authentication for loopback only; nothing touches the
machine's own clusters. Run as root, the PostgreSQL binaries run as the `postgres` user.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path


def bin_dir() -> Path | None:
    for version in ("17", "16", "15", "14"):
        candidate = Path(f"/usr/lib/postgresql/{version}/bin")
        if (candidate / "initdb").exists() and (candidate / "pg_basebackup").exists():
            return candidate
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Pair:
    base: Path
    primary_port: int
    standby_port: int

    @property
    def primary_dir(self) -> Path:
        return self.base / "primary"

    @property
    def standby_dir(self) -> Path:
        return self.base / "standby"

    def url(self, port: int, name: str = "kaifang") -> str:
        return f"postgres://postgres@127.0.0.1:{port}/{name}"

    @property
    def primary_url(self) -> str:
        return self.url(self.primary_port)

    @property
    def standby_url(self) -> str:
        return self.url(self.standby_port)


def _run(args: list[str | Path], **kwargs: object) -> subprocess.CompletedProcess[str]:
    command = [str(a) for a in args]
    if os.geteuid() == 0:  # initdb and postgres refuse root
        command = ["runuser", "-u", "postgres", "--", *command]
    return subprocess.run(command, check=True, capture_output=True, text=True, **kwargs)  # type: ignore[call-overload,no-any-return]


def _pg_ctl(data: Path, action: str, *extra: str) -> None:
    binaries = bin_dir()
    assert binaries is not None
    _run([binaries / "pg_ctl", "-D", data, "-l", data / "server.log", "-w", "-t", "60", action, *extra])


def _wait_ready(port: int) -> None:
    binaries = bin_dir()
    assert binaries is not None
    for _ in range(120):
        if subprocess.run([binaries / "pg_isready", "-h", "127.0.0.1", "-p", str(port), "-q"]).returncode == 0:
            return
        time.sleep(0.25)
    raise RuntimeError(f"PostgreSQL on port {port} did not start")


def start(base: Path) -> Pair:
    binaries = bin_dir()
    if binaries is None:
        raise RuntimeError("PostgreSQL server binaries (initdb, pg_basebackup) are not installed")
    stop(base)
    shutil.rmtree(base, ignore_errors=True)
    base.mkdir(parents=True)
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
    pair = Pair(base, free_port(), free_port())
    _run([binaries / "initdb", "-D", pair.primary_dir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"])
    settings = (
        f"port = {pair.primary_port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{base}'\n"
        "wal_level = replica\nmax_wal_senders = 4\nhot_standby = on\nfsync = off\n"
        "synchronous_commit = off\nfull_page_writes = off\nshared_buffers = 32MB\n"
    )
    with open(pair.primary_dir / "postgresql.conf", "a") as conf:
        conf.write(settings)
    with open(pair.primary_dir / "pg_hba.conf", "a") as hba:
        hba.write("host replication postgres 127.0.0.1/32 trust\n")
    _pg_ctl(pair.primary_dir, "start")
    _wait_ready(pair.primary_port)
    _run([binaries / "createdb", "-h", "127.0.0.1", "-p", str(pair.primary_port), "-U", "postgres", "kaifang"])
    _run(
        [
            binaries / "pg_basebackup",
            "-h",
            "127.0.0.1",
            "-p",
            str(pair.primary_port),
            "-U",
            "postgres",
            "-D",
            pair.standby_dir,
            "--write-recovery-conf",
            "--checkpoint=fast",
            "--wal-method=stream",
        ]
    )
    with open(pair.standby_dir / "postgresql.conf", "a") as conf:
        conf.write(f"port = {pair.standby_port}\nhot_standby_feedback = on\n")
    _pg_ctl(pair.standby_dir, "start")
    _wait_ready(pair.standby_port)
    return pair


def stop_standby(pair: Pair) -> None:
    _pg_ctl(pair.standby_dir, "stop", "-m", "fast")


def start_standby(pair: Pair) -> None:
    _pg_ctl(pair.standby_dir, "start")
    _wait_ready(pair.standby_port)


def stop(base: Path) -> None:
    for name in ("standby", "primary"):
        data = base / name
        if (data / "postmaster.pid").exists():
            with contextlib.suppress(subprocess.CalledProcessError):
                _pg_ctl(data, "stop", "-m", "immediate")


def main() -> None:
    action, base = sys.argv[1], Path(sys.argv[2])
    if action == "start":
        pair = start(base)
        print(f"DATABASE_URL={pair.primary_url}")
        print(f"KAIFANG_REPLICA_URLS={pair.standby_url}")
    else:
        stop(base)
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
