from django.urls import path

from kaifang.dashboards import views

app_name = "dashboards"
urlpatterns = [
    path("", views.index, name="index"),
    path("units/<str:code>/", views.unit, name="unit"),
    path("units/<str:code>/export.xlsx", views.export, name="export"),
    path("data/<str:code>.json", views.data, name="data"),
]
