from django.urls import path

from kaifang.corrections import views

app_name = "corrections"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/step/", views.step, name="step"),
    path("<int:pk>/evidence/", views.evidence, name="evidence"),
]
