"""Shared test set-up: the org tree and the named personas are built once per session.

Personas (healthchecks-style alice/bob/charlie): `province` (supervisor), `admin`, `shenyang`
(city officer), `hunnan` and `shenhe` (reporters of two counties of Shenyang), `dalian`,
`ganjingzi`, `swt` (department reporter), `leader` (read-only), `auditor`. Every view and API
test also proves that a user of another county sees and changes nothing.
"""

from __future__ import annotations

import pytest
from django.conf import settings


def pytest_configure(config: pytest.Config) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.KAIFANG_REQUIRE_2FA = False  # personas sign in with a password; security tests turn it on
    _lift_sqlite_triggers_inside_the_test_flush()


def _lift_sqlite_triggers_inside_the_test_flush() -> None:
    """A transactional test ends with a flush of the throwaway test database. On PostgreSQL the flush
    is TRUNCATE, which row triggers do not see. On SQLite it is DELETE, which the immutability
    triggers (audit events, published snapshots) refuse, as they must in production: so in tests
    only, the flush drops every trigger, empties the tables and recreates the triggers from their own
    SQL, all in the flush's one transaction. The schema itself has no hole (no condition, no setting
    that would let a DELETE through); only DDL can lift a trigger, which the schema owner can anyway."""
    from django.db.backends.sqlite3.base import DatabaseWrapper

    operations = DatabaseWrapper.ops_class
    sql_flush = operations.sql_flush

    def flush_with_triggers_lifted(self, style, tables, *, reset_sequences=False, allow_cascade=False):  # type: ignore[no-untyped-def]
        statements = sql_flush(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        if not statements:
            return statements
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND sql IS NOT NULL")
            triggers = cursor.fetchall()
        drops = [f'DROP TRIGGER "{name}";' for name, _sql in triggers]
        return [*drops, *statements, *(f"{sql};" for _name, sql in triggers)]

    operations.sql_flush = flush_with_triggers_lifted  # type: ignore[method-assign]


def load_base_data() -> None:
    from kaifang.accounts.demo import load_personas
    from kaifang.core.actors import SystemActor
    from kaifang.core.context import change_context
    from kaifang.orgs.demo import load_org_tree

    with change_context(channel="system"):
        load_org_tree(actor=SystemActor("test"))
        load_personas()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock():
        load_base_data()


@pytest.fixture
def base_data(transactional_db):  # type: ignore[no-untyped-def]
    """For transactional tests: the flush after an earlier transactional test empties the tables."""
    from kaifang.orgs.models import OrgUnit

    if not OrgUnit.objects.exists():
        load_base_data()


def _persona(username: str):  # type: ignore[no-untyped-def]
    @pytest.fixture
    def fixture(db):  # type: ignore[no-untyped-def]
        from kaifang.accounts.models import User

        return User.objects.select_related("unit").get(username=username)

    return fixture


province = _persona("province")
admin_user = _persona("admin")
shenyang = _persona("shenyang")
hunnan = _persona("hunnan")
shenhe = _persona("shenhe")
dalian = _persona("dalian")
ganjingzi = _persona("ganjingzi")
swt = _persona("swt")
leader = _persona("leader")
auditor = _persona("auditor")
secadmin = _persona("secadmin")


@pytest.fixture
def personas(db):  # type: ignore[no-untyped-def]
    from kaifang.accounts.models import User

    return {u.username: u for u in User.objects.select_related("unit")}


@pytest.fixture
def client_for(client):  # type: ignore[no-untyped-def]
    """`client_for(user)` → a Django test client logged in as that user."""
    from django.test import Client

    def make(user):  # type: ignore[no-untyped-def]
        c = Client()
        c.force_login(user)
        return c

    return make


@pytest.fixture(scope="session")
def live_site():  # type: ignore[no-untyped-def]
    """A Kaifang server on a fresh demo database (see kaifang.core.testing)."""
    from kaifang.core.testing import running_site

    with running_site() as base:
        yield base


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    from kaifang.core.testing import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page_as(browser, live_site):  # type: ignore[no-untyped-def]
    """`page_as("hunnan")` → a Playwright page logged in as that demo persona (1366×768)."""
    from kaifang.accounts.demo import DEMO_PASSWORD

    contexts = []

    def login(username: str):  # type: ignore[no-untyped-def]
        context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
        contexts.append(context)
        page = context.new_page()
        page.goto(live_site + "/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_url(live_site + "/")
        return page

    yield login
    for context in contexts:
        context.close()


@pytest.fixture(autouse=True)
def _chinese_unless_a_test_switches():
    """A request in English leaves the thread's language active after the response: every test starts
    in the default language, so a test's outcome never depends on the one before it."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def phone_as(browser, live_site):  # type: ignore[no-untyped-def]
    """`phone_as("hunnan")` → a Playwright page in Chromium's mobile emulation (390×844, touch), logged in."""
    from kaifang.accounts.demo import DEMO_PASSWORD

    contexts = []

    def login(username: str):  # type: ignore[no-untyped-def]
        context = browser.new_context(
            viewport={"width": 390, "height": 844},
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
            locale="zh-CN",
            user_agent="Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/120.0 Mobile Safari/537.36 DingTalk/7.0",
        )
        contexts.append(context)
        page = context.new_page()
        page.goto(live_site + "/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.tap("main button[type=submit]")
        page.wait_for_url(live_site + "/")
        return page

    yield login
    for context in contexts:
        context.close()
