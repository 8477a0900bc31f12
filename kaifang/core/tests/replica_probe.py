"""Run against a real primary + streaming standby (see test_replicas_live.py); prints one JSON line.

Environment: DATABASE_URL (primary), KAIFANG_REPLICA_URLS (the standby), KAIFANG_PAIR_DIR (the
pair's directory, so the probe can stop the standby). Every step records which database answered
and what the user saw; the test asserts on the result.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kaifang.settings")
os.environ["KAIFANG_REQUIRE_2FA"] = "0"
os.environ.setdefault("KAIFANG_REPLICA_CHECK_SECONDS", "0")
os.environ.setdefault("KAIFANG_REPLICA_MAX_LAG_SECONDS", "3600")
os.environ.setdefault("KAIFANG_REPLICA_READ_YOUR_WRITES_SECONDS", "30")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402
from django.test import Client  # noqa: E402

from kaifang.core import pg_pair, replicas  # noqa: E402

settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
settings.ALLOWED_HOSTS = ["testserver"]
PASSWORD = "Demo-2018!open"


def wait_replayed() -> None:
    for _ in range(200):
        replicas.reset()
        if replicas.measure_lag("replica1") == 0:
            return
        time.sleep(0.05)
    raise RuntimeError("standby never caught up")


def replay(paused: bool) -> None:
    with connections["replica1"].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()" if paused else "SELECT pg_wal_replay_resume()")


def get_name(client: Client, code: str) -> dict[str, object]:
    counts = {"default": 0, "replica1": 0}

    def counter(alias: str):  # type: ignore[no-untyped-def]
        def wrapper(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
            counts[alias] += 1
            return execute(sql, params, many, context)

        return wrapper

    with (
        connections["default"].execute_wrapper(counter("default")),
        connections["replica1"].execute_wrapper(counter("replica1")),
    ):
        response = client.get(f"/api/v1/orgunits/{code}")
    return {
        "status": response.status_code,
        "name": response.json().get("name") if response.status_code == 200 else None,
        "primary_queries": counts["default"],
        "replica_queries": counts["replica1"],
    }


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
    from conftest import load_base_data

    call_command("migrate", verbosity=0)
    load_base_data()
    from kaifang.accounts.models import User
    from kaifang.orgs.models import OrgUnit

    code = User.objects.get(username="shenyang").unit.code
    out: dict[str, object] = {"code": code}
    wait_replayed()
    reader, writer = Client(), Client()
    assert reader.login(username="province", password=PASSWORD)
    assert writer.login(username="shenyang", password=PASSWORD)
    out["caught_up"] = get_name(reader, code)

    replay(paused=True)  # the standby now falls behind on purpose
    OrgUnit.objects.filter(code=code).update(name="沈阳市（新名称）")
    out["reader_while_behind"] = get_name(reader, code)  # replica: the old name
    out["writer_before_write"] = get_name(writer, code)
    out["write_status"] = writer.post("/notifications/read-all/").status_code
    out["writer_after_write"] = get_name(writer, code)  # primary within the window: the new name
    out["reader_after_others_write"] = get_name(reader, code)
    with replicas.reading():
        from django.db import transaction

        with transaction.atomic():
            out["in_transaction_alias"] = OrgUnit.objects.filter(code=code).db

    settings.KAIFANG_REPLICA_MAX_LAG_SECONDS = 1
    time.sleep(1.5)
    replicas.reset()
    out["lag_measured"] = replicas.measure_lag("replica1")
    out["reader_when_lag_too_big"] = get_name(reader, code)  # skipped: primary
    settings.KAIFANG_REPLICA_MAX_LAG_SECONDS = 3600

    replay(paused=False)
    wait_replayed()
    out["reader_after_catch_up"] = get_name(reader, code)  # replica again, new name

    pair = pg_pair.Pair(Path(os.environ["KAIFANG_PAIR_DIR"]), 0, 0)
    pg_pair.stop_standby(pair)
    out["reader_standby_stopped"] = get_name(reader, code)  # the open connection breaks: retried on primary
    replicas.reset()
    out["reader_standby_still_stopped"] = get_name(reader, code)  # health check fails: primary
    out["health_when_stopped"] = replicas.check("replica1", force=True).usable
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
