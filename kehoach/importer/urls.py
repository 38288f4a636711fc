from django.urls import path

from . import views

app_name = "importer"

urlpatterns = [
    path("ke-hoach/nhap/", views.upload, name="upload"),
    path("ke-hoach/nhap/<int:pk>/", views.job_detail, name="job"),
    path("ke-hoach/nhap/<int:pk>/tien-do/", views.job_progress, name="progress"),
    path("ke-hoach/nhap/<int:pk>/cong-bo/", views.job_publish, name="publish"),
    path("ke-hoach/nhap/<int:pk>/doc-lai/", views.job_retry, name="retry"),
    path("ke-hoach/nhap/<int:pk>/bo/", views.job_abandon, name="abandon"),
]
