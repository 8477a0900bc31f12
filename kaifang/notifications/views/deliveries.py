"""The send record (渠道发送记录): every WeCom / DingTalk / SMS send about units in the reader's scope —
the sender sees whether their urging or approval went out (sent / failed, retrying / given up)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from kaifang import labels
from kaifang.core.listing import Filter, ListSpec, Sort
from kaifang.notifications.models import Channel, Delivery, DeliveryStatus
from kaifang.orgs.forms import unit_filter

DELIVERIES = ListSpec(
    filters=(
        Filter("status", _("状态"), lookup="status", choices=list(DeliveryStatus.choices)),
        Filter("channel", _("渠道"), lookup="route__channel", choices=list(Channel.choices)),
        Filter("mine", _("发送人"), lookup=None, choices=[("1", _("只看我发出的"))]),  # applied in the view
        unit_filter(label=_("单位")),
    ),
    search=("title",),
    search_label=_("标题"),
    sorts=(
        Sort("new", _("时间（新→旧）"), ("-created_at", "-id")),
        Sort("old", _("时间（旧→新）"), ("created_at", "id")),
    ),
    page_size=50,
)


@login_required
def deliveries(request: HttpRequest) -> HttpResponse:
    listing = DELIVERIES.read(request.GET, user=request.user)
    items = Delivery.objects.visible_to(request.user).select_related("unit", "route")
    if request.GET.get("mine") == "1":
        items = items.filter(sender=request.user.get_username())
    page = listing.page(listing.apply(items))
    for item in page:
        item.kind_label = _("渠道测试") if item.kind == "channel_test" else labels.notice_label(item.kind)  # type: ignore[attr-defined]
    return render(request, "notifications/deliveries.html", {"page": page, "listing": listing})
