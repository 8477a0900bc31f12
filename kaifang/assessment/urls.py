from django.contrib.auth.decorators import login_required
from django.urls import path
from django.views.generic import RedirectView

from kaifang.assessment import views
from kaifang.assessment.views import exports, schemes, versions

app_name = "assessment"
urlpatterns = [
    path("", views.index, name="index"),
    path("schemes/import/", schemes.import_scheme, name="scheme_import"),
    path("schemes/<str:code>/", views.scheme_detail, name="scheme"),
    path("schemes/<str:code>/export.<str:fmt>", schemes.export_scheme, name="scheme_export"),
    path("schemes/<str:code>/copy/", schemes.copy_scheme, name="scheme_copy"),
    path("schemes/<str:code>/activate/", schemes.activate, name="scheme_activate"),
    path("schemes/<str:code>/revise/", views.revise, name="revise"),
    path("schemes/<str:code>/versions/<int:number>/simulate/", versions.simulate_page, name="simulate"),
    path(
        "schemes/<str:code>/versions/<int:number>/simulate/export/",
        versions.simulate_export,
        name="simulate_export",
    ),
    path("schemes/<str:code>/versions/<int:number>/activate/", versions.activate, name="activate"),
    path("schemes/<str:code>/<str:period>/", views.results, name="results"),
    path("schemes/<str:code>/<str:period>/publish/", views.publish, name="publish"),
    path("schemes/<str:code>/<str:period>/export.xlsx", exports.export_results, name="results_export"),
    path("schemes/<str:code>/<str:period>/units/<str:unit>/", views.unit_score, name="unit"),
    path("schemes/<str:code>/<str:period>/units/<str:unit>/export.xlsx", exports.export_unit, name="unit_export"),
    path("published/<int:pk>/", views.snapshot_detail, name="snapshot"),
    path("published/<int:pk>/export.xlsx", exports.export_snapshot, name="snapshot_export"),
    path("published/<int:pk>/units/<str:unit>/", views.snapshot_unit, name="snapshot_unit"),
    path(
        "published/<int:pk>/units/<str:unit>/export.xlsx",
        exports.export_snapshot_unit,
        name="snapshot_unit_export",
    ),
    # The figure behind a point is indicators' page now; old links and bookmarks follow it there.
    path(
        "figures/<str:indicator>/<str:unit>/<str:period>/",
        login_required(RedirectView.as_view(pattern_name="indicators:figure", permanent=True)),
        name="figure",
    ),
    path("adjustments/", views.adjustments, name="adjustments"),
    path("adjustments/export.xlsx", exports.export_adjustments, name="export_adjustments"),
    path("adjustments/<int:pk>/decide/", views.decide, name="decide"),
    path("bulletins/", views.bulletins, name="bulletins"),
    path("bulletins/export.xlsx", exports.export_bulletins, name="export_bulletins"),
    path("bulletins/<int:pk>/", views.bulletin_detail, name="bulletin"),
    path("bulletins/<int:pk>/download/", views.bulletin_download, name="bulletin_download"),
]
