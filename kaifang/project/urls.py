from django.urls import path

from kaifang.core import views
from kaifang.core.views import display
from kaifang.project.views import home

app_name = "core"  # the namespace the templates already link to (`core:home`)
urlpatterns = [
    path("", home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("display/text-size", display.text_size, name="text_size"),
]
