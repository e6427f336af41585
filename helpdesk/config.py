"""Settings read from the environment, with embedded defaults that need no set-up.

Every ``HELPDESK_*`` variable is validated here, so a malformed value stops
start-up with one line naming the setting and the reason (issue #3).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo
from zoneinfo import ZoneInfoNotFoundError

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

SUPPORTED_LOCALES = ("es_MX", "en")
DEFAULT_INSTANCE = Path.cwd() / "instance"


class ConfigError(Exception):
    """A setting from the environment is malformed; the message names it."""


def _database_url(raw: str | None, instance: Path) -> str:
    if not raw:
        return f"sqlite:///{instance / 'helpdesk.sqlite3'}"
    try:
        url = make_url(raw)
    except ArgumentError:
        raise ConfigError(
            f"HELPDESK_DATABASE_URL: «{raw}» no es una URL de base de datos "
            "(ejemplo: postgresql://usuario@127.0.0.1:5432/helpdesk)"
        ) from None
    backend = url.get_backend_name()
    if backend == "postgresql":
        # psycopg 3 is the driver we ship; plain postgresql:// would pick psycopg2.
        return url.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    if backend == "sqlite":
        return raw
    raise ConfigError(
        f"HELPDESK_DATABASE_URL: el motor «{backend}» no está soportado (use postgresql o sqlite)"
    )


def _redis_url(raw: str | None) -> str | None:
    if not raw:
        return None
    if not raw.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigError(
            f"HELPDESK_REDIS_URL: «{raw}» debe empezar con redis://, rediss:// o unix:// "
            "(ejemplo: redis://127.0.0.1:6379/0)"
        )
    return raw


def _timezone(raw: str | None) -> str:
    name = raw or "America/Mexico_City"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"HELPDESK_TIMEZONE: «{name}» no es una zona horaria conocida "
            "(ejemplo: America/Mexico_City)"
        ) from None
    return name


def _secret_key(raw: str | None, instance: Path) -> str:
    if raw is not None:
        if len(raw) < 16:
            raise ConfigError("HELPDESK_SECRET_KEY: debe tener al menos 16 caracteres")
        return raw
    # Embedded default: a random key kept under instance/ so sessions survive restarts
    # without anyone having to invent a secret; production sets the variable.
    key_file = instance / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def _plugin_list(raw: str | None, name: str) -> list[str] | None:
    if raw is None:
        return None
    names = [part.strip() for part in raw.split(",") if part.strip()]
    for part in names:
        if not part.replace("_", "").replace("-", "").replace(".", "").isalnum():
            raise ConfigError(f"{name}: «{part}» no es un nombre de complemento válido")
    return names


def _locale(raw: str | None) -> str:
    value = raw or "es_MX"
    if value not in SUPPORTED_LOCALES:
        raise ConfigError(
            f"HELPDESK_LOCALE: «{value}» no está soportado (use {', '.join(SUPPORTED_LOCALES)})"
        )
    return value


def _flag(raw: str | None, name: str, default: bool) -> bool:
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "si", "sí", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name}: «{raw}» no es un valor booleano (use 1 o 0)")


def _number(raw: str | None, name: str, default: float, low: float, high: float) -> float:
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name}: «{raw}» no es un número") from None
    if not low <= value <= high:
        raise ConfigError(f"{name}: {raw} debe estar entre {low:g} y {high:g}")
    return value


def _choice(raw: str | None, name: str, options: tuple[str, ...]) -> str:
    value = (raw or options[0]).strip().lower()
    if value not in options:
        raise ConfigError(f"{name}: «{raw}» debe ser uno de: {', '.join(options)}")
    return value


def _base_url(raw: str | None) -> str:
    value = (raw or "http://127.0.0.1:5000").rstrip("/")
    if not value.startswith(("http://", "https://")):
        raise ConfigError(
            f"HELPDESK_BASE_URL: «{raw}» debe empezar con http:// o https:// "
            "(ejemplo: https://mesa.chalco.gob.mx)"
        )
    return value


def _rate(raw: str | None, name: str, default: str) -> str:
    from limits import parse_many

    value = raw or default
    try:
        parse_many(value)
    except ValueError:
        raise ConfigError(
            f"{name}: «{value}» no es un límite válido (ejemplo: 10/minute)"
        ) from None
    return value


def from_environment(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Build the Flask config mapping from ``HELPDESK_*`` variables.

    :param environ: the variables to read (``os.environ`` when omitted).
    :return: a dict ready for ``app.config.update``.
    :raises ConfigError: when one setting is malformed.
    """
    env = os.environ if environ is None else environ
    instance = Path(env.get("HELPDESK_INSTANCE_PATH") or DEFAULT_INSTANCE).resolve()
    redis_url = _redis_url(env.get("HELPDESK_REDIS_URL"))
    secure_cookies = _flag(env.get("HELPDESK_SECURE_COOKIES"), "HELPDESK_SECURE_COOKIES", False)
    return {
        "INSTANCE_PATH": str(instance),
        "SQLALCHEMY_DATABASE_URI": _database_url(env.get("HELPDESK_DATABASE_URL"), instance),
        "HELPDESK_REDIS_URL": redis_url,
        "SECRET_KEY": _secret_key(env.get("HELPDESK_SECRET_KEY"), instance),
        "HELPDESK_TIMEZONE": _timezone(env.get("HELPDESK_TIMEZONE")),
        "BABEL_DEFAULT_LOCALE": _locale(env.get("HELPDESK_LOCALE")),
        "BABEL_DEFAULT_TIMEZONE": _timezone(env.get("HELPDESK_TIMEZONE")),
        "HELPDESK_LOAD_PLUGINS": _plugin_list(
            env.get("HELPDESK_LOAD_PLUGINS"), "HELPDESK_LOAD_PLUGINS"
        ),
        "HELPDESK_DISABLE_PLUGINS": _plugin_list(
            env.get("HELPDESK_DISABLE_PLUGINS"), "HELPDESK_DISABLE_PLUGINS"
        )
        or [],
        "HELPDESK_TRACE_PLUGINS": _flag(
            env.get("HELPDESK_TRACE_PLUGINS"), "HELPDESK_TRACE_PLUGINS", False
        ),
        "HELPDESK_LOGIN_RATE_LIMIT": _rate(
            env.get("HELPDESK_LOGIN_RATE_LIMIT"), "HELPDESK_LOGIN_RATE_LIMIT", "10/minute"
        ),
        # The share of an SLA target after which a ticket is "at risk".
        "HELPDESK_SLA_RISK_RATIO": _number(
            env.get("HELPDESK_SLA_RISK_RATIO"), "HELPDESK_SLA_RISK_RATIO", 0.75, 0.05, 0.99
        ),
        # How often the SLA sweep runs (in-process on the embedded default,
        # scheduled by `helpdesk worker` with Redis); 0 turns the in-process run off.
        "HELPDESK_SLA_SWEEP_SECONDS": int(
            _number(
                env.get("HELPDESK_SLA_SWEEP_SECONDS"), "HELPDESK_SLA_SWEEP_SECONDS", 300, 0, 86400
            )
        ),
        # How often pending and retried e-mails are sent again (scheduled by
        # `helpdesk worker` with Redis, in-process after responses without); 0: off.
        "HELPDESK_OUTBOX_FLUSH_SECONDS": int(
            _number(
                env.get("HELPDESK_OUTBOX_FLUSH_SECONDS"),
                "HELPDESK_OUTBOX_FLUSH_SECONDS",
                60,
                0,
                86400,
            )
        ),
        # Satisfaction surveys (issue 7): how many calendar days the link stays
        # open, and after how many business days an unanswered one is recalled
        # once (0: no reminder); the answer page is rate-limited per address.
        "HELPDESK_SURVEY_EXPIRY_DAYS": int(
            _number(
                env.get("HELPDESK_SURVEY_EXPIRY_DAYS"), "HELPDESK_SURVEY_EXPIRY_DAYS", 30, 1, 365
            )
        ),
        "HELPDESK_SURVEY_REMINDER_DAYS": int(
            _number(
                env.get("HELPDESK_SURVEY_REMINDER_DAYS"), "HELPDESK_SURVEY_REMINDER_DAYS", 3, 0, 60
            )
        ),
        "HELPDESK_SURVEY_RATE_LIMIT": _rate(
            env.get("HELPDESK_SURVEY_RATE_LIMIT"), "HELPDESK_SURVEY_RATE_LIMIT", "30/minute"
        ),
        # Whether the plugins' periodic jobs (PSDT-05's link check…) run from
        # `helpdesk worker` and, without Redis, after responses; off: cron only.
        "HELPDESK_PERIODIC_JOBS": _flag(
            env.get("HELPDESK_PERIODIC_JOBS"), "HELPDESK_PERIODIC_JOBS", True
        ),
        "HELPDESK_QUEUE": env.get("HELPDESK_QUEUE") or "helpdesk",
        # The address links in e-mails point to (jobs run outside any request).
        "HELPDESK_BASE_URL": _base_url(env.get("HELPDESK_BASE_URL")),
        # Mail: SMTP when a host is set, else one .eml file per message in a folder.
        "HELPDESK_SMTP_HOST": env.get("HELPDESK_SMTP_HOST") or None,
        "HELPDESK_SMTP_PORT": int(
            _number(env.get("HELPDESK_SMTP_PORT"), "HELPDESK_SMTP_PORT", 25, 1, 65535)
        ),
        "HELPDESK_SMTP_USER": env.get("HELPDESK_SMTP_USER") or None,
        "HELPDESK_SMTP_PASSWORD": env.get("HELPDESK_SMTP_PASSWORD") or None,
        "HELPDESK_SMTP_SECURITY": _choice(
            env.get("HELPDESK_SMTP_SECURITY"), "HELPDESK_SMTP_SECURITY", ("none", "starttls", "ssl")
        ),
        "HELPDESK_SMTP_TIMEOUT": _number(
            env.get("HELPDESK_SMTP_TIMEOUT"), "HELPDESK_SMTP_TIMEOUT", 20, 1, 300
        ),
        "HELPDESK_MAIL_FROM": env.get("HELPDESK_MAIL_FROM")
        or "Mesa de ayuda <mesa-de-ayuda@localhost>",
        "HELPDESK_MAIL_FOLDER": env.get("HELPDESK_MAIL_FOLDER") or str(instance / "mail"),
        "HELPDESK_MAIL_MAX_ATTEMPTS": int(
            _number(env.get("HELPDESK_MAIL_MAX_ATTEMPTS"), "HELPDESK_MAIL_MAX_ATTEMPTS", 5, 1, 50)
        ),
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure_cookies,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": secure_cookies,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "MAX_CONTENT_LENGTH": 25 * 1024 * 1024,
    }
