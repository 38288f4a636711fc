from django.contrib import admin

from .audit import audit_change, snapshot
from .models import AuditEntry


class AuditedAdmin(admin.ModelAdmin):
    """Django admin edits go into the same change log as the app's own services."""

    def save_model(self, request, obj, form, change):
        before = snapshot(type(obj).objects.get(pk=obj.pk)) if change and obj.pk else None
        super().save_model(request, obj, form, change)
        audit_change(
            actor=request.user,
            obj=obj,
            action=AuditEntry.Action.UPDATE if change else AuditEntry.Action.CREATE,
            before=before,
            after=snapshot(obj),
            summary="Sửa trong trang quản trị",
        )

    def delete_model(self, request, obj):
        audit_change(
            actor=request.user,
            obj=obj,
            action=AuditEntry.Action.DELETE,
            before=snapshot(obj),
            summary="Xóa trong trang quản trị",
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "object_repr", "summary"]
    list_filter = ["action", "content_type"]
    search_fields = ["object_repr", "summary", "actor__username"]
    date_hierarchy = "at"
    list_select_related = ["actor", "content_type"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
