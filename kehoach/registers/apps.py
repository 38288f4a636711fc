from django.apps import AppConfig


class RegistersConfig(AppConfig):
    name = "kehoach.registers"
    verbose_name = "Sổ theo dõi"

    def ready(self) -> None:
        from . import (
            panels,  # noqa: F401  (the indicator page's data source panel)
            specs,  # noqa: F401  (registers every register's spec)
        )
        from .services import computed  # noqa: F401  (recomputes indicators when registers change)
