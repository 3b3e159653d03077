from django.urls import path

from . import views

app_name = "vouchers"

urlpatterns = [
    path("cart/code/", views.cart_code, name="cart_code"),
    path("account/codes/", views.account_codes, name="account_codes"),
    path("account/codes/buy/<int:campaign_id>/", views.buy_code, name="buy_code"),
    path("account/codes/emails/", views.code_mails, name="code_mails"),
    path("codes/unsubscribe/<str:signed>/", views.unsubscribe, name="unsubscribe"),
    path("offers/<int:offer_id>/go/", views.offer_go, name="offer_go"),
    path("offers/partner-frame/<str:signed>/", views.partner_frame, name="partner_frame"),
]
