from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "kaifang.core"
    label = "core"
    verbose_name = _("基础")

    def ready(self) -> None:
        from kaifang.core import batches  # noqa: F401  (a failed batch task fails its batch: a signal receiver)
