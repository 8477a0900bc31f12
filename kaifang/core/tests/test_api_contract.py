"""The published OpenAPI document is the contract the server keeps (issue 15, item 1).

For every operation, the request body and every response the document shows must be exactly the
schemas the server validates with and answers with — built for that operation alone, so a schema
of another operation with the same name cannot stand in for it.
"""

from __future__ import annotations

import datetime
import functools
from typing import Any

import pytest
from ninja import Router, Schema
from ninja.errors import ConfigError
from ninja.openapi.schema import OpenAPISchema

from kaifang.accounts.services import create_token
from kaifang.api import KaifangAPI, api
from kaifang.core.actors import SystemActor

REF = "#/components/schemas/"


def inline(node: Any, definitions: dict[str, Any], seen: tuple[str, ...] = ()) -> Any:
    """The schema with every $ref replaced by its definition (titles dropped: they are labels)."""
    if isinstance(node, dict):
        if "$ref" in node and node["$ref"].startswith(REF):
            name = node["$ref"][len(REF) :]
            if name in seen:
                return {"recursive": name}
            return inline(definitions[name], definitions, (*seen, name))
        return {k: inline(v, definitions, seen) for k, v in node.items() if k != "title"}
    if isinstance(node, list):
        return [inline(v, definitions, seen) for v in node]
    return node


def operations() -> list[Any]:
    views = [view for _prefix, router in api._routers for view in router.path_operations.values()]
    return [op for view in views for op in view.operations]


@functools.cache
def document() -> dict[str, Any]:
    return api.get_openapi_schema(path_prefix="/api/v1")


def documented(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {entry["operationId"]: entry for methods in doc["paths"].values() for entry in methods.values()}


def alone(operation: Any) -> tuple[dict[str, Any], dict[int, Any]]:
    """The body and responses of one operation as if it were the only one in the API."""
    solo = OpenAPISchema.__new__(OpenAPISchema)
    solo.api, solo.path_prefix, solo.schemas, solo.securitySchemes = api, "", {}, {}
    body = solo.request_body(operation)
    responses = solo.responses(operation)
    return inline(body, solo.schemas), inline(responses, solo.schemas)


@pytest.mark.parametrize("operation", operations(), ids=lambda op: api.get_openapi_operation_id(op))
def test_the_document_shows_each_operation_as_the_server_validates_and_answers_it(operation):
    doc = document()
    entry = documented(doc)[operation.operation_id or api.get_openapi_operation_id(operation)]
    components = doc["components"]["schemas"]
    body, responses = alone(operation)
    assert inline(entry.get("requestBody", {}), components) == body
    assert inline(entry["responses"], components) == responses


# Two request bodies that share a class name, as projects and tasks once did.
ProjectStepIn = type("TransitionIn", (Schema,), {"__annotations__": {"action": str, "effective_on": datetime.date}})
TaskStepIn = type("TransitionIn", (Schema,), {"__annotations__": {"action": str}})


def test_two_schemas_with_one_name_cannot_be_published():
    router = Router()

    @router.post("/projects")
    def project_step(request, payload: ProjectStepIn) -> None:
        return None

    @router.post("/tasks")
    def task_step(request, payload: TaskStepIn) -> None:
        return None

    trial = KaifangAPI(urls_namespace="contract-trial")
    trial.add_router("/", router)
    with pytest.raises(ConfigError, match="TransitionIn"):
        trial.get_openapi_schema(path_prefix="")


def test_the_project_stage_change_is_documented_with_its_required_effective_on():
    body = documented(document())["kaifang_ledgers_api_transition"]["requestBody"]
    schema = inline(body["content"]["application/json"]["schema"], document()["components"]["schemas"])
    assert {"action", "effective_on", "expected_version"} <= set(schema["required"])


@pytest.mark.django_db
def test_a_body_built_from_the_document_is_accepted(shenyang, client):
    """The task transition and the project transition are different bodies; each documented one works."""
    from kaifang.ledgers.tests.conftest import new_project

    project = new_project(shenyang, unit_code="210112")
    token = create_token(actor=SystemActor("test"), user=shenyang)[1]
    response = client.post(
        f"/api/v1/projects/{project.pk}/transition",
        {"action": "negotiate", "effective_on": "2018-06-01", "evidence": "", "expected_version": project.version},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["stage"] == "negotiating"


def integer_inputs(node: Any, where: str) -> list[tuple[str, dict[str, Any]]]:
    """Every integer a client sends, anywhere in a parameter or body schema (references inlined)."""
    if isinstance(node, dict):
        found = [(where, node)] if node.get("type") == "integer" else []
        for key, value in node.items():
            found += integer_inputs(value, f"{where}.{key}")
        return found
    if isinstance(node, list):
        return [f for i, value in enumerate(node) for f in integer_inputs(value, f"{where}[{i}]")]
    return []


def test_every_integer_a_client_sends_has_a_stated_range():
    """Issue 15, finding 4: `?offset=9223372036854775808` was a 500. Every id, offset, limit, version
    and count now states its range in the document, so the fuzzer probes both ends and one past."""
    doc = document()
    components = doc["components"]["schemas"]
    unbounded = []
    for path, methods in doc["paths"].items():
        for method, entry in methods.items():
            inputs = [p["schema"] for p in entry.get("parameters", [])]
            inputs += [c["schema"] for c in entry.get("requestBody", {}).get("content", {}).values()]
            for schema in inputs:
                for where, integer in integer_inputs(inline(schema, components), f"{method.upper()} {path}"):
                    if "minimum" not in integer or "maximum" not in integer:
                        unbounded.append(where)
    assert unbounded == []
