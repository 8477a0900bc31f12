"""Words for the codes of 账号与登录 (audit actions of sign-in, accounts, second factors, security and
the audit trail itself; roles); see kaifang.labels."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from kaifang.accounts.models import Role

AUDIT_ACTIONS = {
    "auth.login": _("登录"),
    "auth.logout": _("退出登录"),
    "auth.login_failed": _("登录失败"),
    "auth.login_locked": _("登录被锁定"),
    "auth.2fa.enrol": _("绑定动态口令"),
    "auth.2fa.verify": _("动态口令验证"),
    "auth.2fa.failed": _("动态口令错误"),
    "auth.2fa.recovery_code": _("使用恢复码"),
    "auth.2fa.reset": _("重置动态口令"),
    "accounts.user.create": _("新建账号"),
    "accounts.user.set_role": _("调整角色"),
    "accounts.user.set_active": _("启用或停用账号"),
    "accounts.user.activate": _("启用账号"),
    "accounts.user.deactivate": _("停用账号"),
    "accounts.user.reset_password": _("重置密码"),
    "accounts.user.change_password": _("修改密码"),
    "accounts.user.unlock": _("解除锁定"),
    "accounts.user.end_sessions": _("强制下线"),
    "accounts.token.create": _("发放接口令牌"),
    "accounts.token.revoke": _("吊销接口令牌"),
    "security.backup": _("备份"),
    "security.restore": _("恢复备份"),
    "audit.archive": _("归档审计日志"),
}
NOTICE_KINDS: dict[str, object] = {}
FIELDS = {
    "username": _("账号"),
    "display_name": _("姓名"),
    "role": _("角色"),
    "unit": _("单位"),
    "is_active": _("启用"),
}
VALUES = {"role": dict(Role.choices)}
ROLES = dict(Role.choices)
