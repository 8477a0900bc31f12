from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "kaifang.dashboards"
    label = "dashboards"
    verbose_name = _("驾驶舱与通报")
