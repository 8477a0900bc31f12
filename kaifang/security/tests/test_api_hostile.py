"""A hostile-input corpus on every API operation (issue 15, items 3 and 4; SEC-27).

For each operation of the published document, a plausible request is built from the document,
then one parameter or body field at a time is replaced by a value at or past its limit: huge ids
and offsets (2**63 is the first that overflows a database integer), numbers ≥ 1e28 (the first a
28-digit decimal context cannot hold), NaN, infinities, full-width digits. Every answer must be a
refusal or a success — never a 5xx — and a refusal must name what was wrong.
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any

import pytest
from django.test import Client

from kaifang.accounts.services import create_token
from kaifang.api import api
from kaifang.core.actors import SystemActor

HOSTILE_NUMBERS = [0, -1, 2**31, 2**53, 2**63, 10**28, 10**40, 1e28, -1e28, 1e308]
HOSTILE_TEXT = ["1e28", "-1e28", "9" * 40, "NaN", "-Infinity", "１２３", "1e-400", ""]
# Real values for fields by name (the scenario's county, catalogue and month), so that a request
# gets past the look-ups to the code that reads the hostile value.
NAMED = {
    "indicator": "EXPORT",
    "unit": "210112",
    "unit_code": "210112",
    "lead_unit": "210112",
    "to_unit_code": "210112",
    "period": "2018-06",
    "year": 2018,
    "origin": "JP",
    "industry": "C",
    "level": "other",
    "source_region": "JP",
    "kind": "person",
    "action": "submit",
}
# Strings that stand for a plain value in a pattern-constrained field, tried in order.
CANDIDATES = ["210112", "2018-06", "2018-06-30", "EXPORT", "pdf", "monthly", "meeting", "green", "1"]


@functools.cache
def document() -> dict[str, Any]:
    return api.get_openapi_schema(path_prefix="/api/v1")


def resolve(node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        node = document()["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    if isinstance(node, dict) and "anyOf" in node:
        choices = [resolve(c) for c in node["anyOf"] if c.get("type") != "null"]
        return choices[0] if choices else {"type": "null"}
    return node


def example(schema: Any) -> Any:
    """A plain value the schema accepts (not necessarily one the business rules accept)."""
    schema = resolve(schema)
    if "default" in schema and schema["default"] is not None:
        return schema["default"]
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        return {name: NAMED.get(name, example(sub)) for name, sub in schema.get("properties", {}).items()}
    if kind == "array":
        return []
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return 1
    if kind == "boolean":
        return False
    if schema.get("format") == "date":
        return "2018-06-30"
    if schema.get("format") == "date-time":
        return "2018-06-30T09:00:00+08:00"
    pattern = schema.get("pattern")
    if pattern:
        return next((c for c in CANDIDATES if re.fullmatch(pattern, c)), "x")
    return "1"


def hostile_values(schema: Any) -> list[Any]:
    schema = resolve(schema)
    if schema.get("type") in ("integer", "number"):
        return HOSTILE_NUMBERS
    if schema.get("type") == "string" and "enum" not in schema and "format" not in schema:
        return HOSTILE_TEXT
    return []


def body_fields(schema: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], Any]]:
    """(path, schema) of every scalar field of a body, including the first item of its lists."""
    schema = resolve(schema)
    if schema.get("type") == "object":
        return [f for name, sub in schema.get("properties", {}).items() for f in body_fields(sub, (*prefix, name))]
    if schema.get("type") == "array":
        return body_fields(schema.get("items", {}), (*prefix, 0))
    return [(prefix, schema)]


def set_path(body: Any, path: tuple[Any, ...], value: Any, schema: Any) -> Any:
    body = json.loads(json.dumps(body))
    node, parent_schema = body, resolve(schema)
    for i, key in enumerate(path[:-1]):
        if isinstance(key, int):
            if not node:
                node.append(example(parent_schema.get("items", {})))
            parent_schema = resolve(parent_schema.get("items", {}))
        else:
            parent_schema = resolve(parent_schema["properties"][key])
            if node.get(key) is None:
                node[key] = example(parent_schema)
        node = node[key]
        del i
    last = path[-1]
    if isinstance(last, int):
        if not node:
            node.append(None)
        node[0] = value
    else:
        node[last] = value
    return body


def operations() -> list[tuple[str, str]]:
    return [(method, template) for template, methods in document()["paths"].items() for method in methods]


def hostile_cases(method: str, template: str) -> list[tuple[str, Any, Any]]:
    """(where, field, value): every parameter and body field of one operation × its hostile values."""
    entry = document()["paths"][template][method]
    out = [(p["in"], p["name"], v) for p in entry.get("parameters", []) for v in hostile_values(p["schema"])]
    body = entry.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    if body is not None:
        out += [("body", path, v) for path, schema in body_fields(body) for v in hostile_values(schema)]
    return out


def existing(template: str, name: str, ids: dict[str, int]) -> Any:
    """The id of a real object in the county's scope for a path parameter, so requests get past 404."""
    if name == "pk":
        return ids["talent" if "/talents" in template else "project"]
    return {
        "task_id": ids["task"],
        "meeting_id": ids["meeting"],
        "submission_id": ids["submission"],
        "round_id": ids["round"],
        "value_id": ids["value"],
        "unit_code": "210112",
        "code": "210112",
    }.get(name)


def request(client: Client, method: str, template: str, where: str, field: Any, value: Any, ids: dict[str, int]) -> Any:
    entry = document()["paths"][template][method]
    params: dict[str, Any] = {}
    for param in entry.get("parameters", []):
        if param["required"]:
            name = param["name"]
            params[name] = existing(template, name, ids) or NAMED.get(name) or example(param["schema"])
    body_schema = entry.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    body = example(body_schema) if body_schema is not None else None
    if where == "body":
        body = set_path(body, field, value, body_schema)
    else:
        params[field] = value
    path, query = template, {}
    for param in entry.get("parameters", []):
        if param["name"] in params:
            if param["in"] == "path":
                path = path.replace("{" + param["name"] + "}", str(params[param["name"]]))
            else:
                query[param["name"]] = params[param["name"]]
    if method == "get":
        return client.get(path, query)
    suffix = "?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else ""
    return getattr(client, method)(path + suffix, json.dumps(body), content_type="application/json")


@pytest.fixture
def scenario(hunnan, province, monkeypatch) -> dict[str, int]:
    """One object of every kind in 浑南区's scope: a June round with its submission and figures, a
    project, a talent, a task it leads and a meeting it attends."""
    import datetime

    from kaifang.indicators.models import DataValue
    from kaifang.ledgers.services.talents import TalentInput, create_talent
    from kaifang.ledgers.tests.conftest import new_project
    from kaifang.meetings.services import create_meeting
    from kaifang.reporting import services as reporting
    from kaifang.reporting.tests.conftest import at, entries, make_catalogue, make_round
    from kaifang.supervision.services import create_task

    monkeypatch.setattr(reporting, "server_now", lambda: at(5))
    june = make_round(make_catalogue())
    submission = june.submissions.get(unit__code="210112")
    reporting.save_submission_values(actor=hunnan, submission=submission, entries=entries())
    talent = create_talent(
        actor=hunnan,
        data=TalentInput(
            name="张三",
            kind="person",
            field="材料",
            level="other",
            employer="示例公司",
            unit=hunnan.unit,
            introduced_on=datetime.date(2018, 5, 2),
            source_region="JP",
        ),
    )
    meeting = create_meeting(
        actor=province,
        title="全省对外开放工作会议",
        starts_at=at(20, 9, month=7),
        main_unit=province.unit,
        main_room="第一会议室",
        venue_units=[hunnan.unit],
    )
    return {
        "round": june.pk,
        "submission": submission.pk,
        "value": DataValue.objects.filter(unit=hunnan.unit).first().pk,  # type: ignore[union-attr]
        "project": new_project(hunnan, unit_code="210112").pk,
        "talent": talent.pk,
        "task": create_task(
            actor=province, title="示例事项", lead_unit="210112", deadline=datetime.date(2018, 9, 30)
        ).pk,
        "meeting": meeting.pk,
    }


def test_the_corpus_reaches_every_operation_with_a_number_or_free_text_input():
    reached = [op for op in operations() if hostile_cases(*op)]
    # The few without any: GET /me, plain lists, and the setup file uploads (accounts, catalogue, targets,
    # schemes: a file is their only input — their hostile files are in each import's own corpus).
    uploads = [op for op in operations() if op[1].endswith(("/import", "/scheme-files"))]
    assert len(reached) >= len(operations()) - 6 - len(uploads)
    assert sum(len(hostile_cases(*op)) for op in operations()) > 500


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "template"), [op for op in operations() if hostile_cases(*op)])
def test_sec_27_hostile_numbers_and_ids_are_refused_cleanly_never_a_5xx(method, template, scenario, hunnan):
    client = Client(
        raise_request_exception=False,
        headers={"Authorization": f"Bearer {create_token(actor=SystemActor('test'), user=hunnan)[1]}"},
    )
    problems = []
    for where, field, value in hostile_cases(method, template):
        response = request(client, method, template, where, field, value, scenario)
        name = ".".join(map(str, field)) if isinstance(field, tuple) else field
        if response.status_code >= 500:
            problems.append(f"{where}:{name}={str(value)[:14]} → {response.status_code} {response.content[:160]!r}")
        elif response.status_code in (400, 422) and not response.json().get("detail"):
            problems.append(f"{where}:{name}={str(value)[:14]} → a refusal that names nothing")
    assert problems == []
