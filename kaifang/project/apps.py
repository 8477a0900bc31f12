from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectConfig(AppConfig):
    """The project's wiring, above every area: the demo loader, first-run setup, backups and the job
    worker (management commands), the home page and the navigation. Nothing imports it."""

    name = "kaifang.project"
    label = "project"
    verbose_name = _("项目")
