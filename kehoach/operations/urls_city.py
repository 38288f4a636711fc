"""The city's comparison pages; included into the `operations` namespace by `operations/urls.py`."""

from django.urls import path

from . import views_city

urlpatterns = [
    path("dieu-hanh/thanh-pho/", views_city.city, name="city"),
    path("dieu-hanh/thanh-pho/so-sanh.xlsx", views_city.city_xlsx, name="city_xlsx"),
]
