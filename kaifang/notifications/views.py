from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from kaifang.notifications.models import Notification
from kaifang.notifications.services import mark_read


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    items = Notification.objects.for_user(request.user).select_related("unit")
    page = Paginator(items, 30).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page})


@login_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    mark_read(user=request.user)
    return redirect("notifications:inbox")
