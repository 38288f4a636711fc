from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "kehoach.reports"
    verbose_name = "Báo cáo định kỳ"
