from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from compliance import views as compliance_views
from crm import account_views, asks_views, dashboard_views, thanks_views, views

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
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("", include("events.urls")),
    path("", include("donors.urls")),
    path(
        "receipts/verify/<str:code>/",
        compliance_views.receipt_verify,
        name="receipt_verify",
    ),
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
