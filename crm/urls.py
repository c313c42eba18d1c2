from anymail import urls as anymail_urls
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from compliance import views as compliance_views
from crm import (
    account_views,
    asks_views,
    dashboard_views,
    home_views,
    my_views,
    thanks_views,
    views,
)

admin.site.site_header = "Back office"
admin.site.site_title = "Back office"
admin.site.index_title = "Donors, gifts and the board"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False), name="home"),
    path("account/two-factor/", account_views.two_factor_setup, name="two_factor_setup"),
    path("account/two-factor/verify/", account_views.two_factor_verify, name="two_factor_verify"),
    path(
        "account/two-factor/backup-codes/",
        account_views.two_factor_backup_codes,
        name="two_factor_backup_codes",
    ),
    path(
        "account/invite/<uidb64>/<token>/",
        account_views.InviteAcceptView.as_view(),
        name="invite_accept",
    ),
    # The admin's login page links to the reset by this name.
    path(
        "account/password-reset/",
        account_views.PasswordResetView.as_view(),
        name="admin_password_reset",
    ),
    path(
        "account/password-reset/sent/",
        account_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "account/reset/<uidb64>/<token>/",
        account_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "account/reset/done/",
        account_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    # Before the admin's own: the same page, saving the password through the service.
    path(
        "admin/password_change/",
        admin.site.admin_view(account_views.OwnPasswordChangeView.as_view()),
        name="own_password_change",
    ),
    # The back office's first page: the admin's index with today's work on top.
    path("admin/", admin.site.admin_view(home_views.staff_home), name="staff_home"),
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    # The email provider's tracking webhooks (bounces, complaints), parsed by django-anymail:
    # /anymail/<provider>/tracking/ (its inbound-mail webhooks are not served).
    path(
        "anymail/",
        include(
            (
                [p for p in anymail_urls.urlpatterns if p.name.endswith("_tracking_webhook")],
                "anymail",
            )
        ),
    ),
    path("", include("events.urls")),
    path("", include("donors.urls")),
    path(
        "receipts/verify/<str:code>/",
        compliance_views.receipt_verify,
        name="receipt_verify",
    ),
    # The donor's own page (signed in by an emailed link; crm.donor_access).
    path("my/", my_views.home, name="my_home"),
    path("my/sign-in/", my_views.sign_in, name="my_sign_in"),
    path("my/sign-in/<str:token>/", my_views.sign_in_link, name="my_sign_in_link"),
    path("my/sign-out/", my_views.sign_out, name="my_sign_out"),
    path("my/details/", my_views.details, name="my_details"),
    path("my/receipts/<int:pk>.pdf", my_views.receipt_download, name="my_receipt_pdf"),
    path("my/statements/<int:pk>.pdf", my_views.statement_download, name="my_statement_pdf"),
    path("my/monthly/<int:pk>/amount/", my_views.plan_amount, name="my_plan_amount"),
    path("my/monthly/<int:pk>/pause/", my_views.plan_pause, name="my_plan_pause"),
    path("my/monthly/<int:pk>/resume/", my_views.plan_resume, name="my_plan_resume"),
    path("my/monthly/<int:pk>/cancel/", my_views.plan_cancel, name="my_plan_cancel"),
    path("my/monthly/<int:pk>/card/", my_views.plan_card, name="my_plan_card"),
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("dashboard/me/", dashboard_views.my_board_page, name="dashboard_me"),
    path("dashboard/me/asks/<int:pk>/move/", asks_views.ask_move_on, name="dashboard_ask_move"),
    path("dashboard/tasks/", asks_views.my_tasks, name="dashboard_tasks"),
    path("dashboard/tasks/<int:pk>/done/", asks_views.task_done, name="dashboard_task_done"),
    path("dashboard/lybunt/", dashboard_views.lybunt_list, name="dashboard_lybunt"),
    path("dashboard/sybunt/", dashboard_views.sybunt_list, name="dashboard_sybunt"),
    path("dashboard/lybunt.csv", dashboard_views.lybunt_csv, name="dashboard_lybunt_csv"),
    path("dashboard/sybunt.csv", dashboard_views.sybunt_csv, name="dashboard_sybunt_csv"),
    path("thanks/", thanks_views.thanks_queue, name="thanks_queue"),
    path("thanks/<int:pk>/email/", thanks_views.thank_by_email, name="thanks_email"),
    path("thanks/<int:pk>/mark/", thanks_views.mark_thanked, name="thanks_mark"),
]
