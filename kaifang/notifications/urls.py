from django.urls import path

from kaifang.notifications import delivery_views, views

app_name = "notifications"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("export.xlsx", views.export_inbox, name="export"),
    path("read-all/", views.read_all, name="read_all"),
    path("deliveries/", delivery_views.deliveries, name="deliveries"),
]
