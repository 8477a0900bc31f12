"""The roles a user plays, beside the scope rule that reads them (`kaifang.orgs.scope`).

They live here, below accounts, so that the scope rule needs nothing from above; the accounts area
re-exports `Role` from `kaifang.accounts.models`.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """Business roles, plus the three separated administrators (三员): the system administrator
    (`province_admin`: org tree, catalogue, accounts), the security administrator (roles, second
    factors, lock-outs, sessions) and the audit administrator (`auditor`: reads the audit trail)."""

    PROVINCE_ADMIN = "province_admin", _("系统管理员")
    PROVINCE_SUPERVISOR = "province_supervisor", _("省级督查")
    CITY_OFFICER = "city_officer", _("市级管理员")
    REPORTER = "reporter", _("填报员")
    LEADER = "leader", _("领导（只读）")
    AUDITOR = "auditor", _("审计管理员")
    SECURITY_ADMIN = "security_admin", _("安全管理员")
