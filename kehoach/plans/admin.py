from django.contrib import admin

from kehoach.core.admin import AuditedAdmin

from .models import (
    CityIndicator,
    Indicator,
    IndicatorGroup,
    Plan,
    PlanReference,
    Responsibility,
    Task,
    TaskUnit,
    Trigger,
)


class ReferenceInline(admin.TabularInline):
    model = PlanReference
    extra = 0


@admin.register(Plan)
class PlanAdmin(AuditedAdmin):
    list_display = ["number", "title", "year", "owner_unit", "lead_unit", "status"]
    list_filter = ["status", "field", "year"]
    search_fields = ["number", "title", "search_text"]
    autocomplete_fields = ["owner_unit", "lead_unit"]
    list_select_related = ["owner_unit", "lead_unit"]
    inlines = [ReferenceInline]


@admin.register(IndicatorGroup)
class IndicatorGroupAdmin(AuditedAdmin):
    list_display = ["name", "plan", "position"]
    list_select_related = ["plan"]


@admin.register(CityIndicator)
class CityIndicatorAdmin(AuditedAdmin):
    """The city's shared catalogue: communes' indicators linked to an entry are compared on the city view."""

    list_display = ["code", "name", "unit_of_measure", "direction", "city", "position"]
    list_filter = ["direction", "city"]
    search_fields = ["code", "name", "search_text"]
    list_select_related = ["city"]
    autocomplete_fields = ["city"]


@admin.register(Indicator)
class IndicatorAdmin(AuditedAdmin):
    list_display = ["code", "name", "plan", "comparator", "target", "unit_of_measure", "commitment"]
    list_filter = ["commitment", "comparator"]
    search_fields = ["name", "code"]
    list_select_related = ["plan", "city_indicator"]
    autocomplete_fields = ["lead_unit", "coordinating_units", "city_indicator"]


class TaskUnitInline(admin.TabularInline):
    model = TaskUnit
    extra = 0
    autocomplete_fields = ["unit"]


@admin.register(Task)
class TaskAdmin(AuditedAdmin):
    list_display = ["position", "title", "plan", "deadline_text", "due_on"]
    list_filter = ["deadline_kind"]
    search_fields = ["title", "search_text"]
    list_select_related = ["plan"]
    # Deadlines are read and scheduled by the task service; edit them in the app, not here.
    readonly_fields = [
        "deadline_text",
        "deadline_kind",
        "deadline_date",
        "trigger",
        "starts_on",
        "due_on",
        "completed_on",
    ]
    inlines = [TaskUnitInline]


@admin.register(Trigger)
class TriggerAdmin(AuditedAdmin):
    list_display = ["description", "plan", "document_number", "occurred_on"]
    list_select_related = ["plan"]


@admin.register(Responsibility)
class ResponsibilityAdmin(AuditedAdmin):
    list_display = ["unit", "plan", "position"]
    list_select_related = ["unit", "plan"]
