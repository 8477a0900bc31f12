from django.urls import path

from kaifang.reporting import views, views_calendar, views_excel, views_queue

app_name = "reporting"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new_round, name="new_round"),
    path("calendar/", views_calendar.calendar, name="calendar"),
    path("<int:round_id>/", views.overview, name="overview"),
    path("<int:round_id>/queue/", views_queue.queue, name="queue"),
    path("<int:round_id>/queue/batch", views_queue.batch, name="queue_batch"),
    path("<int:round_id>/template.xlsx", views_excel.template, name="template"),
    path("<int:round_id>/import/", views_excel.upload, name="upload"),
    path("imports/<int:batch_id>/", views_excel.batch, name="batch"),
    path("imports/<int:batch_id>/progress", views_excel.progress, name="progress"),
    path("imports/<int:batch_id>/apply", views_excel.apply, name="apply"),
    path("<int:round_id>/<str:unit_code>/", views.entry, name="entry"),
    path("<int:round_id>/<str:unit_code>/check", views.check, name="check"),
    path("<int:round_id>/<str:unit_code>/act", views.act, name="act"),
]
