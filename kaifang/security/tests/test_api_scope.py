"""SEC-13: the object-level scope matrix over the demo data, through the real server.

For every persona × every GET endpoint of the API: list endpoints return only rows owned by units
the persona may see, and every detail endpoint answers 404/403 for the objects of other units
(taken from the province supervisor's lists) that the persona's own list does not show. Runs
against `live_site` (gunicorn on a fresh database with `kaifang load_demo`), read-only.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from kaifang.accounts.demo import DEMO_PASSWORD
from kaifang.accounts.models import User
from kaifang.orgs.models import OrgUnit
from kaifang.orgs.scope import can_see_unit
from kaifang.security.tests.test_api_fuzz import unit_codes

pytestmark = [pytest.mark.browser, pytest.mark.django_db]
PERSONAS = ["shenyang", "hunnan", "shenhe", "dalian", "ganjingzi", "swt", "leader"]
PER_ENDPOINT = 8


def signed_in(base: str, username: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=60, follow_redirects=False)
    page = client.get("/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    response = client.post(
        "/accounts/login/",
        data={"username": username, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": base + "/accounts/login/"},
    )
    assert response.status_code == 302, username
    return client


def rows_of(body: Any) -> list[dict[str, Any]]:
    if isinstance(body, dict):
        for key in ("items", "results", "rows"):
            if isinstance(body.get(key), list):
                return [r for r in body[key] if isinstance(r, dict)]
        return []
    return [r for r in body if isinstance(r, dict)] if isinstance(body, list) else []


def endpoints(schema: dict[str, Any]) -> tuple[list[str], list[tuple[str, str, str]]]:
    """List paths (GET, no path parameter) and detail paths (GET, one parameter) with their list."""
    gets = [path for path, item in schema["paths"].items() if "get" in item]
    lists = [p for p in gets if "{" not in p]
    details = []
    for path in gets:
        match = re.fullmatch(r"(.*)/\{(\w+)\}", path)
        if match and match.group(1) in lists:
            details.append((path, match.group(1), match.group(2)))
    return lists, details


def key_of(param: str, row: dict[str, Any]) -> Any:
    for key in (param, "id" if param.endswith("id") else "code", "id", "code"):
        if key in row:
            return row[key]
    return None


def test_sec_13_no_persona_lists_or_opens_another_units_objects(live_site):
    province = signed_in(live_site, "province")
    schema = province.get("/api/v1/openapi.json").json()
    lists, details = endpoints(schema)
    assert len(lists) >= 5
    everything = {path: rows_of(province.get(path).json()) for path in lists}
    problems: list[str] = []
    checked = 0
    for name in PERSONAS:
        user = User.objects.select_related("unit").get(username=name)
        client = signed_in(live_site, name)
        seen: dict[str, set[Any]] = {}
        for path in lists:
            response = client.get(path)
            if response.status_code != 200:
                continue
            rows = rows_of(response.json())
            codes = unit_codes(rows) | (
                {r["code"] for r in rows if "code" in r} if path.endswith("orgunits") else set()
            )
            for unit in OrgUnit.objects.filter(code__in=codes):
                if not can_see_unit(user, unit):
                    problems.append(f"{name} lists {unit.code} in {path}")
            seen[path] = {key_of("id", r) for r in rows} | {key_of("code", r) for r in rows}
        for detail, list_path, param in details:
            foreign = [r for r in everything.get(list_path, []) if key_of(param, r) not in seen.get(list_path, set())]
            for row in foreign[:PER_ENDPOINT]:
                key = key_of(param, row)
                if key is None:
                    continue
                checked += 1
                status = client.get(detail.replace("{" + param + "}", str(key))).status_code
                if status not in (403, 404):
                    problems.append(f"{name} opened {detail} {key} → {status}")
    assert problems == []
    assert checked > 20  # the matrix really ran over foreign objects
