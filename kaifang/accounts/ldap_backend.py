"""Sign-in against the province's LDAP directory (django-auth-ldap), off unless KAIFANG_LDAP_URL is
set. The unit and role come from the directory mapping (`kaifang.accounts.directory`); a directory
person the mapping does not map is refused with a message saying so, and no account is created. A
local account (break-glass, with its second factor) is never taken over by a directory person of the
same name: local accounts sign in with their own password only."""

from __future__ import annotations

from typing import Any

from django_auth_ldap.backend import LDAPBackend

from kaifang.accounts import directory
from kaifang.accounts.models import User

UNMAPPED_FLAG = "kaifang_directory_unmapped"


def directory_groups(ldap_user: Any) -> set[str]:
    try:
        return set(ldap_user.group_dns)
    except Exception:  # no group search configured
        return set()


class DirectoryLdapBackend(LDAPBackend):
    def get_or_build_user(self, username: str, ldap_user: Any) -> tuple[User, bool]:
        resolution = directory.resolve(ldap_user.attrs, directory_groups(ldap_user))
        ldap_user.kaifang_resolution = resolution
        existing = User.objects.filter(username__iexact=username.strip()).first()
        if existing is not None and existing.directory not in ("", "ldap"):
            raise ldap_user.AuthenticationFailed("account belongs to another identity source")
        if existing is not None and existing.directory == "" and existing.has_usable_password():
            raise ldap_user.AuthenticationFailed("a local account of that name exists")
        if not resolution.mapped:
            request = getattr(ldap_user, "_request", None)
            if request is not None:
                setattr(request, UNMAPPED_FLAG, True)
            directory.refuse_unmapped(username=username, source="ldap", resolution=resolution)
            raise ldap_user.AuthenticationFailed("no mapping")
        if existing is not None:
            return existing, False
        return User(username=username.strip(), directory="ldap"), True

    def authenticate_ldap_user(self, ldap_user: Any, password: str) -> User | None:
        user = ldap_user.authenticate(password)
        if user is None or not user.is_active:
            return None
        names = ldap_user.attrs.get("cn") or ldap_user.attrs.get("displayname") or []
        return directory.sync_directory_user(
            user=user,
            resolution=ldap_user.kaifang_resolution,
            source="ldap",
            display_name=names[0] if names else "",
        )
