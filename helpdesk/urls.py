from django.urls import path

from . import views

app_name = "helpdesk"

urlpatterns = [
    path("contact/", views.contact, name="contact"),
    path(
        "helpdesk/orders/<str:number>/new/",
        views.start_order_thread,
        name="order_thread_start",
    ),
    path("helpdesk/threads/", views.account_threads, name="account_threads"),
    path("helpdesk/threads/<int:pk>/", views.account_thread, name="account_thread"),
    path(
        "helpdesk/threads/<int:pk>/files/<int:attachment_id>/",
        views.account_attachment,
        name="account_attachment",
    ),
    path("helpdesk/t/<str:signed>/", views.guest_thread, name="guest_thread"),
    path(
        "helpdesk/t/<str:signed>/files/<int:attachment_id>/",
        views.guest_attachment,
        name="guest_attachment",
    ),
]
