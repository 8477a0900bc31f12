"""URL map: each business area mounts its own urls module; the API lives under /api/v1/."""

from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from kaifang.api import api
from kaifang.core.admin import site as admin_site

handler400 = "kaifang.core.views.bad_request"
handler403 = "kaifang.core.views.permission_denied"
handler404 = "kaifang.core.views.page_not_found"
handler500 = "kaifang.core.views.server_error"

urlpatterns = [
    path("", include("kaifang.project.urls")),
    path("accounts/", include("kaifang.accounts.urls")),
    path("orgs/", include("kaifang.orgs.urls")),
    path("audit/", include("kaifang.security.urls")),
    path("notifications/", include("kaifang.notifications.urls")),
    path("meetings/", include("kaifang.meetings.urls")),
    path("supervision/", include("kaifang.supervision.urls")),
    path("ledgers/", include("kaifang.ledgers.urls")),
    path("reporting/", include("kaifang.reporting.urls")),
    path("assessment/", include("kaifang.assessment.urls")),
    path("corrections/", include("kaifang.corrections.urls")),
    path("indicators/", include("kaifang.indicators.urls")),
    path("dashboards/", include("kaifang.dashboards.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/v1/", api.urls),
    path("django-admin/", admin_site.urls),
]
