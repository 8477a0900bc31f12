"""A system administrator edits the reference lists here; every save goes through the service (audited)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kaifang.refdata import services
from kaifang.refdata.models import GroupMembership, RefEntry


@admin.register(RefEntry)
class RefEntryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["list_code", "code", "name", "parent_code", "valid_from", "valid_to"]
    list_filter = ["list_code"]
    search_fields = ["code", "name"]
    readonly_fields = ["version"]

    def save_model(self, request: HttpRequest, obj: RefEntry, form: Any, change: bool) -> None:
        values = {f: getattr(obj, f) for f in services.ENTRY_FIELDS}
        services.save_entry(actor=request.user, list_code=obj.list_code, code=obj.code, values=values)


@admin.register(GroupMembership)
class GroupMembershipAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["group", "member", "valid_from", "valid_to", "verification"]
    list_filter = ["group"]
    search_fields = ["member", "source"]
    readonly_fields = ["version"]

    def save_model(self, request: HttpRequest, obj: GroupMembership, form: Any, change: bool) -> None:
        values = {f: getattr(obj, f) for f in services.MEMBER_FIELDS}
        services.save_membership(
            actor=request.user, group=obj.group, member=obj.member, valid_from=obj.valid_from, values=values
        )
