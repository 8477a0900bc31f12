from django.urls import path

from kaifang.ledgers import views

app_name = "ledgers"
urlpatterns = [
    path("", views.index, name="index"),
    path("projects/", views.project_list, name="projects"),
    path("projects/new/", views.project_new, name="project_new"),
    path("projects/<int:pk>/", views.project_detail, name="project"),
    path("projects/<int:pk>/act/", views.project_act, name="project_act"),
    path("projects/<int:pk>/edit/", views.project_edit, name="project_edit"),
    path("projects/export.xlsx", views.export_projects, name="export_projects"),
    path("leads/", views.leads, name="leads"),
    path("stats/", views.stats, name="stats"),
    path("talents/", views.talents, name="talents"),
    path("talents/new/", views.talent_new, name="talent_new"),
    path("talents/export.xlsx", views.export_talents, name="export_talents"),
    path("import/", views.import_ledger, name="import"),
]
