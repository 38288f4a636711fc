from django.contrib import admin

from kehoach.core.admin import AuditedAdmin

from .choices import PeriodKind
from .models import DigestLog, Evidence, Measurement, Notification, Period, ProgressReport, ReportingConfig


@admin.register(ReportingConfig)
class ReportingConfigAdmin(AuditedAdmin):
    list_display = ["plan", "period_kinds", "cutoff_day", "submit_days"]
    list_select_related = ["plan"]

    @admin.display(description="kỳ báo cáo")
    def period_kinds(self, config):
        labels = dict(PeriodKind.choices)
        return ", ".join(str(labels.get(kind, kind)) for kind in config.kinds)


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
    """Written by the daily job, one per person and day: read here, never edited."""

    list_display = ["recipient", "on_day", "items", "sent"]
    fields = readonly_fields = list_display
    list_select_related = ["user"]

    @admin.display(description="người nhận", ordering="user")
    def recipient(self, log):
        return log.user

    @admin.display(description="ngày", ordering="day")
    def on_day(self, log):
        return log.day

    @admin.display(description="số mục", ordering="count")
    def items(self, log):
        return log.count

    @admin.display(description="gửi lúc", ordering="sent_at")
    def sent(self, log):
        return log.sent_at

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
