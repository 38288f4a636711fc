from django.urls import path

from . import views

app_name = "exchange"

urlpatterns = [
    path("trao-doi/", views.delivery_list, name="list"),
    path("trao-doi/<int:pk>/", views.delivery_detail, name="detail"),
    path("trao-doi/<int:pk>/gui-lai/", views.delivery_retry, name="retry"),
]
