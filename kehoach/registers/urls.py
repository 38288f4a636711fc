from django.urls import include, path

from . import public, views

app_name = "registers"

urlpatterns = [
    path("so-theo-doi/", views.index, name="index"),
    path("chi-tieu/<int:indicator_pk>/nguon-so-lieu/", views.binding, name="binding"),
    path("so-theo-doi/<slug:slug>/", views.row_list, name="list"),
    path("so-theo-doi/<slug:slug>/them/", views.row_form, name="create"),
    path("so-theo-doi/<slug:slug>/nhap/", views.import_rows, name="import"),
    path("so-theo-doi/<slug:slug>/nhap/<int:pk>/", views.import_detail, name="import-detail"),
    path("so-theo-doi/<slug:slug>/nhap/<int:pk>/tien-do/", views.import_progress, name="import-progress"),
    path("so-theo-doi/<slug:slug>/nhap/<int:pk>/ghi/", views.import_confirm, name="import-confirm"),
    path("so-theo-doi/<slug:slug>/nhap/<int:pk>/kiem-tra-lai/", views.import_recheck, name="import-recheck"),
    path("so-theo-doi/<slug:slug>/nhap/<int:pk>/huy/", views.import_cancel, name="import-cancel"),
    path("so-theo-doi/<slug:slug>/mau.xlsx", views.template, name="template"),
    path("so-theo-doi/<slug:slug>/xuat.<str:fmt>", views.export, name="export"),
    path("", include("kehoach.registers.panels_enterprises")),
    path("", include("kehoach.registers.panels_outreach")),
    path("so-theo-doi/<slug:slug>/<int:pk>/", views.row_detail, name="detail"),
    path("so-theo-doi/<slug:slug>/<int:pk>/sua/", views.row_form, name="edit"),
    path("so-theo-doi/<slug:slug>/<int:pk>/xoa/", views.row_remove, name="delete"),
    path("so-theo-doi/san-pham-truy-xuat/<int:pk>/", include("kehoach.registers.views_products")),
    # Where a product's QR code leads (public.py): GS1 Digital Link paths and the trace code, no login.
    path("01/<str:gtin>", public.by_gtin, name="public_gtin"),
    path("01/<str:gtin>/10/<path:lot>", public.by_gtin, name="public_gtin_lot"),
    path("truy-xuat/<path:code>", public.by_trace_code, name="public_trace"),
]
