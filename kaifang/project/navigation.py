"""The main navigation. Each business area adds its entry here, in the order users work."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kaifang.accounts.permissions import can_read_all_audit, can_read_users


@dataclass(frozen=True)
class NavItem:
    label: Any
    url_name: str
    section: str  # first path segment, to mark the active entry

    def visible(self, user: Any) -> bool:
        if self.url_name == "audit:list":
            return can_read_all_audit(user)
        if self.url_name == "accounts:users":
            return can_read_users(user)
        return True


NAV_ITEMS = [
    NavItem(_("首页"), "core:home", ""),
    NavItem(_("驾驶舱"), "dashboards:index", "dashboards"),
    NavItem(_("组织机构"), "orgs:tree", "orgs"),
    NavItem(_("会议"), "meetings:index", "meetings"),
    NavItem(_("督查督办"), "supervision:index", "supervision"),
    NavItem(_("指标数据"), "indicators:index", "indicators"),
    NavItem(_("数据报送"), "reporting:index", "reporting"),
    NavItem(_("数据更正"), "corrections:index", "corrections"),
    NavItem(_("双招双引"), "ledgers:index", "ledgers"),
    NavItem(_("考核评估"), "assessment:index", "assessment"),
    NavItem(_("审计日志"), "audit:list", "audit"),
    NavItem(_("用户管理"), "accounts:users", "accounts"),
]


def nav_for(user: Any, path: str) -> list[dict[str, Any]]:
    section = path.strip("/").split("/")[0] if path else ""
    return [
        {"label": item.label, "url": reverse(item.url_name), "active": item.section == section}
        for item in NAV_ITEMS
        if item.visible(user)
    ]
