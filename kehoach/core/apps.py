from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "kehoach.core"
    verbose_name = "Nền tảng"

    def ready(self) -> None:
        from django.db.models import fields

        from .admin_vi import install_boolean_icon, rename_permissions

        # Django's empty choice reads "- Select an option -", untranslated in Vietnamese.
        fields.BLANK_CHOICE_LABEL = "— Chọn —"
        install_boolean_icon()
        # After django.contrib.auth has created the permissions (its handler was connected first).
        post_migrate.connect(rename_permissions, dispatch_uid="kehoach.core.rename_permissions")
