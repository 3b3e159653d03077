from django.urls import path

from . import views
from .feeds import NewOrdersFeed

app_name = "orders"

urlpatterns = [
    path("checkout/", views.checkout, name="checkout"),
    path("checkout/success/", views.success, name="success"),
]

urlpatterns += [
    path("account/orders/", views.account_orders, name="account_orders"),
    path("account/orders/<str:number>/", views.account_order, name="account_order"),
    path("account/orders/<str:number>/invoice/", views.account_invoice, name="account_invoice"),
    path(
        "account/orders/<str:number>/invoice.pdf",
        views.account_invoice_pdf,
        name="account_invoice_pdf",
    ),
    path(
        "account/orders/<str:number>/xrechnung.xml",
        views.account_invoice_xrechnung,
        name="account_invoice_xrechnung",
    ),
    path(
        "account/orders/<str:number>/credit-notes/<str:credit_number>.pdf",
        views.account_credit_note_pdf,
        name="account_credit_note_pdf",
    ),
    path(
        "account/orders/<str:number>/packing-slip/<int:shipment>.pdf",
        views.account_packing_slip,
        name="account_packing_slip",
    ),
    path("downloads/<str:token>/", views.download, name="download"),
    path("order-status/<str:signed>/", views.guest_status, name="guest_status"),
    path(
        "order-status/<str:signed>/invoice.pdf", views.guest_invoice_pdf, name="guest_invoice_pdf"
    ),
    path(
        "order-status/<str:signed>/credit-notes/<str:credit_number>.pdf",
        views.guest_credit_note_pdf,
        name="guest_credit_note_pdf",
    ),
    path("order-status/<str:signed>/withdraw/", views.guest_withdraw, name="guest_withdraw"),
    path("withdraw/", views.withdraw, name="withdraw"),
    path(
        "withdrawal-instructions/",
        views.withdrawal_instructions,
        name="withdrawal_instructions",
    ),
    path("withdraw/done/", views.withdraw_done, name="withdraw_done"),
    path("backoffice-feed/<str:token>/", NewOrdersFeed(), name="feed"),
]
