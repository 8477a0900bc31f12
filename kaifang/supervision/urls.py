from django.urls import path

from kaifang.supervision import views
from kaifang.supervision.views import steps

app_name = "supervision"
urlpatterns = [
    path("", views.index, name="index"),
    path("board/", views.board, name="board"),
    path("board.xlsx", views.export_board, name="export"),
    path("mine/", views.mine, name="mine"),
    path("tasks/new/", views.create, name="create"),
    path("tasks/<int:pk>/", views.task_detail, name="task"),
    path("tasks/<int:pk>/edit/", views.edit, name="edit"),
    path("tasks/<int:pk>/transition/", views.task_transition, name="transition"),
    path("tasks/<int:pk>/report/", views.task_report, name="report"),
    path("tasks/<int:pk>/urge/", views.task_urge, name="urge"),
    path("tasks/<int:pk>/notice/", views.task_notice, name="notice"),
    path("tasks/<int:pk>/split/", views.task_split, name="split"),
    path("tasks/<int:pk>/milestones/<int:milestone_id>/", views.milestone_toggle, name="milestone"),
    path("tasks/<int:pk>/attachments/", views.attachment_add, name="attachment_add"),
    path("tasks/<int:pk>/attachments/<int:attachment_id>/", views.attachment_download, name="attachment"),
    path("notices/<int:pk>.pdf", views.notice_pdf, name="notice_pdf"),
    path("tasks/<int:pk>/escalate/", steps.task_escalate, name="escalate"),
    path("tasks/<int:pk>/extensions/", steps.extension_request, name="extension_request"),
    path("tasks/<int:pk>/extensions/<int:request_id>/", steps.extension_decide, name="extension_decide"),
    path("notices/<int:pk>.ofd", views.notice_pdf, {"fmt": "ofd"}, name="notice_ofd"),
]
