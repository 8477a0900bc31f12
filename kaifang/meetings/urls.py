from django.urls import path

from kaifang.meetings import views
from kaifang.meetings.views import speech, venues

app_name = "meetings"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("parse/", speech.parse, name="parse"),
    path("parse/<int:pk>/", speech.draft, name="draft"),
    path("parse/<int:pk>/reparse/", speech.reparse, name="reparse"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/code/", venues.code_screen, name="code"),
    path("<int:pk>/code.json", venues.code_json, name="code_json"),
    path("<int:pk>/action/<str:action>/", views.transition, name="transition"),
    path("<int:pk>/venues/<str:unit>/receipt/", venues.receipt, name="receipt"),
    path("<int:pk>/venues/<str:unit>/check-in/", venues.check_in, name="check_in"),
    path("<int:pk>/venues/<str:unit>/details/", venues.venue_details, name="venue_details"),
    path("<int:pk>/venues/<str:unit>/relay/", venues.relay, name="relay"),
    path("<int:pk>/relay/", venues.relay_list, name="relay_list"),
    path("<int:pk>/relay.xlsx", venues.export_relay, name="export_relay"),
    path("<int:pk>/manual-check-in/", venues.manual_check_in, name="manual_check_in"),
    path("<int:pk>/documents/new/", views.add_document, name="add_document"),
    path("<int:pk>/documents/<int:doc>/", views.document, name="document"),
    path("<int:pk>/resolutions/new/", views.add_resolution, name="add_resolution"),
    path("<int:pk>/resolutions/<int:rid>/task/", views.resolution_to_task, name="resolution_task"),
]
