"""`kaifang ldap_mapping --dry-run`: every person in the LDAP directory and the unit and role the
mapping table would give them (or why they could not sign in). Writes nothing."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kaifang.accounts.directory import resolve
from kaifang.accounts.models import DirectoryRule, Role, User


def directory_people() -> list[tuple[str, dict[str, list[bytes]], set[str]]]:
    """(uid, attributes, group DNs) of everyone the configured user search can find."""
    import ldap
    from ldap.filter import escape_filter_chars

    url = getattr(settings, "AUTH_LDAP_SERVER_URI", "")
    search = getattr(settings, "AUTH_LDAP_USER_SEARCH", None)
    if not url or search is None:
        raise CommandError("未配置 LDAP（KAIFANG_LDAP_URL、KAIFANG_LDAP_USER_BASE）。")
    conn = ldap.initialize(url)
    conn.set_option(ldap.OPT_NETWORK_TIMEOUT, 10)
    if getattr(settings, "AUTH_LDAP_START_TLS", False):
        conn.start_tls_s()
    conn.simple_bind_s(getattr(settings, "AUTH_LDAP_BIND_DN", ""), getattr(settings, "AUTH_LDAP_BIND_PASSWORD", ""))
    try:
        user_filter = search.filterstr.replace("%(user)s", "*")
        found = conn.search_s(search.base_dn, search.scope, user_filter)
        group_search = getattr(settings, "AUTH_LDAP_GROUP_SEARCH", None)
        people = []
        for dn, attrs in found:
            if not dn:
                continue
            uid = (attrs.get("uid") or [b""])[0].decode("utf-8")
            groups: set[str] = set()
            if group_search is not None:
                member = f"(member={escape_filter_chars(dn)})"
                query = f"(&{group_search.filterstr}{member})"
                hits = conn.search_s(group_search.base_dn, group_search.scope, query, ["cn"])
                groups = {g.lower() for g, _ in hits if g}
            people.append((uid, attrs, groups))
        return sorted(people)
    finally:
        conn.unbind_s()


class Command(BaseCommand):
    help = "列出目录中每个人按目录映射将得到的单位和角色（只预览，不写入）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="只预览（本命令从不写入）")

    def handle(self, *args: Any, **options: Any) -> None:
        rules = list(DirectoryRule.objects.select_related("unit"))
        unusable = {"password__startswith": "!"}  # Django's mark of an unusable password
        local_users = User.objects.filter(directory="").exclude(**unusable)
        local = {u.lower() for u in local_users.values_list("username", flat=True)}
        allowed = refused = 0
        self.stdout.write(f"# 目录映射预览：{len(rules)} 条规则（不写入任何数据）")
        for uid, attrs, groups in directory_people():
            name = (attrs.get("cn") or [b""])[0].decode("utf-8")
            result = resolve(attrs, groups, rules)
            if uid.lower() in local:
                refused += 1
                self.stdout.write(f"{uid}\t{name}\t不能登录：与本地账号同名（本地账号只用本地密码登录）")
            elif result.mapped and result.unit is not None:
                allowed += 1
                self.stdout.write(f"{uid}\t{name}\t{result.unit.name}（{result.unit.code}）\t{Role(result.role).label}")
            else:
                refused += 1
                self.stdout.write(f"{uid}\t{name}\t不能登录：{'；'.join(result.reasons)}")
        self.stdout.write(f"合计 {allowed + refused} 人：可登录 {allowed} 人，不能登录 {refused} 人")
