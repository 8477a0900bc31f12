"""Single sign-on through the province's CAS server (django-cas-ng), off unless KAIFANG_CAS_URL is
set. The CAS server's attributes (CAS 3.0 `p3/serviceValidate`) go through the same directory
mapping as LDAP (`kaifang.accounts.directory`); groups come from the attribute named by
KAIFANG_CAS_GROUP_ATTRIBUTE (default memberOf). Unmapped people get no account and no access."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_cas_ng import views as cas_views
from django_cas_ng.backends import CASBackend
from django_cas_ng.utils import get_cas_client

from kaifang.accounts import directory
from kaifang.accounts.ldap_backend import UNMAPPED_FLAG
from kaifang.accounts.models import User


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


class DirectoryCasBackend(CASBackend):
    def authenticate(  # type: ignore[override]
        self, request: HttpRequest | None, ticket: str | None = None, service: str | None = None, **kwargs: Any
    ) -> User | None:
        if not ticket or not service:
            return None
        client = get_cas_client(service_url=service, request=request)
        username, attributes, _pgtiou = client.verify_ticket(ticket)
        if not username:
            return None
        username = str(username).strip()
        attrs = {str(k): _as_list(v) for k, v in (attributes or {}).items()}
        groups = attrs.get(settings.KAIFANG_CAS_GROUP_ATTRIBUTE, [])
        resolution = directory.resolve(attrs, groups)
        existing = User.objects.filter(username__iexact=username).first()
        if existing is not None and existing.directory != "cas" and existing.has_usable_password():
            return None  # a local (break-glass) account or an LDAP one: never taken over by single sign-on
        if not resolution.mapped:
            if request is not None:
                setattr(request, UNMAPPED_FLAG, True)
            directory.refuse_unmapped(username=username, source="cas", resolution=resolution)
            return None
        if existing is None:
            existing = User(username=username, directory="cas")
            existing.set_unusable_password()
            existing.save()
        if not existing.is_active:
            return None
        names = attrs.get("cn") or attrs.get("displayName") or []
        return directory.sync_directory_user(
            user=existing, resolution=resolution, source="cas", display_name=names[0] if names else ""
        )


class CasLoginView(cas_views.LoginView):
    """django-cas-ng's login, with a Chinese page (not a bare 403) when the sign-in is refused."""

    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            return super().get(request)
        except PermissionDenied:
            unmapped = getattr(request, UNMAPPED_FLAG, False)
            context = {"unmapped": unmapped, "message": directory.UNMAPPED_MESSAGE if unmapped else None}
            return render(request, "accounts/cas_refused.html", context, status=403)
