from django.apps import AppConfig


class TrackingConfig(AppConfig):
    name = "kehoach.tracking"
    verbose_name = "Theo dõi thực hiện"

    def ready(self) -> None:
        from . import panels  # noqa: F401  (registers the task page's report panel)
