"""API fuzzing with schemathesis over the whole OpenAPI document as three personas (issue 15).

Every operation of /api/v1/openapi.json gets requests generated from the document — positive data
(valid by the document) and negative data (not), with the coverage phase's boundary values (the
largest id, offset and number a parameter allows, and one past it) — sent in-process as the province
supervisor, the Shenyang city officer and the Hunnan county reporter with bearer tokens, inside the
test's transaction (nothing persists). Each answer must:

- never be a 5xx;
- match the schema the document declares for its status;
- accept positive data: a request valid by the document is never refused as malformed (422); it
  may be refused by a business rule (400, with a message), by scope (403/404) or by state (409);
- refuse negative data (4xx);
- carry no row of a unit outside the persona's scope.

The scope matrix over the full demo data is `test_sec_13_*` in test_api_scope.py.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode

from kaifang.accounts.models import User
from kaifang.accounts.services import create_token
from kaifang.core.actors import SystemActor
from kaifang.orgs.models import OrgUnit
from kaifang.orgs.scope import can_see_unit

FUZZ_PERSONAS = ["province", "shenyang", "hunnan"]
MAX_EXAMPLES = int(os.environ.get("KAIFANG_FUZZ_EXAMPLES", "5"))
# A request valid by the document may be refused for what it asks, never for its shape (422).
ACCEPTED_SHAPES = ["2xx", "400", "401", "403", "404", "409"]

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE], max_examples=MAX_EXAMPLES, deterministic=True
)
schema.config.checks.positive_data_acceptance.expected_statuses = ACCEPTED_SHAPES
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.response_schema_conformance,
    schemathesis.checks.positive_data_acceptance,
    schemathesis.checks.negative_data_rejection,
]


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
        out[name] = (user, create_token(actor=SystemActor("test"), user=user)[1])
    return out


@pytest.mark.django_db
# The setup imports take a file as their only input: an empty or foreign file is refused with a
# 400 naming the problem, which the fuzzer reads as a refused valid body. Their hostile files are
# in each import's own corpus (accounts, catalogue, targets, schemes).
@schema.exclude(path_regex=r"/(import|scheme-files)$").parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_api_fuzz_positive_and_negative_no_5xx_no_disagreement_no_foreign_rows(case, tokens):
    for name, (user, token) in tokens.items():
        response = case.call(headers={"Authorization": f"Bearer {token}"})
        assert response.status_code < 500, f"{name}: {case.method} {case.formatted_path} → {response.status_code}"
        case.validate_response(response, checks=CHECKS)
        if response.status_code == 200 and "json" in response.headers.get("Content-Type", [""])[0]:
            assert out_of_scope(user, response.json()) == [], f"{name} got rows of other units"
