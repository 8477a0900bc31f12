"""A deadline-day reminder run for every unit through the WeCom group-robot channel (issue 16).

A throwaway database gets the Liaoning org tree and the demo personas; every unit gets its own group
robot route pointing at a local stand-in of the WeCom webhook (kaifang.notifications.tests.
channel_servers, which checks the key and the JSON body as WeCom documents them). One reminder per
unit is then issued the way the reminder jobs do (`notify_unit(..., relay=True)`, one transaction);
after commit each send runs as a background task (the immediate backend: one worker, in process).
Every --fail-every'th request answers HTTP 500, so retries are measured too; retries then run
through the recurring job (`deliver_due`, backoff set to 0 so the bench need not wait).

    .venv/bin/python bench/channel_reminders.py                       # SQLite, 1 in 20 fails
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/channel_reminders.py

Prints units, sends, sends per second of the first pass, retries, and the final statuses.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fail-every", type=int, default=20, help="every n-th request gets HTTP 500 (0: none)")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    from kaifang.core.testing import create_database, drop_database

    tmp = Path(tempfile.mkdtemp(prefix="kaifang-channels-"))
    database, pg_name = create_database("channels", tmp)
    os.environ.update(
        DATABASE_URL=database,
        DJANGO_SETTINGS_MODULE="kaifang.settings",
        KAIFANG_TASKS_BACKEND="django.tasks.backends.immediate.ImmediateBackend",
        KAIFANG_CHANNEL_BACKOFF_SECONDS="0",
        KAIFANG_DEMO_TODAY="2018-07-25",
        KAIFANG_VAR_DIR=str(tmp),
    )
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection, transaction
        from django.db.models import Count, Sum

        from kaifang.accounts.demo import load_personas
        from kaifang.core.actors import SystemActor
        from kaifang.core.context import change_context
        from kaifang.notifications.delivery import deliver_due
        from kaifang.notifications.models import ChannelRoute, Delivery
        from kaifang.notifications.services import notify_unit
        from kaifang.notifications.tests.channel_servers import WECOM_KEY, running_channels
        from kaifang.orgs.demo import load_org_tree
        from kaifang.orgs.models import OrgUnit

        call_command("migrate", verbosity=0)
        with change_context(channel="system"):
            load_org_tree(actor=SystemActor("bench"))
            load_personas()
        logging.getLogger("django.tasks").setLevel(logging.WARNING)
        # the 115 divisions: the province, 14 cities, 100 counties (departments and platforms aside)
        units = list(OrgUnit.objects.current().filter(kind__in=["province", "city", "county"]).order_by("path"))
        with running_channels() as server:
            server.fail_every = args.fail_every
            ChannelRoute.objects.bulk_create(
                ChannelRoute(unit=u, channel="wecom", url=server.base + "/cgi-bin/webhook/send", token=WECOM_KEY)
                for u in units
            )
            started = time.perf_counter()
            with change_context(channel="job"), transaction.atomic():
                for u in units:
                    notify_unit(
                        unit=u,
                        kind="reporting.deadline",
                        title="今日为2018年7月数据报送截止日",
                        body=f"请{u.name}于今日18:00前完成报送。",
                        dedup_key="deadline:2018-07-25",
                        relay=True,
                    )
            first_pass = time.perf_counter() - started
            first = dict(Delivery.objects.values_list("status").annotate(n=Count("id")))
            retry_started = time.perf_counter()
            rounds = 0
            while Delivery.objects.filter(status__in=["pending", "failed"]).exists() and rounds < 10:
                deliver_due()
                rounds += 1
            retry_time = time.perf_counter() - retry_started
            final = dict(Delivery.objects.values_list("status").annotate(n=Count("id")))
            attempts = Delivery.objects.aggregate(n=Sum("attempts"))["n"] or 0
            deliveries = Delivery.objects.count()
            print(f"database: {connection.vendor}; units: {len(units)}; routes: {len(units)} WeCom robots")
            print(f"sends recorded: {deliveries}; messages the robot accepted: {len(server.received['wecom'])}")
            print(
                f"first pass: {first_pass:.2f} s for {deliveries} sends (incl. notifications and audit) = "
                f"{deliveries / first_pass:.1f} sends/s; after it: {first}"
            )
            print(
                f"retries: {attempts - deliveries} in {rounds} recurring-job round(s), {retry_time:.2f} s; "
                f"final: {final}; HTTP requests: {server.count}"
            )
            if len(server.received["wecom"]) != final.get("sent", 0):
                raise SystemExit("a message was sent twice or lost")
    finally:
        if not args.keep:
            drop_database(pg_name)


if __name__ == "__main__":
    main()
