from django.urls import path

from kaifang.core import views, views_display

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("display/text-size", views_display.text_size, name="text_size"),
]
