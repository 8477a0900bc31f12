from django.urls import path

from kaifang.orgs import views

app_name = "orgs"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("<str:code>/", views.unit_detail, name="unit"),
]
