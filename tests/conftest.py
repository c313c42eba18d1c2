import pytest
from django.db import connection

from common import roles
from tests import factories

# The `browser` fixture of the Playwright tests (Chromium, failing on any CSP violation).
pytest_plugins = ["tests.browser"]


def pytest_report_header(config):
    from django.conf import settings

    return f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}"


@pytest.fixture(autouse=True)
def _cache_in_memory(settings):
    # The shared cache is a database table (or Redis) in the product; tests in this process
    # use one in memory so that clearing it needs no database. Tests that start the app as a
    # separate process (tests/processes.py) get the real one.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.fixture(autouse=True)
def _tasks_run_inline(settings, monkeypatch):
    # django-q2 tasks run in-process in tests: a task's effect is visible when the call returns.
    # django-q2 copies Q_CLUSTER into its Conf class once, at import: patch that copy too.
    from django_q.conf import Conf

    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "sync": True}
    monkeypatch.setattr(Conf, "SYNC", True)


@pytest.fixture(autouse=True)
def _email_through_suppressions(settings):
    # pytest-django sets EMAIL_BACKEND to locmem; the product's email always passes the
    # suppression wrapper (donors/mail_backend.py), so tests keep it around locmem's outbox.
    settings.EMAIL_BACKEND = "donors.mail_backend.SuppressingBackend"
    settings.EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server (aiosmtpd) on a free local port, the app's email sent through it:
    ``smtp_server.messages`` holds what arrived."""
    from tests.mail_server import MailServer

    server = MailServer().start()
    settings.EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _one_door_strict(settings):
    # A write around the services during a request, task or command fails the test.
    settings.ONE_DOOR_STRICT = True


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Rate limits count in the cache: each test starts with none used.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _organization_forgotten():
    # Organization.current() remembers the profile for the process; each test's database
    # starts (and is rolled back) without it.
    from donors.models.organization import organization_forget

    organization_forget()
    yield
    organization_forget()


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://... (see README)")


@pytest.fixture
def organization(db):
    return factories.make_organization()


@pytest.fixture
def administrator(db):
    return factories.make_user("alice", roles.ADMINISTRATOR)


@pytest.fixture
def staff(db):
    return factories.make_user("bob", roles.STAFF)


@pytest.fixture
def board(db):
    return factories.make_user("charlie", roles.BOARD_MEMBER)


@pytest.fixture
def organizer(db):
    return factories.make_user("dana", roles.EVENT_ORGANIZER)


@pytest.fixture
def role_users(administrator, staff, board, organizer):
    return {
        roles.ADMINISTRATOR: administrator,
        roles.STAFF: staff,
        roles.BOARD_MEMBER: board,
        roles.EVENT_ORGANIZER: organizer,
    }


@pytest.fixture(scope="session")
def stripe_peer():
    """localstripe on 127.0.0.1, one per test process."""
    from tests.stripe_peer import Peer

    peer = Peer().start()
    yield peer
    peer.stop()


@pytest.fixture
def stripe_on(settings, stripe_peer, organization):
    """The app pointed at the local Stripe peer, with its webhook secret."""
    from tests.stripe_peer import API_KEY, WEBHOOK_SECRET

    settings.STRIPE_SECRET_KEY = API_KEY
    settings.STRIPE_API_BASE = stripe_peer.url
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_localpeer"
    return stripe_peer
