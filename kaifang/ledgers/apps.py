from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgersConfig(AppConfig):
    name = "kaifang.ledgers"
    label = "ledgers"
    verbose_name = _("双招双引台账")
