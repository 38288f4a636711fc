from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "kehoach.core"
    verbose_name = "Nền tảng"

    def ready(self) -> None:
        from django.db.models import fields

        # Django's empty choice reads "- Select an option -", untranslated in Vietnamese.
        fields.BLANK_CHOICE_LABEL = "— Chọn —"
