from django.contrib import admin

from kehoach.core.admin import AuditedAdmin

from .models import Alert, AlertEvent, DailyRun, Reminder, Scenario


@admin.register(Scenario)
class ScenarioAdmin(AuditedAdmin):
    list_display = ["name", "plan", "kind", "severity", "days", "escalate_after_days", "enabled"]
    list_filter = ["kind", "severity", "enabled"]
    search_fields = ["name", "plan__number", "plan__title"]
    list_select_related = ["plan"]
    raw_id_fields = ["plan"]


class AlertEventInline(admin.TabularInline):
    model = AlertEvent
    extra = 0
    can_delete = False
    readonly_fields = ["action", "at", "actor", "note"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    """Alerts are raised and cleared by the scenarios and handled in the app: read-only here."""

    list_display = ["title", "plan", "severity", "state", "unit", "raised_at"]
    list_filter = ["state", "severity", "scenario__kind"]
    search_fields = ["title", "plan__number"]
    list_select_related = ["plan", "unit"]
    inlines = [AlertEventInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["unit", "period", "plan", "sent_by", "sent_at", "recipients"]
    list_select_related = ["unit", "period", "plan", "sent_by"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(DailyRun)
class DailyRunAdmin(admin.ModelAdmin):
    list_display = ["day", "started_at", "finished_at"]
    readonly_fields = ["day", "started_at", "finished_at", "result"]

    def has_add_permission(self, request) -> bool:
        return False
