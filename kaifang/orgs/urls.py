from django.urls import path

from kaifang.orgs import change_views, views

app_name = "orgs"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("changes/", change_views.change_list, name="changes"),
    path("changes/<int:pk>/", change_views.change_detail, name="change"),
    path("changes/<int:pk>/action/", change_views.change_action, name="change_action"),
    path("<str:code>/", views.unit_detail, name="unit"),
]
