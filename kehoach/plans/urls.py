from django.urls import path

from . import views

app_name = "plans"

urlpatterns = [
    path("", views.home, name="home"),
    path("viec-cua-don-vi/", views.my_work, name="my_work"),
    path("ke-hoach/", views.plan_list, name="list"),
    path("ke-hoach/tao-moi/", views.plan_create, name="create"),
    path("ke-hoach/<int:pk>/", views.plan_detail, name="detail"),
    path("ke-hoach/<int:pk>/sua/", views.plan_edit, name="edit"),
    path("ke-hoach/<int:pk>/cai-dat/", views.plan_settings, name="settings"),
    path("ke-hoach/<int:pk>/can-cu/", views.plan_references, name="references"),
    path("ke-hoach/<int:pk>/muc-tieu/", views.plan_goals, name="goals"),
    path("ke-hoach/<int:pk>/lich-su/", views.plan_history, name="history"),
    path("ke-hoach/<int:pk>/van-ban/", views.plan_document_preview, name="document"),
    path("ke-hoach/<int:pk>/van-ban.docx", views.plan_document_docx, name="document_docx"),
    path("ke-hoach/<int:pk>/van-ban.pdf", views.plan_document_pdf, name="document_pdf"),
    path("ke-hoach/<int:plan_pk>/chi-tieu/them/", views.indicator_form, name="indicator_create"),
    path("ke-hoach/<int:plan_pk>/chi-tieu/<int:pk>/sua/", views.indicator_form, name="indicator_edit"),
    path("ke-hoach/<int:plan_pk>/chi-tieu/<int:pk>/xoa/", views.indicator_delete, name="indicator_delete"),
    path("ke-hoach/<int:plan_pk>/nhiem-vu/them/", views.task_form, name="task_create"),
    path("ke-hoach/<int:plan_pk>/nhiem-vu/<int:pk>/sua/", views.task_form, name="task_edit"),
    path("ke-hoach/<int:plan_pk>/nhiem-vu/<int:pk>/xoa/", views.task_delete, name="task_delete"),
    path("ke-hoach/<int:plan_pk>/dieu-kien/<int:pk>/ghi-nhan/", views.trigger_record, name="trigger_record"),
    path("ke-hoach/<int:plan_pk>/trach-nhiem/them/", views.responsibility_form, name="responsibility_create"),
    path(
        "ke-hoach/<int:plan_pk>/trach-nhiem/<int:pk>/sua/",
        views.responsibility_form,
        name="responsibility_edit",
    ),
    path(
        "ke-hoach/<int:plan_pk>/trach-nhiem/<int:pk>/xoa/",
        views.responsibility_delete,
        name="responsibility_delete",
    ),
    path("chi-tieu/<int:pk>/", views.indicator_detail, name="indicator"),
    path("nhiem-vu/", views.task_list, name="tasks"),
    path("nhiem-vu/<int:pk>/", views.task_detail, name="task"),
]
