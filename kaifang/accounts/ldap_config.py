"""The django-auth-ldap settings built from Kaifang's own (`KAIFANG_LDAP_*`), importable by
settings.py (no models here) and by the tests, which point them at their own slapd."""

from __future__ import annotations

from typing import Any


def ldap_settings(
    *,
    url: str,
    user_base: str,
    group_base: str = "",
    bind_dn: str = "",
    bind_password: str = "",
    user_filter: str = "(uid=%(user)s)",
    start_tls: bool = False,
    timeout: int = 10,
    ca_file: str = "",
) -> dict[str, Any]:
    import ldap
    from django_auth_ldap.config import GroupOfNamesType, LDAPSearch

    values: dict[str, Any] = {
        "AUTH_LDAP_SERVER_URI": url,
        "AUTH_LDAP_BIND_DN": bind_dn,
        "AUTH_LDAP_BIND_PASSWORD": bind_password,
        "AUTH_LDAP_START_TLS": start_tls,
        "AUTH_LDAP_USER_SEARCH": LDAPSearch(user_base, ldap.SCOPE_SUBTREE, user_filter),
        # The display name and e-mail follow the directory; unit and role follow the mapping table.
        "AUTH_LDAP_USER_ATTR_MAP": {"email": "mail"},
        "AUTH_LDAP_ALWAYS_UPDATE_USER": True,
        "AUTH_LDAP_CONNECTION_OPTIONS": {ldap.OPT_NETWORK_TIMEOUT: timeout, ldap.OPT_TIMEOUT: timeout},
        "AUTH_LDAP_CACHE_TIMEOUT": 0,
    }
    if ca_file:  # the directory's CA (ldaps:// or StartTLS); certificates are always verified
        values["AUTH_LDAP_GLOBAL_OPTIONS"] = {
            ldap.OPT_X_TLS_CACERTFILE: ca_file,
            ldap.OPT_X_TLS_REQUIRE_CERT: ldap.OPT_X_TLS_DEMAND,
        }
    if group_base:
        values["AUTH_LDAP_GROUP_SEARCH"] = LDAPSearch(group_base, ldap.SCOPE_SUBTREE, "(objectClass=groupOfNames)")
        values["AUTH_LDAP_GROUP_TYPE"] = GroupOfNamesType()
    return values
