"""Login, lockout, session time-out, password rules, roles and tokens."""

import time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client, override_settings

from kaifang.accounts.demo import DEMO_PASSWORD
from kaifang.accounts.models import ApiToken, Role, User
from kaifang.accounts.services import create_token, create_user, revoke_token, set_role
from kaifang.accounts.validators import ContextWordsValidator
from kaifang.audit.models import AuditEvent
from kaifang.core.actors import SystemActor
from kaifang.orgs.models import OrgUnit

pytestmark = pytest.mark.django_db


def login(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_login_and_failed_login_are_audited(client):
    assert login(client, "hunnan", DEMO_PASSWORD).status_code == 302
    assert AuditEvent.objects.filter(action="auth.login", actor_username="hunnan").exists()
    Client().post("/accounts/login/", {"username": "hunnan", "password": "wrong"})
    failed = AuditEvent.objects.filter(action="auth.login_failed").latest("id")
    assert failed.object_repr == "hunnan"


def test_lockout_after_five_failures_even_with_the_right_password(client):
    for _ in range(5):
        response = login(client, "shenhe", "Wrong-password-1")
        assert "账号或密码不正确" in response.content.decode()
    response = login(client, "shenhe", DEMO_PASSWORD)
    assert response.status_code == 200
    assert "账号或密码不正确，或因连续输错已被临时锁定" in response.content.decode()  # the same words for every refusal
    assert User.objects.get(username="shenhe").is_locked()


@override_settings(KAIFANG_SESSION_IDLE_MINUTES=30)
def test_idle_session_is_logged_out_after_thirty_minutes(client, hunnan):
    client.force_login(hunnan)
    assert client.get("/").status_code == 200
    session = client.session
    session["kaifang_last_seen"] = time.time() - 31 * 60
    session.save()
    response = client.get("/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_unit_names_are_rejected_as_passwords(hunnan):
    validator = ContextWordsValidator()
    for password in ["Shenyang-2018!", "浑南区Abc-12345", "Liaoning#2018x", "大连Abc-123456"]:
        with pytest.raises(ValidationError):
            validator.validate(password, hunnan)
    validator.validate("Blue-river-47!", hunnan)


def test_only_an_admin_creates_users_and_nobody_widens_their_own_scope(admin_user, secadmin, hunnan, shenyang):
    with pytest.raises(PermissionDenied):
        create_user(actor=shenyang, username="x1", password="Blue-river-47!", unit=hunnan.unit, role=Role.REPORTER)
    with pytest.raises(PermissionDenied):
        set_role(
            actor=hunnan,
            user=hunnan,
            role=Role.PROVINCE_SUPERVISOR,
            unit=OrgUnit.objects.get(code="210000"),
            expected_version=hunnan.version,
        )
    with pytest.raises(PermissionDenied):
        set_role(actor=secadmin, user=secadmin, role=Role.LEADER, unit=secadmin.unit, expected_version=1)
    changed = set_role(
        actor=secadmin,
        user=hunnan,
        role=Role.REPORTER,
        unit=OrgUnit.objects.get(code="210103"),
        expected_version=hunnan.version,
    )
    assert changed.unit.code == "210103"
    with pytest.raises(ValidationError):
        set_role(actor=secadmin, user=hunnan, role=Role.REPORTER, unit=hunnan.unit, expected_version=hunnan.version)


def test_a_role_cannot_be_bound_to_the_wrong_kind_of_unit(admin_user):
    with pytest.raises(ValidationError, match="不能绑定"):
        create_user(
            actor=admin_user,
            username="x2",
            password="Blue-river-47!",
            unit=OrgUnit.objects.get(code="210112"),
            role=Role.CITY_OFFICER,
        )


def test_bearer_token_authenticates_and_revocation_ends_it(hunnan):
    row, token = create_token(actor=SystemActor("test"), user=hunnan)
    assert token not in {row.digest, row.prefix}
    api = Client()
    me = api.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json()["unit"]["code"] == "210112"
    revoke_token(actor=SystemActor("test"), token=ApiToken.objects.get(pk=row.pk))
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert api.get("/api/v1/me", headers={"Authorization": "Bearer nonsense"}).status_code == 401


def test_api_refuses_anonymous_requests():
    assert Client().get("/api/v1/orgunits").status_code == 401
