from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from kehoach.api.router import api
from kehoach.units.forms import LoginForm

admin.site.site_header = "Quản trị kehoach"
admin.site.site_title = "kehoach"
admin.site.index_title = "Quản trị hệ thống"

urlpatterns = [
    path(
        "dang-nhap/",
        auth_views.LoginView.as_view(template_name="registration/login.html", authentication_form=LoginForm),
        name="login",
    ),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("quan-tri/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("kehoach.plans.urls")),
    path("", include("kehoach.units.urls")),
    path("", include("kehoach.tracking.urls")),
    path("", include("kehoach.importer.urls")),
    path("", include("kehoach.registers.urls")),
    path("", include("kehoach.documents.urls")),
    path("", include("kehoach.reports.urls")),
    path("", include("kehoach.exchange.urls")),
    path("", include("kehoach.operations.urls")),
    path("", include("kehoach.search.urls")),
]
