"""The Django admin, as a read-only window for province admins and auditors, behind the same guard.

Every change goes through Kaifang's own pages and services (which validate and audit), so the
admin never adds, edits or deletes. Lists are filtered with the models' `visible_to(user)`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy


def is_admin(user: Any) -> bool:
    """Who may open the admin: the predicate named by `KAIFANG_ADMIN_GUARD` (the accounts area's
    `is_admin`), looked up by name so that core imports no business app."""
    return bool(import_string(settings.KAIFANG_ADMIN_GUARD)(user))


class KaifangAdminSite(admin.AdminSite):
    site_header = gettext_lazy("开放 · 系统数据浏览（只读）")
    site_title = gettext_lazy("开放")

    def has_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and is_admin(request.user))


class ScopedReadOnlyAdmin(admin.ModelAdmin):
    """List and view only, through the model's `visible_to(user)` queryset."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return self.model.objects.visible_to(request.user)  # type: ignore[attr-defined, no-any-return]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_admin(request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_admin(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


site = KaifangAdminSite(name="kaifang_admin")


class WorkdayOverrideAdmin(admin.ModelAdmin):
    """The province's working-day overrides, read-only (changed through `kaifang workday_override`)."""

    list_display = ("day", "is_workday", "note", "updated_at")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_admin(request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_admin(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _register_workdays() -> None:
    from kaifang.core.models import WorkdayOverride

    site.register(WorkdayOverride, WorkdayOverrideAdmin)


_register_workdays()
