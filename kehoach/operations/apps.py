from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "kehoach.operations"
    verbose_name = "Trung tâm điều hành"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from kehoach.core.hooks import PLAN_CHANGED
        from kehoach.units.models import Unit

        from .freshness import bump_plans, unit_saved
        from .services.alerts import evaluate_plans_after_change

        # New data versions first, so that pages read after the evaluation never see the old ones.
        for callback in (bump_plans, evaluate_plans_after_change):
            if callback not in PLAN_CHANGED:
                PLAN_CHANGED.append(callback)
        post_save.connect(unit_saved, sender=Unit, dispatch_uid="operations.freshness.unit_saved")
        post_delete.connect(unit_saved, sender=Unit, dispatch_uid="operations.freshness.unit_deleted")
