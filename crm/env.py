"""Reading settings from the environment, failing loudly.

Every helper raises ``ImproperlyConfigured`` with the variable's name and the value it did not
understand, so a typo in production stops start-up instead of silently meaning "off".
"""

from __future__ import annotations

import os
import warnings

import environ
from django.core.exceptions import ImproperlyConfigured, ValidationError

from common.validators import validate_time_zone

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    return None if value is None else value.strip()


def env_str(name: str, default: str = "") -> str:
    value = _raw(name)
    return default if value is None or value == "" else value


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={value!r} is not a yes/no value: use one of true, false, 1, 0, yes, no, on, off."
    )


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    value = _raw(name)
    if value is None or value == "":
        return default
    if not value.isdecimal() or int(value) < minimum:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number of at least {minimum}.")
    return int(value)


def env_list(name: str, default: list[str]) -> list[str]:
    value = _raw(name)
    if value is None or value == "":
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = env_str(name, default)
    if value.upper() not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} is not one of {', '.join(choices)}.")
    return value.upper()


def env_time_zone(name: str, default: str) -> str:
    value = env_str(name, default)
    try:
        validate_time_zone(value)  # the profile's and the donors' own rule
    except ValidationError as error:
        raise ImproperlyConfigured(f"{name}={error.messages[0]}") from None
    return value


def env_database(name: str, default: str) -> dict:
    value = env_str(name, default)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            config = environ.Env.db_url_config(value)
    except Exception as exc:  # the library raises several types; the message is what matters
        raise ImproperlyConfigured(f"{name}={value!r} is not a database URL: {exc}") from None
    engine = config.get("ENGINE", "")
    if engine not in {"django.db.backends.sqlite3", "django.db.backends.postgresql"}:
        raise ImproperlyConfigured(
            f"{name}={value!r}: only sqlite:/// and postgres:// URLs are supported."
        )
    if not config.get("NAME"):
        raise ImproperlyConfigured(f"{name}={value!r} names no database.")
    return config


def env_email(name: str, default: str) -> dict:
    value = env_str(name, default)
    scheme, sep, rest = value.partition("://")
    # Friendlier aliases for the library's scheme names.
    scheme = {"console": "consolemail", "locmem": "memorymail", "file": "filemail"}.get(
        scheme, scheme
    )
    try:
        config = environ.Env.email_url_config(f"{scheme}{sep}{rest}")
    except Exception as exc:
        raise ImproperlyConfigured(f"{name}={value!r} is not an email URL: {exc}") from None
    if not config.get("EMAIL_BACKEND"):
        raise ImproperlyConfigured(
            f"{name}={value!r}: use smtp://, smtp+tls://, smtp+ssl://, console:// or locmem://."
        )
    return config


def env_redis_url(name: str) -> str | None:
    value = env_str(name, "")
    if not value:
        return None
    if not value.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(f"{name}={value!r} is not a redis:// URL.")
    return value
