from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "kehoach.search"
    verbose_name = "Tìm kiếm"
