"""Start-up from the environment: bad values stop it with the variable's name, defaults work.

Each case starts ``manage.py`` in a new process, since settings are read once at start-up.
"""

import json
import re
import secrets

import pytest

from tests.processes import ROOT, SETTINGS_VARIABLES, clean_env, manage

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "example.org",
}


def _last_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""


@pytest.mark.parametrize(
    ("variable", "env"),
    [
        pytest.param("DEBUG", {"DEBUG": "maybe"}, id="DEBUG=maybe"),
        pytest.param("TIME_ZONE", {"TIME_ZONE": "Mars/Olympus"}, id="TIME_ZONE=Mars/Olympus"),
        pytest.param("DATABASE_URL", {"DATABASE_URL": "nonsense"}, id="DATABASE_URL=nonsense"),
        pytest.param(
            "DATABASE_URL",
            {"DATABASE_URL": "mysql://root@127.0.0.1:3306/msp"},
            id="DATABASE_URL=mysql",
        ),
        pytest.param(
            "DATABASE_URL", {"DATABASE_URL": "postgres://127.0.0.1:5432"}, id="DATABASE_URL=no-name"
        ),
        pytest.param("EMAIL_URL", {"EMAIL_URL": "bogus://x"}, id="EMAIL_URL=bogus"),
        pytest.param("REDIS_URL", {"REDIS_URL": "http://x"}, id="REDIS_URL=http"),
        pytest.param("Q_SYNC", {"Q_SYNC": "perhaps"}, id="Q_SYNC=perhaps"),
        pytest.param("LOG_LEVEL", {"LOG_LEVEL": "loud"}, id="LOG_LEVEL=loud"),
        pytest.param(
            "SECURE_SSL_REDIRECT",
            {**PRODUCTION, "SECURE_SSL_REDIRECT": "sometimes"},
            id="SECURE_SSL_REDIRECT=sometimes",
        ),
        pytest.param("SECRET_KEY", {"DEBUG": "false"}, id="SECRET_KEY-missing-in-production"),
        pytest.param(
            "SECRET_KEY", {**PRODUCTION, "SECRET_KEY": "too-short"}, id="SECRET_KEY-short"
        ),
        pytest.param(
            "ALLOWED_HOSTS",
            {**PRODUCTION, "ALLOWED_HOSTS": ""},
            id="ALLOWED_HOSTS-empty-in-production",
        ),
    ],
)
def test_startup_fails_with_a_message_naming_the_bad_variable(variable, env):
    result = manage("check", env=clean_env(**env))

    assert result.returncode != 0, result.stdout
    # The message itself (the last line), not just a traceback line of settings.py, names it.
    message = _last_line(result.stderr)
    assert "ImproperlyConfigured" in message, result.stderr
    assert variable in message, result.stderr


def test_deploy_check_passes_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=clean_env(**PRODUCTION))

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_defaults_need_no_environment_sqlite_console_email_orm_broker():
    code = (
        "import json; from django.conf import settings as s; print(json.dumps({"
        "'engine': s.DATABASES['default']['ENGINE'], 'name': str(s.DATABASES['default']['NAME']),"
        "'email': s.EMAIL_BACKEND, 'delivery': s.EMAIL_DELIVERY_BACKEND, 'q': s.Q_CLUSTER, 'debug': s.DEBUG, 'tz': s.TIME_ZONE}))"
    )
    result = manage("shell", "-c", code, env=clean_env())

    assert result.returncode == 0, result.stderr
    values = json.loads(_last_line(result.stdout))
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["name"] == str(ROOT / "db.sqlite3")
    # Every email passes the suppression rule, then the backend EMAIL_URL chose.
    assert values["email"] == "donors.mail_backend.SuppressingBackend"
    assert values["delivery"] == "django.core.mail.backends.console.EmailBackend"
    assert values["q"]["orm"] == "default"
    assert "redis" not in values["q"]
    assert values["q"]["sync"] is False
    assert values["debug"] is True
    assert values["tz"] == "America/New_York"


def test_every_variable_settings_reads_is_listed_and_documented_in_the_readme():
    source = (ROOT / "crm" / "settings.py").read_text()
    read = set(re.findall(r"\benv_\w+\(\s*\"([A-Z][A-Z0-9_]*)\"", source))
    readme = (ROOT / "README.md").read_text()

    assert read == set(SETTINGS_VARIABLES)
    assert [name for name in sorted(read) if f"`{name}`" not in readme] == []


def test_a_bad_export_threshold_stops_start_up_naming_it():
    result = manage("check", env=clean_env(EXPORT_BACKGROUND_ROWS="20k"))
    assert result.returncode != 0
    assert "EXPORT_BACKGROUND_ROWS='20k' is not a whole number" in result.stderr


def test_a_bad_trusted_proxy_count_stops_start_up_naming_it():
    result = manage("check", env=clean_env(TRUSTED_PROXY_COUNT="one"))
    assert result.returncode != 0
    assert "TRUSTED_PROXY_COUNT='one' is not a whole number" in result.stderr
