from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "kaifang.accounts"
    label = "accounts"
    verbose_name = _("用户与权限")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from kaifang.accounts import signals  # noqa: F401  (connects the audit receivers)

        # `signals.audit_login` stamps last_login with the app clock instead of Django's wall clock.
        user_logged_in.disconnect(dispatch_uid="update_last_login")
