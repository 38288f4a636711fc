from django.contrib import admin, messages

from .models import Delivery, DeliveryAttempt
from .services import endpoint


class ReadOnly:
    """Deliveries change only through the exchange services (sending, "Gửi lại"), which audit them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DeliveryAttemptInline(ReadOnly, admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    fields = ["number", "started_at", "duration_ms", "http_status", "outcome", "error"]
    readonly_fields = fields
    ordering = ["-started_at", "-id"]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnly, admin.ModelAdmin):
    list_display = [
        "summary",
        "kind_display",
        "unit",
        "state",
        "attempts",
        "next_attempt_at",
        "delivered_at",
        "created_at",
    ]
    list_filter = ["state", "kind"]
    search_fields = ["summary", "idempotency_key", "unit__name"]
    date_hierarchy = "created_at"
    list_select_related = ["unit"]
    inlines = [DeliveryAttemptInline]

    @admin.display(description="loại", ordering="kind")
    def kind_display(self, obj: Delivery) -> str:
        return obj.kind_label

    def changelist_view(self, request, extra_context=None):
        # The setting behind "Chưa thiết lập việc gửi dữ liệu lên cấp trên" is named here, for the
        # administrator, and nowhere on the pages people use.
        target = endpoint()
        if not target.enabled:
            messages.warning(
                request,
                f"{target.detail}. Các gói dữ liệu được giữ lại, chờ gửi cho đến khi đặt biến môi trường "
                "này (cùng KEHOACH_EXCHANGE_TOKEN nếu máy nhận yêu cầu) rồi khởi động lại hệ thống.",
            )
        return super().changelist_view(request, extra_context)
