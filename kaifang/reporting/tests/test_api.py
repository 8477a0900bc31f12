"""The reporting API: rounds and completeness, submission detail, values with versions, actions; scope."""

from __future__ import annotations

import json

import pytest

from kaifang.indicators.models import DataValue
from kaifang.reporting.models import SubmissionStatus as S
from kaifang.reporting.services import save_submission_values
from kaifang.reporting.tests.conftest import entries

pytestmark = pytest.mark.django_db


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_rounds_list_and_completeness_follow_the_users_scope(client_for, province, shenyang, hunnan, june_round, clock):
    sub = june_round.submissions.get(unit__code="210112")
    save_submission_values(actor=hunnan, submission=sub, entries=entries())
    post(client_for(hunnan), f"/api/v1/submissions/{sub.pk}/submit", {})
    assert [r["id"] for r in client_for(hunnan).get("/api/v1/rounds").json()] == [june_round.pk]
    detail = client_for(province).get(f"/api/v1/rounds/{june_round.pk}").json()
    assert detail["total"]["required"] == 6 and detail["total"]["done"] == 1
    assert detail["total"]["completeness"] == "0.166667" and detail["total"]["timeliness"] == "0.166667"  # 1 of 6
    city = client_for(shenyang).get(f"/api/v1/rounds/{june_round.pk}/completeness").json()
    assert city[0]["required"] == 3 and "210211" not in city[0]["missing_units"]


def test_submission_detail_is_404_for_another_county(client_for, hunnan, shenhe, dalian, june_round):
    sub = june_round.submissions.get(unit__code="210112")
    assert client_for(hunnan).get(f"/api/v1/submissions/{sub.pk}").status_code == 200
    for user in (shenhe, dalian):
        c = client_for(user)
        assert c.get(f"/api/v1/submissions/{sub.pk}").status_code == 404
        assert (
            post(
                c, f"/api/v1/submissions/{sub.pk}/values", {"entries": [{"indicator": "EXPORT", "value": "1"}]}
            ).status_code
            == 404
        )
        assert post(c, f"/api/v1/submissions/{sub.pk}/approve", {}).status_code == 404
        assert [s["unit"] for s in c.get("/api/v1/submissions").json()].count("210112") == 0
    assert not DataValue.objects.filter(unit__code="210112").exists()


def test_values_are_written_with_versions_and_a_stale_version_is_409_with_nothing_applied(
    client_for, hunnan, june_round
):
    sub = june_round.submissions.get(unit__code="210112")
    c = client_for(hunnan)
    response = post(
        c,
        f"/api/v1/submissions/{sub.pk}/values",
        {"entries": [{"indicator": "TRADE", "value": "1000"}, {"indicator": "EXPORT", "value": "600"}]},
    )
    assert response.status_code == 200
    stale = post(
        c,
        f"/api/v1/submissions/{sub.pk}/values",
        {
            "entries": [
                {"indicator": "TRADE", "value": "1100", "expected_version": 1},
                {"indicator": "EXPORT", "value": "650"},
            ]
        },
    )  # EXPORT: version omitted → stale
    assert stale.status_code == 409
    assert DataValue.objects.get(unit__code="210112", indicator__code="TRADE").reported == 1000
    bad = post(c, f"/api/v1/submissions/{sub.pk}/values", {"entries": [{"indicator": "EXPORT", "value": "six"}]})
    assert bad.status_code == 400


def test_actions_go_through_the_transition_table_with_409_on_stale_versions(
    client_for, hunnan, shenyang, june_round, clock
):
    sub = june_round.submissions.get(unit__code="210112")
    save_submission_values(actor=hunnan, submission=sub, entries=entries())
    assert post(client_for(shenyang), f"/api/v1/submissions/{sub.pk}/submit", {}).status_code == 403
    first = post(
        client_for(hunnan), f"/api/v1/submissions/{sub.pk}/submit", {"expected_version": 1, "idempotency_key": "a"}
    )
    again = post(
        client_for(hunnan), f"/api/v1/submissions/{sub.pk}/submit", {"expected_version": 1, "idempotency_key": "a"}
    )
    assert first.json()["applied"] is True and again.json()["applied"] is False
    assert post(client_for(hunnan), f"/api/v1/submissions/{sub.pk}/approve", {}).status_code == 403
    assert (
        post(client_for(shenyang), f"/api/v1/submissions/{sub.pk}/return", {"expected_version": 1}).status_code == 409
    )
    assert (
        post(client_for(shenyang), f"/api/v1/submissions/{sub.pk}/return", {"expected_version": 2}).status_code == 400
    )
    ok = post(client_for(shenyang), f"/api/v1/submissions/{sub.pk}/approve", {"expected_version": 2})
    assert ok.status_code == 200 and ok.json()["status"] == S.APPROVED
    assert (
        post(client_for(shenyang), f"/api/v1/submissions/{sub.pk}/unapprove", {"expected_version": 3}).json()["status"]
        == S.DRAFT
    )


def test_submit_through_the_api_runs_the_same_validation(client_for, hunnan, june_round, clock):
    sub = june_round.submissions.get(unit__code="210112")
    save_submission_values(
        actor=hunnan, submission=sub, entries=entries({"TRADE": "100", "EXPORT": "600", "IMPORT": "1"})
    )
    response = post(client_for(hunnan), f"/api/v1/submissions/{sub.pk}/submit", {})
    assert response.status_code == 400 and "出口额" in json.dumps(response.json(), ensure_ascii=False)
