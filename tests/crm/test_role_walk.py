"""Every URL the project serves, walked as each role and as an anonymous visitor.

The expectations below are SPEC's role table written out page by page; they are kept apart
from common/roles.py on purpose, so that a wrong permission in the code fails here. The walk finds
the URLs itself (the URL resolver and the admin registry): a new model admin, admin URL,
admin action or page is walked automatically, and fails until this table says who may use it.
"""

from __future__ import annotations

import pytest
from anymail import urls as anymail_urls
from django.contrib import admin
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from common.roles import ADMINISTRATOR, BOARD_MEMBER, EVENT_ORGANIZER, STAFF
from tests import factories

ROLES = (ADMINISTRATOR, STAFF, BOARD_MEMBER, EVENT_ORGANIZER)
A, S, B, O = ROLES  # noqa: E741

# What each role may do with each model in the back office: v(iew) a(dd) c(hange) d(elete).
# A role absent from a model's entry may not see it at all.
ADMIN_ACCESS: dict[str, dict[str, str]] = {
    # Donors: Staff keep them; board members see the lists; organizers see who people are.
    "donors.donor": {A: "vacd", S: "vacd", B: "v", O: "v"},
    "donors.tag": {A: "vacd", S: "vacd", B: "v", O: "v"},
    # Name spelling variants for the duplicates page: kept by those who merge donors.
    "donors.namevariant": {A: "vacd", S: "vacd"},
    # Appeal emails and newsletters: Staff compose, test and send them (a change; never
    # deleted); board members see them and who each reached; organizers nothing. Suppressed
    # addresses: Staff add and lift them.
    "donors.mailing": {A: "vac", S: "vac", B: "v"},
    "donors.mailingrecipient": {A: "v", S: "v", B: "v"},
    "donors.emailsuppression": {A: "vad", S: "vad"},
    # Money: Staff keep it, board members see it, organizers never do.
    "donors.gift": {A: "vacd", S: "vacd", B: "v"},
    "donors.softcredit": {A: "vacd", S: "vacd", B: "v"},
    "donors.pledge": {A: "vacd", S: "vacd", B: "v"},
    "donors.recurringplan": {A: "vacd", S: "vacd", B: "v"},
    "donors.campaign": {A: "vacd", S: "vacd", B: "v"},
    "donors.fund": {A: "vacd", S: "vacd", B: "v"},
    # Appeals: Staff keep them; board members see them and their results (the appeal's page),
    # never change one; organizers see none.
    "donors.appeal": {A: "vacd", S: "vacd", B: "v"},
    # GlobalGiving's fetched figures: kept by the sync only, read by whoever sees giving.
    "donors.globalgivingfetch": {A: "v", S: "v", B: "v"},
    # The board: members see the roster and keep their own goals (add; change their own only,
    # proven in tests/donors; another member's goal opens read-only).
    "donors.boardmember": {A: "vacd", S: "vacd", B: "v"},
    "donors.boardgoal": {A: "vacd", S: "vacd", B: "va"},
    "donors.committee": {A: "vacd", S: "vacd", B: "v"},
    # Asks (prospects assigned to a board member) and tasks on donors: a board member sees
    # them all, adds their own and changes only their own (tests/donors/test_asks.py); an
    # organizer sees neither (an ask is money).
    "donors.ask": {A: "vacd", S: "vacd", B: "va"},
    "donors.task": {A: "vacd", S: "vacd", B: "va"},
    # Segments (saved donor searches): Staff build them; board members see them and their
    # counts; organizers see none (they are giving history).
    "donors.segment": {A: "vacd", S: "vacd", B: "v"},
    # Events: organizers and Staff run them; board members see events and their RSVPs.
    "events.event": {A: "vacd", S: "vacd", B: "v", O: "vacd"},
    "events.guestlist": {A: "vacd", S: "vacd", O: "vacd"},
    "events.invitation": {A: "vacd", S: "vacd", O: "vacd"},
    # RSVPs come from guests and the door: nobody adds one in the admin.
    "events.rsvp": {A: "vcd", S: "vcd", B: "v", O: "vcd"},
    # Tickets are money organizers may record (checks at the door), never edit or delete.
    "events.ticketpurchase": {A: "va", S: "va", B: "v", O: "va"},
    # Gifts at the event (paddle raise): Staff's money.
    "events.eventgift": {A: "va", S: "va", B: "v"},
    # Imports: who imported which file, read by Administrators and Staff, written by imports.
    # (An organizer opens the page and rejected rows of their own RSVP imports only, never a
    # donor or gift run: tests/events/test_rsvp_import_runs.py.)
    "donors.importrun": {A: "v", S: "v"},
    # Stripe's stored events: Staff see them and resolve those needing attention (a change).
    "donors.stripeevent": {A: "vc", S: "vc"},
    # Failed monthly payments (at risk, recovered, lost): written by Stripe's events only,
    # read by Administrators and Staff; board members see only the dashboard's figure.
    "donors.paymentfailure": {A: "v", S: "v"},
    # The failed-payment emails' words: Staff edit them; one row per email (no add, delete).
    "donors.dunningtemplate": {A: "vc", S: "vc"},
    # The organization profile: Administrators only; one row, never added twice nor deleted.
    "donors.organization": {A: "vc"},
    # Users and roles: Administrators only. Users join by invitation and are deactivated,
    # never added by hand nor deleted (their audit history names them).
    "auth.user": {A: "vc"},
    "auth.group": {A: "vacd"},
    # The audit trail: read by Administrators and Staff, written by nobody.
    "auditlog.logentry": {A: "v", S: "v"},
    # The task queue: Administrators.
    "django_q.schedule": {A: "vacd"},
    "django_q.success": {A: "vcd"},
    "django_q.failure": {A: "vcd"},
    "django_q.ormq": {A: "vcd"},
    # Receipts: Staff issue, void and replace ("c" allows only the actions: a receipt's page
    # is read-only for everyone); board members see them; nobody edits or deletes one.
    "compliance.receipt": {A: "vc", S: "vc", B: "v"},
    # The IRS's yearly limits: Staff add each new year; board members see them.
    "compliance.benefitlimit": {A: "vacd", S: "vac", B: "v"},
    # The words of the emails: Staff edit them; each key exists once (no add or delete).
    "compliance.emailtemplate": {A: "vacd", S: "vc"},
    # Year-end statements like receipts; Staff start the background batches (a whole
    # year's receipts or statements).
    "compliance.yearendstatement": {A: "vc", S: "vc", B: "v"},
    "compliance.issuebatch": {A: "va", S: "va"},
    # The Schedule B rule: Staff (finance) keep it; one row, never deleted (added once).
    # Board members see it, and the annual summary (a report) that hangs from it.
    "compliance.filingprofile": {A: "vc", S: "vc", B: "v"},
    # The filings calendar: Staff keep it; board members see it.
    "compliance.compliancedeadline": {A: "vacd", S: "vacd", B: "v"},
    # Thank-you letters (not tax receipts): written by an action, read-only for everyone.
    "compliance.thankyouletter": {A: "v", S: "v", B: "v"},
}

# Which letter each admin page needs; "audit" pages also need the audit trail (A and S).
ADMIN_PAGES = {
    "changelist": "v",
    "add": "a",
    "change": "v",
    "history": "v",
    "delete": "d",
    "auditlog": "audit",
}
AUDIT_READERS = {A, S}
# Model admin pages beyond the standard ones: URL name -> (model, letter needed).
EXTRA_MODEL_PAGES = {
    "admin:auth_user_password_change": ("auth.user", "c"),
    # Inviting a colleague by email, with a role.
    "admin:auth_user_invite": ("auth.user", "c"),
    "admin:compliance_receipt_pdf": ("compliance.receipt", "v"),
    "admin:compliance_yearendstatement_pdf": ("compliance.yearendstatement", "v"),
    "admin:compliance_annual_summary": ("compliance.filingprofile", "v"),
    # Imports (django-import-export's upload and preview): whoever may add the records.
    "admin:donors_donor_import": ("donors.donor", "a"),
    "admin:donors_gift_import": ("donors.gift", "a"),
    # RSVPs come in through the RSVP services: whoever may change RSVPs (organizers, Staff).
    "admin:events_rsvp_import": ("events.rsvp", "c"),
    # Duplicate donors: merging deletes one of the two, so it needs change and delete.
    "admin:donors_donor_duplicates": ("donors.donor", "d"),
    # A mailing's preview (seen by whoever sees mailings) and its send confirmation (senders).
    "admin:donors_mailing_preview": ("donors.mailing", "v"),
    "admin:donors_mailing_send": ("donors.mailing", "c"),
    # The rows an import skipped, with their errors: whoever sees the import runs.
    "admin:donors_importrun_rejected": ("donors.importrun", "v"),
    # A segment's count as the builder is filled in (JSON): whoever sees segments.
    "admin:donors_segment_count": ("donors.segment", "v"),
}

# Admin actions in the changelist's menu, by the letter they need.
ADMIN_ACTIONS = {
    "delete_selected": "d",
    "refresh_figures": "c",
    "resubmit_task": "c",
    "send_invitations": "c",
    "send_invitations_with_organizations": "c",
    "issue_receipts": "c",
    "void_receipts": "c",
    "replace_receipts": "c",
    "send_receipts": "c",
    "sync_with_gifts": "c",
    "mark_resolved": "c",
    "send_statements": "c",
    "send_thank_you_letters": "c",
    # Users: sign-in, second factor, active flag and role, each an audited change.
    "unlock_sign_in": "c",
    "invite_again": "c",
    "reset_two_factor": "c",
    "deactivate": "c",
    "make_administrator": "c",
    "make_staff": "c",
    "make_board_member": "c",
    "make_event_organizer": "c",
    # Donor and gift lists out: Staff and board members (never event organizers).
    "export_csv": "export",
    "export_xlsx": "export",
    # RSVP lists out (no money in them): whoever sees RSVPs, event organizers included.
    "export_rsvps_csv": "v",
    "export_rsvps_xlsx": "v",
}
EXPORTERS = {A, S, B}

# Pages outside the model admins, by URL name: who gets 200, and what anyone else gets.
LOGGED_IN = set(ROLES)
SITE_PAGES = {
    "home": {"roles": LOGGED_IN | {None}, "ok": 302},
    "healthz": {"roles": LOGGED_IN | {None}, "ok": 200},
    "admin:index": {"roles": LOGGED_IN},
    # The same page (/admin/): the staff home on top of the admin's index, its cards by role
    # (tests/crm/test_staff_home.py).
    "staff_home": {"roles": LOGGED_IN},
    "admin:login": {"roles": {None}, "ok": 200, "others": 302},
    "admin:password_change": {"roles": LOGGED_IN},
    # The same address, served by crm's view (the password saved through the service).
    "own_password_change": {"roles": LOGGED_IN},
    "admin:password_change_done": {"roles": LOGGED_IN},
    "admin:jsi18n": {"roles": LOGGED_IN},
    # Public: the donation page and its thank-you page.
    "donate": {"roles": LOGGED_IN | {None}, "ok": 200},
    "donate_thanks": {"roles": LOGGED_IN | {None}, "ok": 200},
    # Public: Stripe posts signed events here; a GET is refused the same for everyone.
    "stripe_webhook": {"roles": LOGGED_IN | {None}, "ok": 405},
    # Public: anyone holding a receipt checks it (initials only; rate-limited).
    "receipt_verify": {"roles": LOGGED_IN | {None}, "ok": 200, "args": "receipt_code"},
    # Public: the card-update link of a failed-payment email (a signed token, no sign-in).
    "my_card_update": {"roles": LOGGED_IN | {None}, "ok": 200, "args": "card_token"},
    # The board's dashboard and donor lists: whoever sees giving; never event organizers.
    "dashboard": {"roles": {A, S, B}},
    "dashboard_lybunt": {"roles": {A, S, B}},
    "dashboard_sybunt": {"roles": {A, S, B}},
    # Taking donor lists out of the back office: Administrators and Staff.
    "dashboard_lybunt_csv": {"roles": {A, S}},
    "dashboard_sybunt_csv": {"roles": {A, S}},
    # The exports a user asked for (each sees their own; Administrators everyone's).
    "export_jobs": {"roles": LOGGED_IN},
    # A board member's own page (their goals): board members (and Administrators).
    "dashboard_me": {"roles": {A, B}},
    # The thank-you queue: whoever keeps gifts (Administrators and Staff).
    "thanks_queue": {"roles": {A, S}},
    # Printing an appeal's letters, labels and envelopes, and marking them mailed: those who
    # send appeals; board members see appeals' results in the admin, never print (403).
    "appeal_letters": {"roles": {A, S}, "args": "appeal"},
    "appeal_letters_pdf": {"roles": {A, S}, "args": "appeal"},
    "appeal_labels_pdf": {"roles": {A, S}, "args": "appeal"},
    "appeal_envelopes_pdf": {"roles": {A, S}, "args": "appeal"},
    "appeal_letters_mailed": {"roles": {A, S}, "args": "appeal"},
    # A segment's labels and envelopes: those who build segments.
    "segment_mailing": {"roles": {A, S}, "args": "segment"},
    "segment_labels_pdf": {"roles": {A, S}, "args": "segment"},
    "segment_envelopes_pdf": {"roles": {A, S}, "args": "segment"},
    # "My tasks": the tasks someone owns, whoever they are (an empty list for most).
    "dashboard_tasks": {"roles": LOGGED_IN},
    # "My events": every role that sees events (an organizer sees only the events they run:
    # tests/events/test_my_events.py).
    "my_events": {"roles": LOGGED_IN},
    # Signing in: setting up the second factor is open to every login (required or offered).
    "two_factor_setup": {"roles": LOGGED_IN},
    # Password reset by email: asked for without signing in.
    "admin_password_reset": {"roles": LOGGED_IN | {None}, "ok": 200},
    "password_reset_done": {"roles": LOGGED_IN | {None}, "ok": 200},
    "password_reset_complete": {"roles": LOGGED_IN | {None}, "ok": 200},
    # The donor's own page: asking for a sign-in link is public; the page itself answers a
    # donor session only (its own cookie, never a login): every role and anonymous visitors
    # are sent to the sign-in page. A donor session's own walk: test_a_donor_session_…
    "my_sign_in": {"roles": LOGGED_IN | {None}, "ok": 200},
    "my_home": {"roles": LOGGED_IN | {None}, "ok": 302},
    "my_details": {"roles": LOGGED_IN | {None}, "ok": 302},
}
# Pages walked elsewhere, with the reason.
NOT_WALKED = {
    "admin:logout": "POST only; logging out is not a permission",
    "admin:view_on_site": "redirects to the public page of an event or invitation; public",
    # Event pages take a slug or token: walked as every role in tests/events/test_pages_roles.py.
    "event_public": "public, per event: tests/events/test_pages_roles.py",
    "rsvp_invitation": "public, per token: tests/events/test_rsvp.py",
    "event_rsvp_confirm": "public, per emailed link: tests/events/test_public_rsvp_privacy.py",
    "event_tickets_buy": "public POST, per event: tests/events/test_ticket_checkout.py",
    "event_tickets_thanks": "public, per event: tests/events/test_pages_roles.py",
    "event_calendar": "public, per event: tests/events/test_pages_roles.py",
    "event_check_in": "per event: tests/events/test_pages_roles.py",
    "event_check_in_search": "per event: tests/events/test_pages_roles.py",
    "event_check_in_party": "POST, per RSVP: tests/events/test_check_in.py",
    "event_walk_in": "POST, per event: tests/events/test_check_in.py",
    "event_check_in_scan": "POST, per event: tests/events/test_pages_roles.py",
    "event_invite": "per event: tests/events/test_pages_roles.py",
    "event_summary": "per event: tests/events/test_pages_roles.py",
    "event_attendees_csv": "per event: tests/events/test_pages_roles.py",
    "event_attendees_xlsx": "per event: tests/events/test_pages_roles.py",
    "event_door_list_pdf": "per event: tests/events/test_pages_roles.py",
    # The seating chart: organizers of the event, Staff and Administrators (GET and its POST,
    # tests/events/test_seating.py); the cards and badges as the door list.
    "event_seating": "per event: tests/events/test_pages_roles.py",
    "event_place_cards_pdf": "per event: tests/events/test_pages_roles.py",
    "event_badges_pdf": "per event: tests/events/test_pages_roles.py",
    "admin:autocomplete": "needs query parameters: test_autocomplete_answers_only_roles_…",
    "admin:donors_donor_process_import": "POST only: tests/donors/test_import_admin.py",
    "admin:donors_gift_process_import": "POST only: tests/donors/test_import_admin.py",
    "admin:events_rsvp_process_import": "POST only: tests/events/test_rsvp_import_export.py",
    "admin:donors_donor_merge": "needs two donors: tests/donors/test_duplicates.py",
    # A background export's page and file: the requester and Administrators only (404 for
    # anyone else), walked per role in tests/donors/test_background_exports.py.
    "export_job": "per export: tests/donors/test_background_exports.py",
    "export_job_download": "per export: tests/donors/test_background_exports.py",
    "admin:donors_donor_not_duplicates": "POST only: tests/donors/test_duplicates.py",
    # A segment's donors through the donor export: whoever sees segments and exports donors.
    "admin:donors_segment_export": "POST only, per segment: tests/donors/test_segments.py",
    # Moving one's own ask on, marking one's own task done: POST only, per record.
    "dashboard_ask_move": "POST only, per ask: tests/crm/test_my_asks.py",
    "dashboard_task_done": "POST only, per task: tests/crm/test_my_asks.py",
    # Thanking one gift from the queue: per gift, walked per role in
    # tests/crm/test_thanks_queue.py.
    "thanks_email": "POST only, per gift: tests/crm/test_thanks_queue.py",
    "thanks_mark": "per gift: tests/crm/test_thanks_queue.py",
    # Signing in: per user and per link, walked in tests/crm/test_signin.py and test_users.py.
    "two_factor_verify": "needs an enrolled user: tests/crm/test_signin.py",
    "two_factor_backup_codes": "POST only: tests/crm/test_signin.py",
    "password_reset_confirm": "per link: tests/crm/test_signin.py",
    "invite_accept": "per link: tests/crm/test_users.py",
    # The donor's own page: per link, per document or plan of the donor signed in, or POST.
    "my_sign_in_link": "per emailed link: tests/crm/test_my_page.py",
    "my_sign_out": "POST only: tests/crm/test_my_page.py",
    "my_receipt_pdf": "the donor's own receipts only: tests/crm/test_my_page.py",
    "my_statement_pdf": "the donor's own statements only: tests/crm/test_my_page.py",
    "my_plan_amount": "POST only, per plan: tests/crm/test_my_page.py",
    "my_plan_pause": "POST only, per plan: tests/crm/test_my_page.py",
    "my_plan_resume": "POST only, per plan: tests/crm/test_my_page.py",
    "my_plan_cancel": "POST only, per plan: tests/crm/test_my_page.py",
    "my_plan_card": "POST only, per plan: tests/crm/test_my_page.py",
    # Mailings: the test send is a POST by senders; the unsubscribe link is public, per token.
    "admin:donors_mailing_test": "POST only: tests/donors/test_mailings.py",
    "email_unsubscribe": "public, per token: tests/donors/test_mailings.py",
}
# The email provider's tracking webhooks (django-anymail): public POSTs with the webhook's
# basic-auth secret, tests/donors/test_mailings.py.
NOT_WALKED.update(
    {
        f"anymail:{pattern.name}": "provider POST with basic auth: tests/donors/test_mailings.py"
        for pattern in anymail_urls.urlpatterns
        if pattern.name.endswith("_tracking_webhook")
    }
)


def _walk(patterns, namespace=None):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = entry.namespace or namespace
            yield from _walk(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}:{entry.name}" if namespace else entry.name


def all_url_names() -> set[str]:
    return set(_walk(get_resolver().url_patterns))


def _label(model) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


def _letters(role, label) -> str:
    return ADMIN_ACCESS[label].get(role, "")


def _allowed(role, label, need) -> bool:
    letters = _letters(role, label)
    if need == "audit":
        return role in AUDIT_READERS and "v" in letters
    if need == "export":
        return role in EXPORTERS and "v" in letters
    if need == "v":
        return "v" in letters or "c" in letters
    return need in letters


@pytest.fixture
def walk(role_users):
    from events.models import Event

    factories.make_one_of_everything()
    # Organizers see only the events they run (tests/events/test_organizer_privacy.py): the
    # walk's organizer runs the one made here.
    for event in Event.objects.all():
        event.organizers.add(role_users[EVENT_ORGANIZER])
    clients = {None: Client()}
    for role, user in role_users.items():
        client = Client()
        client.force_login(user)
        clients[role] = client
    return clients


def _get(client, url):
    return client.get(url)


def _assert_refused(response, role, url):
    if role is None:
        assert response.status_code == 302, (url, response.status_code)
        assert response["Location"].startswith(reverse("admin:login")), url
    else:
        assert response.status_code in (403, 404), (role, url, response.status_code)


@pytest.mark.django_db
def test_every_url_is_classified():
    names = all_url_names()
    model_names = set()
    for model in admin.site._registry:
        label = _label(model)
        assert label in ADMIN_ACCESS, f"{label} has an admin but no line in ADMIN_ACCESS"
        for page in ADMIN_PAGES:
            model_names.add(f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}")
    app_list = {"admin:app_list"}
    unknown = (
        names - model_names - set(EXTRA_MODEL_PAGES) - set(SITE_PAGES) - set(NOT_WALKED) - app_list
    )
    assert not unknown, f"URLs nobody has classified for the role walk: {sorted(unknown)}"


def test_model_admin_pages_as_every_role(walk):
    names = all_url_names()
    checked = 0
    for model in admin.site._registry:
        label = _label(model)
        obj = model._default_manager.first()
        assert obj is not None, f"factories.make_one_of_everything() makes no {label}"
        pages = [
            (f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}", page, need)
            for page, need in ADMIN_PAGES.items()
        ] + [
            (name, "extra", need) for name, (lbl, need) in EXTRA_MODEL_PAGES.items() if lbl == label
        ]
        for name, page, need in pages:
            if name not in names:
                continue
            args = [] if page in ("changelist", "add") else [obj.pk]
            try:
                url = reverse(name, args=args)
            except NoReverseMatch:  # an extra page of the whole model (import, export)
                url = reverse(name)
            for role, client in walk.items():
                response = client.get(url)
                if role is not None and _allowed(role, label, need):
                    assert response.status_code == 200, (role, url, response.status_code)
                else:
                    _assert_refused(response, role, url)
                checked += 1
    assert checked > 100


def _offered_actions(client, url) -> set[str]:
    response = client.get(url)
    assert response.status_code == 200, url
    action_form = response.context.get("action_form")
    if not action_form:
        return set()
    return {value for value, _ in action_form.fields["action"].choices if value}


def test_admin_actions_offered_only_to_roles_allowed_them(walk):
    for model in admin.site._registry:
        label = _label(model)
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        every_action = _offered_actions(walk[ADMINISTRATOR], url)
        for action in every_action:
            assert action in ADMIN_ACTIONS, f"{label} action {action!r} is not classified"
        for role in ROLES:
            if not _allowed(role, label, "v"):
                continue
            expected = {a for a in every_action if _allowed(role, label, ADMIN_ACTIONS[a])}
            assert _offered_actions(walk[role], url) == expected, (role, label)


def test_admin_app_pages_as_every_role(walk):
    apps = {model._meta.app_label for model in admin.site._registry}
    for app_label in apps:
        url = reverse("admin:app_list", args=[app_label])
        labels = [_label(m) for m in admin.site._registry if m._meta.app_label == app_label]
        for role, client in walk.items():
            response = client.get(url)
            if role is not None and any(_letters(role, label) for label in labels):
                assert response.status_code == 200, (role, url)
            else:
                _assert_refused(response, role, url)


def _letters_appeal():
    """An appeal whose letters print: a segment and letter text (made here when the walk's
    records hold none)."""
    from donors.models import Appeal, Campaign, Segment

    appeal = Appeal.objects.filter(segment__isnull=False).exclude(letter_body="").first()
    if appeal is None:
        segment = Segment.objects.create(name="Walk: everyone", definition={})
        appeal = Appeal.objects.create(
            name="Walk: letter", code="WALK-LETTER", campaign=Campaign.objects.first(),
            segment=segment, channel="letter", letter_body="Dear {{ salutation }}, please give.",
        )  # fmt: skip
    return appeal


def _site_page_args(rule) -> list[str]:
    from compliance.models import Receipt

    if rule.get("args") == "appeal":
        return [_letters_appeal().pk]
    if rule.get("args") == "segment":
        return [_letters_appeal().segment_id]
    if rule.get("args") == "card_token":
        from donors.dunning import card_token
        from donors.models import RecurringPlan

        return [card_token(RecurringPlan.objects.exclude(stripe_subscription_id=None).first())]
    if rule.get("args") == "receipt_code":
        return [Receipt.objects.values_list("verification_code", flat=True).first()]
    return []


def test_site_pages_as_every_role(walk):
    for name, rule in SITE_PAGES.items():
        url = reverse(name, args=_site_page_args(rule))
        for role, client in walk.items():
            response = client.get(url)
            if role in rule["roles"]:
                assert response.status_code == rule.get("ok", 200), (role, url)
            elif role is not None and "others" in rule:
                assert response.status_code == rule["others"], (role, url)
            else:
                _assert_refused(response, role, url)


def test_a_donor_session_gets_its_own_page_and_nothing_else(walk):
    """A donor signed in on /my/ (the emailed link) is an anonymous visitor everywhere else:
    every site page and every model admin page answers it as it answers nobody."""
    from crm import donor_access
    from donors.models import DonorEmail

    email = DonorEmail.objects.order_by("pk").first()
    _session, key = donor_access.donor_session_start(donor=email.donor)
    donor = Client()
    donor.cookies["msp_donor"] = key
    assert donor.get(reverse("my_home")).status_code == 200
    assert donor.get(reverse("my_details")).status_code == 200
    anonymous = walk[None]
    urls = [reverse(name, args=_site_page_args(rule)) for name, rule in SITE_PAGES.items()]
    for model in admin.site._registry:
        urls.append(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"))
    for url in urls:
        if url.startswith("/my/"):
            continue
        mine, nobodys = donor.get(url), anonymous.get(url)
        assert mine.status_code == nobodys.status_code, url
        assert mine.get("Location") == nobodys.get("Location"), url


def test_autocomplete_answers_only_roles_that_see_donors(walk):
    url = reverse("admin:autocomplete") + (
        "?app_label=donors&model_name=gift&field_name=donor&term=Khan"
    )
    for role, client in walk.items():
        response = client.get(url)
        if role is not None and _allowed(role, "donors.donor", "v"):
            assert response.status_code == 200, role
            assert response.json()["results"], role
        else:
            _assert_refused(response, role, url)


def test_an_organizer_of_no_event_gets_404_for_every_event_record_and_page(walk):
    """Organizers see only the events they run: one who runs none gets a 404 (never the
    event's name) for each events record the walk's organizer may open, and for each of the
    event's own pages."""
    from events.models import Event

    stranger = Client()
    stranger.force_login(factories.make_user("olga", EVENT_ORGANIZER))
    checked = 0
    for model in admin.site._registry:
        label = _label(model)
        if model._meta.app_label != "events" or not _letters(O, label):
            continue
        obj = model._default_manager.first()
        for page in ("change", "history", "delete"):
            url = reverse(f"admin:events_{model._meta.model_name}_{page}", args=[obj.pk])
            assert walk[O].get(url).status_code == 200 or page == "delete", url
            assert stranger.get(url).status_code == 404, url
            checked += 1
    event = Event.objects.first()
    for name in ("event_check_in", "event_check_in_search", "event_invite", "event_summary",
                 "event_attendees_csv", "event_attendees_xlsx", "event_door_list_pdf",
                 "event_seating", "event_place_cards_pdf", "event_badges_pdf"):  # fmt: skip
        url = reverse(name, args=[event.slug])
        assert walk[O].get(url).status_code == 200, url
        response = stranger.get(url)
        assert response.status_code == 404 and event.name.encode() not in response.content, url
        checked += 1
    assert checked >= 20
