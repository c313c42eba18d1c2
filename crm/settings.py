"""Settings for the back office: one file, read from environment variables.

Every variable has a working default for the quick start (SQLite file, console email, the
django-q2 ORM broker); a value that cannot be understood stops start-up with its name.
"""

from datetime import timedelta
from pathlib import Path
from secrets import token_urlsafe

from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from crm.env import (
    env_bool,
    env_choice,
    env_database,
    env_email,
    env_int,
    env_list,
    env_redis_url,
    env_str,
    env_time_zone,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=True)
_DEV_SECRET = "dev-only-insecure-key-set-SECRET_KEY-in-production"
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET)
if not DEBUG and (SECRET_KEY == _DEV_SECRET or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of at least 50 characters when DEBUG is off."
    )
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must name the site's host(s) when DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# How many reverse proxies (load balancer, nginx) stand between the internet and the app.
# Rate limits and sign-in lockouts count the client address each of them vouches for in
# X-Forwarded-For; with 0 that header is ignored and the connecting address is the client.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    "auditlog",
    "django_q",
    "import_export",
    "phonenumber_field",
    "django_countries",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    # Email providers' tracking webhooks (bounces, complaints): /anymail/<provider>/tracking/.
    "anymail",
    "crm",
    "donors",
    "events",
    "compliance",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "crm.limits.RequestSizeMiddleware",
    "csp.middleware.CSPMiddleware",
    "crm.headers.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "crm.signin.IdleTimeoutMiddleware",
    "crm.signin.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    # Every request is watched: a write outside a service is a defect (common/door.py).
    "common.door.DoorMiddleware",
    # Last, so it sees the answer of the login view and turns a locked-out attempt into its page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "crm.urls"
WSGI_APPLICATION = "crm.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several writers (web, task cluster) share the file: wait for the lock instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = 60
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # A database host that does not answer fails requests (and /healthz) in seconds, not never.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"
# Where a sign-in lands when its `next` is missing or points off the site.
LOGIN_REDIRECT_URL = "admin:index"
# django-axes checks every sign-in first: a locked-out account or address is refused before its
# password is even compared.
AUTHENTICATION_BACKENDS = [
    "crm.signin.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Sign-in (README "Signing in"). Two-factor authentication (an authenticator app, TOTP) is
# required for Administrators, Staff and Board members on every signed-in page whenever it is
# on, and it is on unless DEBUG is: the quick start's demo logins get in with a password alone.
TWO_FACTOR_REQUIRED = env_bool("TWO_FACTOR_REQUIRED", default=not DEBUG)
# The name authenticator apps show for this site.
OTP_TOTP_ISSUER = "MSP back office"
# Failed sign-ins before an account, or an address, is locked out; and for how long (0: until
# an Administrator unlocks it in Users).
AXES_FAILURE_LIMIT = env_int("SIGNIN_LOCKOUT_FAILURES", 5, minimum=1)
_lockout_minutes = env_int("SIGNIN_LOCKOUT_MINUTES", 60)
AXES_COOLOFF_TIME = timedelta(minutes=_lockout_minutes) if _lockout_minutes else None
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# The same client address the public forms' rate limits use (donors.ratelimit.client_ip, and
# the same trust in proxies).
AXES_CLIENT_IP_CALLABLE = "crm.signin.signin_client_ip"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# Lockouts are lifted with the audited "Unlock sign-in" action on Users, not by deleting records.
AXES_ENABLE_ADMIN = False
# A signed-in page left alone this long signs its user out.
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30, minimum=1)
# The donors' own page (/my/): an emailed sign-in link works once, for this many minutes; a
# donor's session left alone this long is signed out (crm.donor_access).
MY_LINK_MINUTES = env_int("MY_LINK_MINUTES", 30, minimum=1)
MY_SESSION_IDLE_MINUTES = env_int("MY_SESSION_IDLE_MINUTES", 120, minimum=1)
# Invitation and password-reset links work once, for this long.
PASSWORD_RESET_TIMEOUT = env_int("SIGNIN_LINK_HOURS", 72, minimum=1) * 3600

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_time_zone("TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# The site's own scripts and styles (static/<app>/...), beside templates/<app>/...
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# In development WhiteNoise serves straight from the apps' static folders (no collectstatic).
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = BASE_DIR / "media"
MEDIA_URL = "/media/"

_email = env_email("EMAIL_URL", "console://")
# Every email of the product goes through the suppression wrapper (donors/mail_backend.py): an
# address that bounced, complained or staff suppressed gets nothing, an unsubscribed one no bulk
# mail; it hands the rest to the backend EMAIL_URL chose.
EMAIL_BACKEND = "donors.mail_backend.SuppressingBackend"
EMAIL_DELIVERY_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST") or "localhost"
EMAIL_PORT = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = bool(_email.get("EMAIL_USE_TLS"))
EMAIL_USE_SSL = bool(_email.get("EMAIL_USE_SSL"))
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "MSP <office@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Appeals and newsletters are sent by the task queue this many messages to a batch (one SMTP
# connection each).
MAILING_BATCH_SIZE = env_int("MAILING_BATCH_SIZE", 200, minimum=1)
# The email provider's tracking webhook (bounces, complaints; django-anymail) authenticates by
# HTTP basic auth, "user:password", given in the URL set at the provider. Unset, no webhook
# request is accepted (a random secret nobody knows stands in).
_webhook_secret = env_str("ANYMAIL_WEBHOOK_SECRET")
ANYMAIL = {"WEBHOOK_SECRET": _webhook_secret or f"unset:{token_urlsafe(32)}"}
# The address people reach the site at: links in emails (RSVP links) are built from it.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Donor and gift exports: a CSV of more rows than this, and every XLSX, is written by a
# background task to storage (MEDIA_ROOT) and fetched from its page; files expire after
# EXPORT_FILE_HOURS (an hourly django-q2 schedule deletes them).
EXPORT_BACKGROUND_ROWS = env_int("EXPORT_BACKGROUND_ROWS", 20000)
EXPORT_FILE_HOURS = env_int("EXPORT_FILE_HOURS", 48, minimum=1)

# Imports (admin and commands alike): files past these limits are refused with a message before
# they are parsed, so a huge or crafted file never ties up a web worker. An XLSX is a zip: its
# declared unpacked size, and that size against the file's, are checked before it is opened.
# The admin keeps an uploaded file between its preview and its confirm for IMPORT_UPLOAD_HOURS
# at most (deleted at confirm or cancel; an hourly django-q2 schedule deletes abandoned ones).
IMPORT_MAX_FILE_MB = env_int("IMPORT_MAX_FILE_MB", 20, minimum=1)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 200_000, minimum=1)
IMPORT_MAX_COLUMNS = env_int("IMPORT_MAX_COLUMNS", 200, minimum=1)
IMPORT_MAX_CELL_CHARS = env_int("IMPORT_MAX_CELL_CHARS", 10_000, minimum=1)
IMPORT_MAX_UNZIPPED_MB = env_int("IMPORT_MAX_UNZIPPED_MB", 200, minimum=1)
IMPORT_MAX_ZIP_RATIO = env_int("IMPORT_MAX_ZIP_RATIO", 100, minimum=1)
IMPORT_UPLOAD_HOURS = env_int("IMPORT_UPLOAD_HOURS", 2, minimum=1)

# External services; empty means "not configured" and the features that need them say so.
STRIPE_SECRET_KEY = env_str("STRIPE_SECRET_KEY")
STRIPE_PUBLISHABLE_KEY = env_str("STRIPE_PUBLISHABLE_KEY")
STRIPE_WEBHOOK_SECRET = env_str("STRIPE_WEBHOOK_SECRET")
STRIPE_API_BASE = env_str("STRIPE_API_BASE")
GLOBALGIVING_API_KEY = env_str("GLOBALGIVING_API_KEY")
GLOBALGIVING_API_BASE = env_str("GLOBALGIVING_API_BASE", "https://api.globalgiving.org")
GLOBALGIVING_PROJECT_ID = env_str("GLOBALGIVING_PROJECT_ID")
# Seconds to wait for one answer, answers tried, and the pause before a retry (times the try).
GLOBALGIVING_TIMEOUT = 10
GLOBALGIVING_ATTEMPTS = 3
GLOBALGIVING_RETRY_BACKOFF = 2

REDIS_URL = env_redis_url("REDIS_URL")
Q_CLUSTER = {
    "name": "msp",
    # The Stripe webhook's work waits on Stripe's API (hundreds of milliseconds a call), not on
    # the CPU: more workers than cores keep a burst of events from queueing up.
    "workers": env_int("Q_WORKERS", 2, minimum=1),
    "timeout": 300,
    "retry": 360,
    "max_attempts": 5,
    "queue_limit": 50,
    "catch_up": False,
    "label": "Task queue",
    # Tests and one-off commands run tasks in-process when Q_SYNC is on.
    "sync": env_bool("Q_SYNC", default=False),
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

# One cache shared by every web worker and the task cluster (its heartbeat, rate limits):
# Redis when configured, else a table in the database (created by crm's first migration).
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "crm_cache",
            # Rate-limit counts and public RSVPs waiting for their emailed link live here:
            # Django's default of 300 entries would let a flood of new keys cull them.
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }

PHONENUMBER_DEFAULT_REGION = "US"
AUDITLOG_INCLUDE_ALL_MODELS = False
# An import's entries keep their changes as JSON text in ``changes_text`` (``changes`` empty):
# PostgreSQL then stores the text as it is instead of taking each entry apart into jsonb, a
# third of what a hundred thousand entries cost (donors/imports/audit.py). django-auditlog
# reads them back through this setting; every other entry keeps ``changes``.
AUDITLOG_USE_TEXT_CHANGES_IF_JSON_IS_NOT_PRESENT = True

if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    # Load balancers probe /healthz over plain HTTP from inside the network; a redirect would
    # read as "down".
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# Content-Security-Policy (django-csp), on every page, the back office included. Everything
# comes from this site: no inline script, no inline style, no style="" attribute, nothing from
# another host. To allow one (an analytics script, a font service), add its origin to the
# directive it needs, e.g. CSP_DIRECTIVES["script-src"].append("https://plausible.io") and the
# same in "connect-src". Inline code that cannot move to a static file is allowed by the
# SHA-256 of its exact text, listed here with the template it comes from.
CSP_STYLE_HASHES = [
    # django-auditlog 3.4.1, auditlog/object_history.html (an object's "Audit log" page).
    "'sha256-/VQxijKy1wdfWpWh+FZDWqUYEjL15jz3jeTJ0qeZw0Q='",
]
CSP_DIRECTIVES = {
    "default-src": [NONE],
    "script-src": [SELF],
    "style-src": [SELF, *CSP_STYLE_HASHES],
    "img-src": [SELF],
    "font-src": [SELF],
    "connect-src": [SELF],
    # The donation and ticket forms post here and are redirected to Stripe Checkout; browsers
    # hold the redirect to form-action too.
    "form-action": [SELF, "https://checkout.stripe.com"],
    "frame-ancestors": [NONE],
    "base-uri": [NONE],
}
CONTENT_SECURITY_POLICY = {"DIRECTIVES": CSP_DIRECTIVES}

# Permissions-Policy (crm/headers.py), on every response: browser features, each with the
# origins allowed to use it; an empty list switches the feature off for every page.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "screen-wake-lock",
        "usb",
        "xr-spatial-tracking",
    )
}

_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Every record passes crm.logs.RedactFilter: no email address or secret reaches the log.
    "filters": {"redact": {"()": "crm.logs.RedactFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact"]}},
    "root": {"handlers": ["console"], "level": env_choice("LOG_LEVEL", "INFO", _LOG_LEVELS)},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # The Stripe library logs every request at INFO: ids only, but noise.
        "stripe": {"level": "WARNING"},
        # django-axes logs every sign-in at INFO; lockouts (WARNING) are what matter.
        "axes": {"level": "WARNING"},
    },
}

# One door for every write (common/door.py): the apps whose records change only inside a
# service while a request, task or command runs. A write around the services is logged as an
# error in production and raises under the test suite (tests/conftest.py sets it strict).
ONE_DOOR_APPS: tuple[str, ...] = ("donors", "events", "compliance", "crm")
ONE_DOOR_STRICT = False
