"""API fuzzing (issue: "schemathesis over the whole OpenAPI as each persona"), bounded for CI.

Every operation of /api/v1/openapi.json gets a few generated requests (valid and invalid
parameters and bodies) sent in-process as each persona with a bearer token, inside the test's
transaction (nothing persists). Each response must not be a 5xx, must match the schema declared
for its status, and must not carry a row of a unit outside the persona's scope. The scope matrix
over the full demo data (every list and detail endpoint × persona × other units' objects) is
`test_sec_13_*` in test_api_scope.py.
"""

from __future__ import annotations

import os
import time
from typing import Any

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, Phase, settings

from kaifang.accounts.models import User
from kaifang.accounts.services import create_token
from kaifang.orgs.models import OrgUnit
from kaifang.orgs.scope import can_see_unit

FUZZ_PERSONAS = ["province", "shenyang", "hunnan"]
MAX_EXAMPLES = 4
# The whole module stops generating after this many seconds (CI budget); later operations are skipped.
BUDGET_SECONDS = float(os.environ.get("KAIFANG_FUZZ_BUDGET_SECONDS", "150"))
_started: list[float] = []

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


def unit_codes(body: Any) -> set[str]:
    """Codes of the units that own the rows in a JSON body (keys `unit` / `unit_code`)."""
    found: set[str] = set()
    if isinstance(body, dict):
        for key, value in body.items():
            if key in ("unit", "unit_code"):
                if isinstance(value, dict) and isinstance(value.get("code"), str):
                    found.add(value["code"])
                elif isinstance(value, str):
                    found.add(value)
            else:
                found |= unit_codes(value)
    elif isinstance(body, list):
        for item in body:
            found |= unit_codes(item)
    return found


def out_of_scope(user: User, body: Any) -> list[str]:
    codes = unit_codes(body)
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=codes)}
    return sorted(code for code, unit in units.items() if not can_see_unit(user, unit))


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """Requests go through the WSGI handler in-process; like Django's test client, keep its
    request signals from closing the test's database connection (PostgreSQL would lose it)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(db) -> dict[str, tuple[User, str]]:
    out = {}
    for name in FUZZ_PERSONAS:
        user = User.objects.select_related("unit").get(username=name)
        out[name] = (user, create_token(actor="test", user=user)[1])
    return out


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_api_fuzz_no_5xx_schema_conformance_and_no_foreign_rows(case, tokens):
    if not _started:
        _started.append(time.monotonic())
    if time.monotonic() - _started[0] > BUDGET_SECONDS:
        pytest.skip(f"fuzzing time budget of {BUDGET_SECONDS:.0f} s used up")
    for name, (user, token) in tokens.items():
        response = case.call(headers={"Authorization": f"Bearer {token}"})
        assert response.status_code < 500, f"{name}: {case.method} {case.formatted_path} → {response.status_code}"
        case.validate_response(
            response,
            checks=[schemathesis.checks.not_a_server_error, schemathesis.checks.response_schema_conformance],
        )
        if response.status_code == 200 and "json" in response.headers.get("Content-Type", [""])[0]:
            assert out_of_scope(user, response.json()) == [], f"{name} got rows of other units"
