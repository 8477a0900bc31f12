from typing import Any

from django.conf import settings
from django.http import HttpRequest

from kaifang.project.navigation import nav_for


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "issuer_name": settings.KAIFANG_ISSUER_NAME}
    return {"nav_items": nav_for(user, request.path), "issuer_name": settings.KAIFANG_ISSUER_NAME}
