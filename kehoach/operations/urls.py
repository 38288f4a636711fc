from django.urls import include, path

from . import views

app_name = "operations"

urlpatterns = [
    path("dieu-hanh/", views.centre_home, name="centre"),
    path("dieu-hanh/ke-hoach/<int:pk>/", views.centre_plan, name="centre_plan"),
    path(
        "dieu-hanh/ke-hoach/<int:pk>/ky/<int:period_pk>/don-doc/<int:unit_pk>/",
        views.nudge,
        name="nudge",
    ),
    path("dieu-hanh/ke-hoach/<int:pk>/canh-bao/", views.alert_list, name="alerts"),
    path("dieu-hanh/ke-hoach/<int:pk>/kich-ban/", views.scenario_list, name="scenarios"),
    path(
        "dieu-hanh/ke-hoach/<int:pk>/kich-ban/<int:scenario_pk>/", views.scenario_edit, name="scenario_edit"
    ),
    path("canh-bao/<int:pk>/", views.alert_detail, name="alert"),
    path("canh-bao/<int:pk>/<str:action>/", views.alert_action, name="alert_action"),
    path("", include("kehoach.operations.urls_city")),
]
