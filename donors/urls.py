from django.urls import path

from donors import export_views, mail_views, views

urlpatterns = [
    path("donate/", views.donate, name="donate"),
    path("donate/thanks/", views.donate_thanks, name="donate_thanks"),
    # The link in a failed-payment email (under /my/, the donor's own pages).
    path("my/card/<str:token>/", views.card_update, name="my_card_update"),
    path("stripe/webhook/", views.stripe_webhook, name="stripe_webhook"),
    # The unsubscribe link of appeal emails and newsletters (and RFC 8058's one-click POST).
    path("unsubscribe/<str:token>/", mail_views.unsubscribe, name="email_unsubscribe"),
    path("exports/", export_views.export_jobs_page, name="export_jobs"),
    path("exports/<int:job_id>/", export_views.export_job_page, name="export_job"),
    path(
        "exports/<int:job_id>/download/",
        export_views.export_job_download,
        name="export_job_download",
    ),
]
