"""Demo personas: one per role and scope the README lists. Created only by `kaifang load_demo`."""

from __future__ import annotations

from kaifang.accounts.models import Role, User
from kaifang.accounts.services import create_user
from kaifang.orgs.models import OrgUnit

DEMO_PASSWORD = "Demo-2018!open"  # noqa: S105 (the demo password is printed on purpose)

PERSONAS = [
    ("province", "省督查室 王督查", Role.PROVINCE_SUPERVISOR, "210000"),
    ("admin", "省级管理员 李管理", Role.PROVINCE_ADMIN, "210000"),
    ("shenyang", "沈阳市商务局 张市级", Role.CITY_OFFICER, "210100"),
    ("hunnan", "浑南区 刘填报", Role.REPORTER, "210112"),
    ("shenhe", "沈河区 陈填报", Role.REPORTER, "210103"),
    ("dalian", "大连市商务局 赵市级", Role.CITY_OFFICER, "210200"),
    ("ganjingzi", "甘井子区 孙填报", Role.REPORTER, "210211"),
    ("swt", "省商务厅 周填报", Role.REPORTER, "SWT"),
    ("leader", "省领导 吴领导", Role.LEADER, "210000"),
    ("auditor", "审计管理员 郑审计", Role.AUDITOR, "210000"),
]

# The third of the separated administrators (三员), kept apart from PERSONAS, whose scope table
# other tests spell out.
ADMIN_PERSONAS = [("secadmin", "安全管理员 钱安全", Role.SECURITY_ADMIN, "210000")]


def load_personas(*, password: str = DEMO_PASSWORD) -> dict[str, User]:
    """Create (or return) the demo personas; idempotent."""
    users: dict[str, User] = {}
    for username, display_name, role, unit_code in PERSONAS + ADMIN_PERSONAS:
        existing = User.objects.filter(username=username).first()
        if existing is not None:
            users[username] = existing
            continue
        users[username] = create_user(
            actor=None,
            username=username,
            password=password,
            unit=OrgUnit.objects.get(code=unit_code),
            role=role,
            display_name=display_name,
            must_change_password=False,
            grant=True,
        )
    return users
