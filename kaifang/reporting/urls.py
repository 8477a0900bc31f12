from django.urls import path

from kaifang.reporting import views
from kaifang.reporting.views import calendar, excel, queue

app_name = "reporting"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new_round, name="new_round"),
    path("calendar/", calendar.calendar, name="calendar"),
    path("<int:round_id>/", views.overview, name="overview"),
    path("<int:round_id>/queue/", queue.queue, name="queue"),
    path("<int:round_id>/queue/batch", queue.batch, name="queue_batch"),
    path("<int:round_id>/template.xlsx", excel.template, name="template"),
    path("<int:round_id>/import/", excel.upload, name="upload"),
    path("imports/<int:batch_id>/", excel.batch, name="batch"),
    path("imports/<int:batch_id>/progress", excel.progress, name="progress"),
    path("imports/<int:batch_id>/apply", excel.apply, name="apply"),
    path("<int:round_id>/<str:unit_code>/", views.entry, name="entry"),
    path("<int:round_id>/<str:unit_code>/check", views.check, name="check"),
    path("<int:round_id>/<str:unit_code>/act", views.act, name="act"),
]
