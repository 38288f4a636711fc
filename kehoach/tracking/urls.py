from django.urls import path

from . import views

app_name = "tracking"

urlpatterns = [
    path("ke-hoach/<int:plan_pk>/bao-cao/", views.periods, name="periods"),
    path("ke-hoach/<int:plan_pk>/ky/<int:pk>/", views.desk, name="desk"),
    path("ke-hoach/<int:plan_pk>/ky/<int:pk>/thieu-so-lieu/", views.missing, name="missing"),
    path("ke-hoach/<int:plan_pk>/ky/<int:pk>/chi-tieu.xlsx", views.indicators_export, name="indicators_xlsx"),
    path("ke-hoach/<int:plan_pk>/ky/<int:pk>/khoa-so/", views.period_close, name="period_close"),
    path("ke-hoach/<int:plan_pk>/ky/<int:pk>/mo-lai/", views.period_reopen, name="period_reopen"),
    path("bao-cao-tien-do/lap/", views.report_open, name="report_open"),
    path("bao-cao-tien-do/<int:pk>/", views.report_detail, name="report"),
    path("bao-cao-tien-do/<int:pk>/gui/", views.report_submit, name="report_submit"),
    path("bao-cao-tien-do/<int:pk>/<str:action>/", views.report_review, name="report_review"),
    path("so-lieu/lap/", views.measurement_open, name="measurement_open"),
    path("so-lieu/<int:pk>/", views.measurement_detail, name="measurement"),
    path("so-lieu/<int:pk>/dieu-chinh/", views.measurement_override, name="measurement_override"),
    path("so-lieu/<int:pk>/<str:action>/", views.measurement_review, name="measurement_review"),
    path("minh-chung/<str:kind>/<int:pk>/tai-len/", views.evidence_upload, name="evidence_upload"),
    path("minh-chung/<int:pk>/", views.evidence_download, name="evidence"),
    path("minh-chung/<int:pk>/xoa/", views.evidence_delete, name="evidence_delete"),
    path("thong-bao/", views.notifications, name="notifications"),
    path("thong-bao/da-doc/", views.notifications_read, name="notifications_read"),
]
