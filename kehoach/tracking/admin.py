from django.contrib import admin

from kehoach.core.admin import AuditedAdmin

from .models import DigestLog, Evidence, Measurement, Notification, Period, ProgressReport, ReportingConfig


@admin.register(ReportingConfig)
class ReportingConfigAdmin(AuditedAdmin):
    list_display = ["plan", "kinds", "cutoff_day", "submit_days"]
    list_select_related = ["plan"]


@admin.register(Period)
class PeriodAdmin(AuditedAdmin):
    list_display = ["plan", "kind", "year", "number", "starts_on", "ends_on", "due_on", "closed_at"]
    list_filter = ["kind", "year"]
    list_select_related = ["plan"]
    # Closing and reopening go through the app, which audits them with a reason.
    readonly_fields = ["closed_at", "closed_by"]


class EvidenceInline(admin.TabularInline):
    model = Evidence
    extra = 0
    fields = ["original_name", "content_type", "size", "is_output", "uploaded_by", "uploaded_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ProgressReport)
class ProgressReportAdmin(AuditedAdmin):
    list_display = ["task", "period", "unit", "role", "status", "percent_complete"]
    list_filter = ["status", "role"]
    search_fields = ["task__title", "unit__name"]
    list_select_related = ["task", "period", "unit"]
    readonly_fields = ["status", "submitted_at", "submitted_by", "reviewed_at", "reviewed_by", "version"]
    inlines = [EvidenceInline]


@admin.register(Measurement)
class MeasurementAdmin(AuditedAdmin):
    list_display = ["indicator", "period", "unit", "value", "status"]
    list_filter = ["status"]
    list_select_related = ["indicator", "period", "unit"]
    readonly_fields = ["status", "submitted_at", "submitted_by", "reviewed_at", "reviewed_by", "version"]
    inlines = [EvidenceInline]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "title", "created_at", "read_at", "emailed_on"]
    list_filter = ["kind"]
    search_fields = ["user__username", "title"]
    list_select_related = ["user"]


@admin.register(DigestLog)
class DigestLogAdmin(admin.ModelAdmin):
    list_display = ["user", "day", "count", "sent_at"]
    list_select_related = ["user"]
