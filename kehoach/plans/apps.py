from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "kehoach.plans"
    verbose_name = "Kế hoạch"
