from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("so-van-ban-di/", views.register, name="register"),
    path("so-van-ban-di/them/", views.create, name="create"),
    path("so-van-ban-di/<int:pk>/", views.detail, name="detail"),
    path("so-van-ban-di/<int:pk>/tai.<str:ext>", views.download, name="download"),
]
