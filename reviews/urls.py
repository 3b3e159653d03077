from django.urls import path

from . import views

app_name = "reviews"

urlpatterns = [
    path("products/<slug:slug>/reviews/", views.submit, name="submit"),
    path("reviews/r/<str:signed>/", views.request_page, name="request"),
    path("reviews/confirm/<str:signed>/", views.confirm, name="confirm"),
    path("reviews/unsubscribe/<str:signed>/", views.unsubscribe, name="unsubscribe"),
]
