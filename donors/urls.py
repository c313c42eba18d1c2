from django.urls import path

from donors import views

urlpatterns = [
    path("donate/", views.donate, name="donate"),
    path("donate/thanks/", views.donate_thanks, name="donate_thanks"),
    path("stripe/webhook/", views.stripe_webhook, name="stripe_webhook"),
]
