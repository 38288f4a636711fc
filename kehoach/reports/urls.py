from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("ke-hoach/<int:plan_pk>/bao-cao-dinh-ky/", views.plan_reports, name="plan_reports"),
    path("ke-hoach/<int:plan_pk>/gui-so-lieu-chi-tieu/", views.send_indicators, name="send_indicators"),
    path("bao-cao-dinh-ky/<int:pk>/", views.detail, name="detail"),
    path("bao-cao-dinh-ky/<int:pk>/sua/", views.edit, name="edit"),
    path("bao-cao-dinh-ky/<int:pk>/trinh-ky/", views.submit, name="submit"),
    path("bao-cao-dinh-ky/<int:pk>/rut-lai/", views.withdraw, name="withdraw"),
    path("bao-cao-dinh-ky/<int:pk>/tra-lai/", views.return_, name="return"),
    path("bao-cao-dinh-ky/<int:pk>/ban-hanh/", views.issue, name="issue"),
    path("bao-cao-dinh-ky/<int:pk>/xoa/", views.delete, name="delete"),
    path("bao-cao-dinh-ky/<int:pk>/tai.<str:ext>", views.download, name="download"),
]
