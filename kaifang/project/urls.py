from django.urls import path

from kaifang.core import views, views_display
from kaifang.project.views import home

app_name = "core"  # the namespace the templates already link to (`core:home`)
urlpatterns = [
    path("", home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("display/text-size", views_display.text_size, name="text_size"),
]
