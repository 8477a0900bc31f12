"""Helpers for the real-browser tests: a Kaifang server on a fresh demo database, and Chromium.

The server is a separate process (as `make demo` runs it), on a throwaway SQLite file or, when
DATABASE_URL points at PostgreSQL, a throwaway PostgreSQL database.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse, urlunparse

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _throwaway_database(tmp: Path) -> tuple[str, str | None]:
    base = os.environ.get("DATABASE_URL", "")
    if base.startswith(("postgres://", "postgresql://")):
        import psycopg

        parts = urlparse(base)
        name = f"kaifang_browser_{os.getpid()}"
        admin = urlunparse(parts._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        return urlunparse(parts._replace(path=f"/{name}")), name
    return f"sqlite:///{tmp / 'browser.sqlite3'}", None


def _drop_database(name: str | None) -> None:
    if name is None:
        return
    import psycopg

    parts = urlparse(os.environ["DATABASE_URL"])
    with psycopg.connect(urlunparse(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def running_site() -> Iterator[str]:
    """Migrate and load the demo into a fresh database, serve it with gunicorn, yield its base URL."""
    with tempfile.TemporaryDirectory(prefix="kaifang-browser-") as tmpdir:
        tmp = Path(tmpdir)
        url, pg_name = _throwaway_database(tmp)
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "KAIFANG_VAR_DIR": str(tmp),
            "KAIFANG_DEBUG": "0",
            "KAIFANG_REQUIRE_2FA": "0",
            "KAIFANG_TASKS_BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
            "KAIFANG_DEMO_TODAY": "2018-07-05",  # the demo lives in early July 2018 (kaifang.core.clock)
            "KAIFANG_STATIC_ROOT": str(tmp / "static"),
        }
        kaifang = [sys.executable, "-m", "kaifang.cli"]
        for step in (["migrate", "-v0"], ["collectstatic", "--noinput", "-v0"], ["load_demo"]):
            subprocess.run(kaifang + step, env=env, check=True, capture_output=True)
        port = free_port()
        log = (tmp / "server.log").open("w")
        server = subprocess.Popen(
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
                "4",
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(base + "/healthz", timeout=2)  # noqa: S310 (loopback only)
                    break
                except OSError:
                    time.sleep(0.2)
            yield base
        finally:
            server.terminate()
            server.wait(timeout=20)
            log.close()
            _drop_database(pg_name)
