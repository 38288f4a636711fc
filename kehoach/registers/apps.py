from django.apps import AppConfig


class RegistersConfig(AppConfig):
    name = "kehoach.registers"
    verbose_name = "Sổ theo dõi"

    def ready(self) -> None:
        from . import specs  # noqa: F401  (registers every register's spec)
