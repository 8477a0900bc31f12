from django.urls import path

from kaifang.notifications import views
from kaifang.notifications.views import deliveries

app_name = "notifications"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("export.xlsx", views.export_inbox, name="export"),
    path("read-all/", views.read_all, name="read_all"),
    path("deliveries/", deliveries.deliveries, name="deliveries"),
]
