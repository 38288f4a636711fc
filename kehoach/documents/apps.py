from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "kehoach.documents"
    verbose_name = "Văn bản"
