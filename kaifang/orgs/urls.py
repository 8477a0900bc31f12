from django.urls import path

from kaifang.orgs import views
from kaifang.orgs.views import changes

app_name = "orgs"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("changes/", changes.change_list, name="changes"),
    path("changes/<int:pk>/", changes.change_detail, name="change"),
    path("changes/<int:pk>/action/", changes.change_action, name="change_action"),
    path("<str:code>/", views.unit_detail, name="unit"),
]
