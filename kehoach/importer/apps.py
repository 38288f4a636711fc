from django.apps import AppConfig


class ImporterConfig(AppConfig):
    name = "kehoach.importer"
    verbose_name = "Nhập kế hoạch từ văn bản"
