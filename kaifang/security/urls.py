from django.urls import path

from kaifang.security import views as views

app_name = "audit"  # the audit page keeps its URL names (`audit:list`)
urlpatterns = [
    path("", views.event_list, name="list"),
    path("export.csv", views.export_csv, name="export"),
]
