"""The storefront pages of privacy: a customer's own data, under the account's URLs."""

from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("my-data/", views.own_data, name="own_data"),
]
