from django.urls import path

from kaifang.indicators import views
from kaifang.indicators.views import figure, files

app_name = "indicators"
urlpatterns = [
    path("", views.explorer, name="index"),
    path("export.xlsx", views.export, name="export"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("catalogue/new/", views.edit, name="create"),
    path("catalogue/import/", files.catalogue_import, name="catalogue_import"),
    path("catalogue/export.<str:fmt>", files.catalogue_export, name="catalogue_export"),
    path("catalogue/<str:code>/", views.detail, name="detail"),
    path("catalogue/<str:code>/edit/", views.edit, name="edit"),
    path("targets/", views.targets, name="targets"),
    path("targets/template.xlsx", files.target_template, name="target_template"),
    path("targets/import/", files.target_import, name="target_import"),
    path("values/<int:pk>/history/", views.history, name="history"),
    path("figures/<str:indicator>/<str:unit>/<str:period>/", figure.figure, name="figure"),
]
