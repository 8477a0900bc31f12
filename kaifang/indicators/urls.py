from django.urls import path

from kaifang.indicators import figure_views, file_views, views

app_name = "indicators"
urlpatterns = [
    path("", views.explorer, name="index"),
    path("export.xlsx", views.export, name="export"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("catalogue/new/", views.edit, name="create"),
    path("catalogue/import/", file_views.catalogue_import, name="catalogue_import"),
    path("catalogue/export.<str:fmt>", file_views.catalogue_export, name="catalogue_export"),
    path("catalogue/<str:code>/", views.detail, name="detail"),
    path("catalogue/<str:code>/edit/", views.edit, name="edit"),
    path("targets/", views.targets, name="targets"),
    path("targets/template.xlsx", file_views.target_template, name="target_template"),
    path("targets/import/", file_views.target_import, name="target_import"),
    path("values/<int:pk>/history/", views.history, name="history"),
    path("figures/<str:indicator>/<str:unit>/<str:period>/", figure_views.figure, name="figure"),
]
