from django.urls import path

from kaifang.indicators import views

app_name = "indicators"
urlpatterns = [
    path("", views.explorer, name="index"),
    path("export.xlsx", views.export, name="export"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("catalogue/new/", views.edit, name="create"),
    path("catalogue/<str:code>/", views.detail, name="detail"),
    path("catalogue/<str:code>/edit/", views.edit, name="edit"),
    path("targets/", views.targets, name="targets"),
    path("values/<int:pk>/history/", views.history, name="history"),
]
