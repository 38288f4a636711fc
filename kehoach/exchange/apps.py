from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "kehoach.exchange"
    verbose_name = "Gửi dữ liệu lên cấp trên"
