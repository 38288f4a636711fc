from django.apps import AppConfig


class UnitsConfig(AppConfig):
    name = "kehoach.units"
    verbose_name = "Đơn vị và người dùng"
