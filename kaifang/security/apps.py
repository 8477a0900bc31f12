from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "kaifang.security"
    verbose_name = "安全"

    def ready(self) -> None:
        from kaifang.security import checks  # noqa: F401 (registers the system checks)
