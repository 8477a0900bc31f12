"""Helpers for the real-browser tests: a Kaifang server on a fresh demo database, and Chromium.

The server is a separate process (as `make demo` runs it), on a throwaway SQLite file or, when
DATABASE_URL points at PostgreSQL, a throwaway PostgreSQL database.
"""

from __future__ import annotations

import datetime
import itertools
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
from typing import Any
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


_SERIAL = itertools.count(1)


def create_database(label: str, folder: Path, *, base: str | None = None) -> tuple[str, str | None]:
    """A fresh, empty database for one run (a browser site, a crash test, a benchmark).

    When `base` (default: DATABASE_URL) points at PostgreSQL: a new database `kaifang_<label>_<pid>`
    on that server (numbered per call), replacing a leftover of the same name; otherwise an SQLite file in `folder`.
    Returns its URL and the PostgreSQL name to give to `drop_database` (None for SQLite).
    """
    base = os.environ.get("DATABASE_URL", "") if base is None else base
    if not base.startswith(("postgres://", "postgresql://")):
        return f"sqlite:///{folder / f'{label}.sqlite3'}", None
    import psycopg

    parts = urlparse(base)
    # One name per call: two sites alive at once in one run (the session's and a test's own) must
    # never replace each other's database.
    name = f"kaifang_{label}_{os.getpid()}_{next(_SERIAL)}"
    with psycopg.connect(urlunparse(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunparse(parts._replace(path=f"/{name}")), name


def drop_database(name: str | None, *, base: str | None = None) -> None:
    """Drop a database `create_database` made on PostgreSQL (nothing to do for SQLite)."""
    if name is None:
        return
    import psycopg

    parts = urlparse(os.environ.get("DATABASE_URL", "") if base is None else base)
    with psycopg.connect(urlunparse(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Site(str):
    """A running site's base URL, with the database it serves (a test reads its own data from it)."""

    database_url: str = ""


@contextmanager
def running_site(prepare: list[list[str]] | None = None) -> Iterator[Site]:
    """Migrate and load the demo into a fresh database, serve it with gunicorn, yield its base URL.
    `prepare`: further `kaifang` commands run after the demo is loaded (a test's own arrangement)."""
    with tempfile.TemporaryDirectory(prefix="kaifang-browser-") as tmpdir:
        tmp = Path(tmpdir)
        url, pg_name = create_database("browser", tmp)
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
        for step in (["migrate", "-v0"], ["collectstatic", "--noinput", "-v0"], ["load_demo"], *(prepare or [])):
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
            site = Site(base)
            site.database_url = url
            yield site
        finally:
            server.terminate()
            server.wait(timeout=20)
            log.close()
            drop_database(pg_name)


# --- Phone checks for the browser tests (390×844, touch) ------------------------------------------

MIN_TOUCH = 44  # px: the smallest control a thumb hits reliably (Apple HIG 44 pt; Android 48 dp)
MIN_INPUT_FONT = 16  # px: smaller text makes mobile browsers zoom into the field


def page_overflow(page: Any) -> int:
    """How many pixels the page is wider than the screen (0: no horizontal scrolling)."""
    return int(page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth"))


def touch_problems(page: Any, selector: str) -> list[str]:
    """Controls matching `selector` that are too small to tap or whose text would make the phone zoom."""
    found: list[str] = page.evaluate(
        """([selector, minTouch, minFont]) => Array.from(document.querySelectorAll(selector))
            .filter(el => el.offsetParent !== null)
            .flatMap(el => {
              const box = el.getBoundingClientRect(), font = parseFloat(getComputedStyle(el).fontSize);
              const name = el.name || el.textContent.trim().slice(0, 12);
              const out = [];
              if (box.height < minTouch) out.push(`${name}: ${Math.round(box.height)}px high`);
              if (el.matches('input, select, textarea') && font < minFont) out.push(`${name}: ${font}px text`);
              return out;
            })""",
        [selector, MIN_TOUCH, MIN_INPUT_FONT],
    )
    return found


def xlsx_bytes(sheets: dict[str, list[list[Any]]], *, formula_at: tuple[str, int, int] | None = None) -> bytes:
    """A workbook as a clerk would fill it, for import tests: each sheet's rows as given (header
    first; text stays text, numbers stay numbers). `formula_at` (sheet, row as Excel shows it,
    0-based column) puts a formula in that cell instead, for the hostile corpus."""
    import io

    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False})
    # A fixed creation time: the same rows give the same bytes (a re-upload is recognised by its hash)
    # even when the two files are written either side of a second's boundary.
    book.set_properties({"created": datetime.datetime(2018, 1, 1)})
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                if formula_at == (name, i + 1, j):
                    sheet.write_formula(i, j, '=CONCATENATE("a","b")', None, "ab")
                elif isinstance(value, bool):
                    sheet.write_boolean(i, j, value)
                elif isinstance(value, int | float):
                    sheet.write_number(i, j, value)
                elif value not in (None, ""):
                    sheet.write_string(i, j, str(value))
    book.close()
    return buffer.getvalue()
