from django.urls import path

from . import views

app_name = "giftcards"

urlpatterns = [
    path("giftcards/balance/", views.balance, name="balance"),
    path("account/giftcards/", views.account, name="account"),
    path("account/giftcards/redeem/", views.redeem, name="redeem"),
]
