"""The replica router's decisions (issue 17); the real standby is in test_replicas_live.py."""

from __future__ import annotations

import time

import pytest
from django.core import signing
from django.db import transaction
from django.test import RequestFactory, override_settings

from kaifang.core import replica_middleware, replicas
from kaifang.core.replicas import Health
from kaifang.indicators.models import DataValue
from kaifang.orgs.models import OrgUnit


@pytest.fixture
def one_replica(monkeypatch: pytest.MonkeyPatch) -> dict[str, Health]:
    health = {"replica1": Health(checked_at=time.monotonic(), usable=True, lag_seconds=0.0)}
    monkeypatch.setattr(replicas, "replica_aliases", lambda: ["replica1"])
    monkeypatch.setattr(replicas, "check", lambda alias, force=False: health[alias])
    return health


def test_without_replicas_every_read_is_left_to_the_default() -> None:
    router = replicas.ReplicaRouter()
    with replicas.reading():
        assert router.db_for_read(OrgUnit) is None
    assert router.db_for_write(OrgUnit) == "default"


@pytest.mark.django_db(transaction=True)
def test_only_read_only_work_reads_a_healthy_replica(one_replica: dict[str, Health]) -> None:
    router = replicas.ReplicaRouter()
    assert router.db_for_read(DataValue) == "default"  # unmarked work
    with replicas.reading():
        assert router.db_for_read(DataValue) == "replica1"
        from kaifang.accounts.models import User

        assert router.db_for_read(User) == "default"  # sign-in tables always fresh
        with transaction.atomic():
            assert router.db_for_read(DataValue) == "default"  # reads inside a write see it
        one_replica["replica1"] = Health(usable=False, lag_seconds=12.0, checked_at=time.monotonic())
        assert router.db_for_read(DataValue) == "default"  # too far behind: skipped
    assert router.allow_migrate("replica1", "indicators") is False
    assert router.allow_migrate("default", "indicators") is True


@pytest.mark.parametrize(
    ("path", "read_only"),
    [
        ("/dashboards/", True),
        ("/dashboards/units/210100/", True),
        ("/indicators/", True),
        ("/indicators/export.xlsx", True),
        ("/indicators/catalogue/GDP/edit/", False),
        ("/assessment/schemes/KH2018/2018-06/", True),
        ("/assessment/bulletins/3/download/", True),
        ("/api/v1/values", True),
        ("/reporting/", False),
        ("/supervision/", False),
        ("/accounts/login/", False),
    ],
)
def test_read_only_paths(path: str, read_only: bool) -> None:
    assert replica_middleware.is_read_only_path(path) is read_only


@override_settings(KAIFANG_REPLICA_READ_YOUR_WRITES_SECONDS=30)
def test_read_your_writes_cookie_is_bound_to_the_user_and_expires() -> None:
    class Person:
        is_authenticated = True

        def __init__(self, pk: int) -> None:
            self.pk = pk

    factory = RequestFactory()
    now = time.time()

    def request(cookie: str, user_pk: int):  # type: ignore[no-untyped-def]
        r = factory.get("/dashboards/", HTTP_COOKIE=f"{replica_middleware.COOKIE}={cookie}")
        r.user = Person(user_pk)  # type: ignore[assignment]
        return r

    fresh = signing.dumps([7, now + 30], salt=replica_middleware._SALT)
    stale = signing.dumps([7, now - 1], salt=replica_middleware._SALT)
    assert replica_middleware.wrote_recently(request(fresh, 7)) is True
    assert replica_middleware.wrote_recently(request(fresh, 8)) is False  # another user's cookie
    assert replica_middleware.wrote_recently(request(stale, 7)) is False  # window over
    assert replica_middleware.wrote_recently(request("forged:value", 7)) is False
