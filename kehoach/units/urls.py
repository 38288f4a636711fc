from django.urls import path

from . import views

app_name = "units"

urlpatterns = [
    path("don-vi/", views.unit_list, name="list"),
    path("don-vi/<int:pk>/", views.unit_detail, name="detail"),
    path("tai-khoan/", views.profile, name="profile"),
    path("tai-khoan/ma-api/<int:pk>/thu-hoi/", views.token_revoke, name="token_revoke"),
]
