from django.urls import path

from donors import export_views, letter_views, mail_views, views

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
    # Letters, labels and envelopes (donors/letters.py): for those who send appeals.
    path("appeals/<int:pk>/letters/", letter_views.appeal_letters, name="appeal_letters"),
    path(
        "appeals/<int:pk>/letters.pdf", letter_views.appeal_letters_pdf, name="appeal_letters_pdf"
    ),
    path("appeals/<int:pk>/labels.pdf", letter_views.appeal_labels_pdf, name="appeal_labels_pdf"),
    path(
        "appeals/<int:pk>/envelopes.pdf",
        letter_views.appeal_envelopes_pdf,
        name="appeal_envelopes_pdf",
    ),
    path(
        "appeals/<int:pk>/letters/mailed/",
        letter_views.appeal_letters_mailed,
        name="appeal_letters_mailed",
    ),
    path("segments/<int:pk>/labels/", letter_views.segment_mailing, name="segment_mailing"),
    path(
        "segments/<int:pk>/labels.pdf", letter_views.segment_labels_pdf, name="segment_labels_pdf"
    ),
    path(
        "segments/<int:pk>/envelopes.pdf",
        letter_views.segment_envelopes_pdf,
        name="segment_envelopes_pdf",
    ),
]
