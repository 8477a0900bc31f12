"""User administration with the 三员 split: the system administrator creates, edits, moves and
deactivates; the security administrator grants roles and scopes and issues one-time passwords;
the audit administrator only reads. A new account sees nothing until it is granted."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kaifang.accounts.models import Role, UnitAssignment, User
from kaifang.accounts.services import create_user, lifecycle, move_user, revoke_scope, set_role, update_user
from kaifang.audit.models import AuditEvent
from kaifang.orgs.models import OrgUnit
from kaifang.reporting.models import ReportingRound

pytestmark = pytest.mark.django_db


def _new(admin_user, username="wang.hn", code="210112", role=Role.REPORTER) -> User:
    return create_user(
        actor=admin_user,
        username=username,
        unit=OrgUnit.objects.get(code=code),
        role=role,
        display_name="王新人",
        phone="13800000001",
    )


def test_a_new_account_sees_nothing_and_cannot_sign_in_until_the_security_admin_acts(admin_user, secadmin):
    user = _new(admin_user)
    assert user.scope_granted_at is None and not user.has_usable_password()
    assert not OrgUnit.objects.visible_to(user).exists()
    assert not ReportingRound.objects.visible_to(user).exists()
    granted = set_role(actor=secadmin, user=user, role=Role.REPORTER, unit=user.unit, expected_version=user.version)
    # A county reporter sees exactly one unit: 浑南区 itself.
    assert list(OrgUnit.objects.visible_to(granted).values_list("code", flat=True)) == ["210112"]


def test_the_system_admin_cannot_grant_and_the_refusal_is_audited(admin_user):
    before = AuditEvent.objects.filter(action="accounts.user.create.denied").count()
    with pytest.raises(PermissionDenied, match="安全管理员"):
        create_user(
            actor=admin_user,
            username="sneaky",
            unit=OrgUnit.objects.get(code="210112"),
            role=Role.REPORTER,
            grant=True,
        )
    assert AuditEvent.objects.filter(action="accounts.user.create.denied").count() == before + 1
    assert not User.objects.filter(username="sneaky").exists()


def test_a_move_keeps_the_history_and_withdraws_the_grant(admin_user, secadmin):
    user = _new(admin_user)
    user = set_role(actor=secadmin, user=user, role=Role.REPORTER, unit=user.unit, expected_version=user.version)
    shenhe = OrgUnit.objects.get(code="210103")
    moved = move_user(actor=admin_user, user=user, unit=shenhe, expected_version=user.version, reason="工作调动")
    assert moved.unit == shenhe and moved.scope_granted_at is None
    assert not OrgUnit.objects.visible_to(moved).exists()
    postings = list(UnitAssignment.objects.filter(user=moved).order_by("since", "id"))
    assert [(p.unit.code, p.until is None) for p in postings] == [("210112", False), ("210103", True)]
    event = AuditEvent.objects.filter(action="accounts.user.move", object_id=str(user.pk)).latest("id")
    assert event.before["unit"] == "210112" and event.after["unit"] == "210103"
    assert event.after["reason"] == "工作调动"


def test_nobody_moves_themselves_or_an_administrator(admin_user, secadmin, hunnan):
    province = OrgUnit.objects.get(code="210000")
    with pytest.raises(PermissionDenied, match="自己"):
        move_user(actor=admin_user, user=admin_user, unit=province, expected_version=admin_user.version)
    with pytest.raises(PermissionDenied, match="管理员账号"):
        move_user(actor=admin_user, user=secadmin, unit=province, expected_version=secadmin.version)
    with pytest.raises(PermissionDenied, match="系统管理员"):
        move_user(actor=secadmin, user=hunnan, unit=OrgUnit.objects.get(code="210103"), expected_version=1)
    with pytest.raises(ValidationError, match="不能绑定"):
        move_user(actor=admin_user, user=hunnan, unit=province, expected_version=hunnan.version)


def test_editing_checks_the_phone_and_is_versioned(admin_user):
    user = _new(admin_user)
    with pytest.raises(ValidationError, match="电话号码"):
        update_user(actor=admin_user, user=user, display_name="王新人", phone="abc", expected_version=user.version)
    changed = update_user(
        actor=admin_user, user=user, display_name="王新", phone="024-1234567", expected_version=user.version
    )
    assert (changed.display_name, changed.phone, changed.version) == ("王新", "024-1234567", user.version + 1)
    with pytest.raises(ValidationError, match="他人修改"):
        update_user(actor=admin_user, user=user, display_name="王", phone="", expected_version=user.version)


def test_one_time_passwords_are_the_security_admins_and_force_a_change(admin_user, secadmin):
    first, second = _new(admin_user, "p.one"), _new(admin_user, "p.two", code="210103")
    with pytest.raises(PermissionDenied, match="安全管理员"):
        lifecycle.issue_one_time_passwords(actor=admin_user, users=[first], grant=True)
    sheet = lifecycle.issue_one_time_passwords(actor=secadmin, users=[first, second], grant=True)
    assert [line.user.username for line in sheet] == ["p.one", "p.two"]
    for line in sheet:
        account = User.objects.get(pk=line.user.pk)
        assert account.check_password(line.password) and account.must_change_password
        assert account.scope_granted_at is not None
        assert line.password not in str(AuditEvent.objects.filter(object_id=str(account.pk)).values("after"))


def test_revoking_takes_the_scope_away(admin_user, secadmin):
    user = _new(admin_user)
    user = set_role(actor=secadmin, user=user, role=Role.REPORTER, unit=user.unit, expected_version=user.version)
    revoked = revoke_scope(actor=secadmin, user=user, expected_version=user.version, reason="离岗")
    assert revoked.scope_granted_at is None and not OrgUnit.objects.visible_to(revoked).exists()


def test_only_the_three_administrators_see_accounts(admin_user, secadmin, auditor, province, shenyang, hunnan):
    total = User.objects.count()
    for who in (admin_user, secadmin, auditor):
        assert User.objects.visible_to(who).count() == total
    for who in (province, shenyang, hunnan):
        assert not User.objects.visible_to(who).exists()
