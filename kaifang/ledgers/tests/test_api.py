"""/api/v1/projects and /api/v1/talents: same services, same guard; other counties see nothing."""

from __future__ import annotations

import pytest

from kaifang.ledgers.tests.conftest import new_project

pytestmark = pytest.mark.django_db


def test_a_city_officer_creates_a_lead_and_moves_it_through_the_api(client_for, dalian):
    c = client_for(dalian)
    response = c.post(
        "/api/v1/projects",
        {
            "name": "新加坡物流园",
            "investor_name": "Sample Logistics Pte Ltd",
            "origin": "SG",
            "industry": "G",
            "unit_code": "210211",
            "agreed_amount": "20000",
            "lead_received_on": "2018-07-02",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    project = response.json()["project"]
    assert project["origin_tags"] == ["一带一路"]
    moved = c.post(
        f"/api/v1/projects/{project['id']}/transition",
        {"action": "negotiate", "effective_on": "2018-07-03", "expected_version": project["version"]},
        content_type="application/json",
    )
    assert moved.status_code == 200 and moved.json()["stage"] == "negotiating"
    stale = c.post(
        f"/api/v1/projects/{project['id']}/transition",
        {"action": "sign", "effective_on": "2018-07-04", "expected_version": project["version"]},
        content_type="application/json",
    )
    assert stale.status_code == 409 and stale.json()["detail"] == "该记录已被他人修改，请刷新后核对再提交。"
    illegal = c.post(
        f"/api/v1/projects/{project['id']}/transition",
        {"action": "produce", "effective_on": "2018-07-04", "expected_version": moved.json()["version"]},
        content_type="application/json",
    )
    assert illegal.status_code == 400
    detail = c.get(f"/api/v1/projects/{project['id']}").json()
    assert [h["to_stage"] for h in detail["history"]] == ["lead", "negotiating"]


def test_another_countys_reporter_cannot_list_read_move_or_create_for_dalian(client_for, hunnan, dalian):
    project = new_project(dalian)
    c = client_for(hunnan)
    assert c.get("/api/v1/projects").json() == {"items": [], "count": 0}
    assert c.get(f"/api/v1/projects/{project.pk}").status_code == 404
    moved = c.post(
        f"/api/v1/projects/{project.pk}/transition",
        {"action": "negotiate", "effective_on": "2018-07-03", "expected_version": project.version},
        content_type="application/json",
    )
    assert moved.status_code == 404
    created = c.post(
        "/api/v1/projects",
        {
            "name": "x",
            "investor_name": "y",
            "origin": "JP",
            "industry": "C",
            "unit_code": "210211",
            "agreed_amount": "1",
        },
        content_type="application/json",
    )
    assert created.status_code == 404
    project.refresh_from_db()
    assert project.stage == "lead"


def test_talents_are_created_and_listed_within_scope(client_for, ganjingzi, hunnan):
    response = client_for(ganjingzi).post(
        "/api/v1/talents",
        {
            "name": "陈博士",
            "field": "海洋工程",
            "level": "national",
            "employer": "大连某研究所",
            "unit_code": "210211",
            "introduced_on": "2018-06-01",
            "source_region": "CN-SH",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert [t["name"] for t in client_for(ganjingzi).get("/api/v1/talents").json()["items"]] == ["陈博士"]
    assert client_for(hunnan).get("/api/v1/talents").json() == {"items": [], "count": 0}
    assert client_for(hunnan).get(f"/api/v1/talents/{response.json()['id']}").status_code == 404


def test_anonymous_callers_get_401(client):
    assert client.get("/api/v1/projects").status_code == 401


def test_funds_increases_and_transfers_go_through_the_services(client_for, dalian, ganjingzi):
    from kaifang.ledgers.tests.conftest import move

    project = move(new_project(dalian), ("negotiate", "2018-03-05"), ("sign", "2018-03-20"))
    c = client_for(dalian)
    funds = c.post(
        f"/api/v1/projects/{project.pk}/funds", {"amount": "500", "on": "2018-05-02"}, content_type="application/json"
    )
    assert funds.status_code == 201 and funds.json()["funds_in_place"] == "500.00"
    increase = c.post(
        f"/api/v1/projects/{project.pk}/capital-increases",
        {"amount": "3000", "on": "2018-06-02"},
        content_type="application/json",
    )
    assert increase.status_code == 201
    project.refresh_from_db()
    moved = c.post(
        f"/api/v1/projects/{project.pk}/transfer",
        {"to_unit_code": "210212", "effective_on": "2018-06-10", "expected_version": project.version},
        content_type="application/json",
    )
    assert moved.status_code == 200 and moved.json()["unit_code"] == "210212"
    # 甘井子区's reporter no longer sees it, and cannot add funds to it.
    refused = client_for(ganjingzi).post(
        f"/api/v1/projects/{project.pk}/funds", {"amount": "1", "on": "2018-06-12"}, content_type="application/json"
    )
    assert refused.status_code == 404
