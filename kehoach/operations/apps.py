from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "kehoach.operations"
    verbose_name = "Trung tâm điều hành"

    def ready(self) -> None:
        from kehoach.core.hooks import PLAN_CHANGED

        from .services.alerts import evaluate_plans_after_change

        if evaluate_plans_after_change not in PLAN_CHANGED:
            PLAN_CHANGED.append(evaluate_plans_after_change)
