"""How each kind of setting reads its variable's text and validates it.

A kind's :meth:`Kind.parse` gets the raw text (``None`` when the variable is
unset) and either returns the value for the Flask config or raises
:class:`ConfigError` with one Spanish line that starts with the variable's name
(issue #3). :meth:`Kind.accepts` is the README table's "accepts" column, so the
documented values and the validated ones come from the same object (issue 16).
"""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
from abc import ABC
from abc import abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo
from zoneinfo import ZoneInfoNotFoundError

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

SUPPORTED_LOCALES = ("es_MX", "en")
DEFAULT_INSTANCE = Path("instance")
"""Relative: resolved against the working directory when the settings are read,
not when this module was first imported (a test's ``chdir`` is honoured)."""

# A host name, an IPv4 address or a bracketed IPv6 one, then a port.
BIND_RE = re.compile(
    r"(?:\[(?P<v6>[0-9A-Fa-f:.]+)\]|(?P<host>[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?))"
    r":(?P<port>\d{1,5})"
)
TRUE_WORDS = frozenset({"1", "true", "yes", "si", "sí", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})


class ConfigError(Exception):
    """A setting from the environment is malformed; the message names it."""


@dataclass(frozen=True)
class Context:
    """What a value may depend on besides its own variable.

    :param instance: the effective instance folder (the caller's override first).
    :param make_secret_key: false when the caller passes ``SECRET_KEY`` itself,
        so no key file is written for a key nobody will use (issue 16).
    """

    instance: Path
    make_secret_key: bool = True


def resolve_instance(raw: str | os.PathLike[str] | None) -> Path:
    return Path(raw or DEFAULT_INSTANCE).resolve()


class Kind(ABC):
    """A way to read one variable; the subclasses are frozen dataclasses."""

    @abstractmethod
    def parse(self, raw: str | None, name: str, default: Any, context: Context) -> Any:
        """The value of ``raw`` (``None`` when unset); :class:`ConfigError` naming ``name``."""

    @abstractmethod
    def accepts(self) -> str:
        """What the README's table says the variable accepts."""


@dataclass(frozen=True)
class Text(Kind):
    def parse(self, raw: str | None, name: str, default: Any, context: Context) -> Any:
        return raw or default

    def accepts(self) -> str:
        return "text"


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


@dataclass(frozen=True)
class Number(Kind):
    low: float
    high: float

    def parse(self, raw: str | None, name: str, default: Any, context: Context) -> Any:
        return _number(raw, name, default, self.low, self.high)

    def accepts(self) -> str:
        return f"number, {self.low:g} to {self.high:g}"


@dataclass(frozen=True)
class Integer(Number):
    """A count; like before issue 16, ``2.5`` is read as a number and truncated."""

    def parse(self, raw: str | None, name: str, default: Any, context: Context) -> Any:
        return int(_number(raw, name, default, self.low, self.high))

    def accepts(self) -> str:
        return f"whole number, {self.low:g} to {self.high:g}"


@dataclass(frozen=True)
class Flag(Kind):
    def parse(self, raw: str | None, name: str, default: Any, context: Context) -> Any:
        if raw is None or raw == "":
            return default
        lowered = raw.strip().lower()
        if lowered in TRUE_WORDS:
            return True
        if lowered in FALSE_WORDS:
            return False
        raise ConfigError(f"{name}: «{raw}» no es un valor booleano (use 1 o 0)")

    def accepts(self) -> str:
        return "`1` or `0` (also `true`/`false`, `yes`/`no`, `on`/`off`)"


def _either(options: tuple[str, ...]) -> str:
    quoted = [f"`{option}`" for option in options]
    return f"{', '.join(quoted[:-1])} or {quoted[-1]}" if len(quoted) > 1 else quoted[0]


@dataclass(frozen=True)
class Choice(Kind):
    options: tuple[str, ...]

    def parse(self, raw: str | None, name: str, default: Any, context: Context) -> Any:
        value = (raw or default).strip().lower()
        if value not in self.options:
            raise ConfigError(f"{name}: «{raw}» debe ser uno de: {', '.join(self.options)}")
        return value

    def accepts(self) -> str:
        return _either(self.options)


@dataclass(frozen=True)
class Locale(Kind):
    def parse(self, raw: str | None, name: str, default: Any, context: Context) -> Any:
        value = raw or default
        if value not in SUPPORTED_LOCALES:
            raise ConfigError(
                f"{name}: «{value}» no está soportado (use {', '.join(SUPPORTED_LOCALES)})"
            )
        return value

    def accepts(self) -> str:
        return _either(SUPPORTED_LOCALES)


@dataclass(frozen=True)
class Timezone(Kind):
    def parse(self, raw: str | None, name: str, default: Any, context: Context) -> Any:
        value = raw or default
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(
                f"{name}: «{value}» no es una zona horaria conocida (ejemplo: America/Mexico_City)"
            ) from None
        return value

    def accepts(self) -> str:
        return "an IANA time zone name"


def database_url(raw: str | None, instance: Path) -> str:
    """The SQLAlchemy URL for ``HELPDESK_DATABASE_URL`` (helpdesk.testing uses it too)."""
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


@dataclass(frozen=True)
class DatabaseURL(Kind):
    def parse(self, raw: str | None, name: str, default: Any, context: Context) -> Any:
        return database_url(raw, context.instance)

    def accepts(self) -> str:
        return "`postgresql://…` or `sqlite:///…` URL"


@dataclass(frozen=True)
class RedisURL(Kind):
    def parse(self, raw: str | None, name: str, default: Any, context: Context) -> Any:
        if not raw:
            return None
        if not raw.startswith(("redis://", "rediss://", "unix://")):
            raise ConfigError(
                f"{name}: «{raw}» debe empezar con redis://, rediss:// o unix:// "
                "(ejemplo: redis://127.0.0.1:6379/0)"
            )
        return raw

    def accepts(self) -> str:
        return "`redis://`, `rediss://` or `unix://` URL"


@dataclass(frozen=True)
class SecretKey(Kind):
    min_length: int = 16

    def parse(self, raw: str | None, name: str, default: Any, context: Context) -> Any:
        if raw is not None:
            if len(raw) < self.min_length:
                raise ConfigError(f"{name}: debe tener al menos {self.min_length} caracteres")
            return raw
        if not context.make_secret_key:
            return None
        # Embedded default: a random key kept under instance/ so sessions survive restarts
        # without anyone having to invent a secret; production sets the variable.
        key_file = context.instance / "secret_key"
        if key_file.exists():
            return key_file.read_text().strip()
        context.instance.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        key_file.write_text(key)
        key_file.chmod(0o600)
        return key

    def accepts(self) -> str:
        return f"at least {self.min_length} characters"


@dataclass(frozen=True)
class PluginNames(Kind):
    """A comma list; unset gives the default, empty gives no plugin at all."""

    def parse(self, raw: str | None, name: str, default: Any, context: Context) -> Any:
        if raw is None:
            return None if default is None else list(default)
        names = [part.strip() for part in raw.split(",") if part.strip()]
        for part in names:
            if not part.replace("_", "").replace("-", "").replace(".", "").isalnum():
                raise ConfigError(f"{name}: «{part}» no es un nombre de complemento válido")
        return names

    def accepts(self) -> str:
        return "comma list of plugin names"


@dataclass(frozen=True)
class RateLimit(Kind):
    def parse(self, raw: str | None, name: str, default: Any, context: Context) -> Any:
        # Imported here: limits is only needed once the settings are read.
        from limits import parse_many

        value = raw or default
        try:
            parse_many(value)
        except ValueError:
            raise ConfigError(
                f"{name}: «{value}» no es un límite válido (ejemplo: 10/minute)"
            ) from None
        return value

    def accepts(self) -> str:
        return "a rate such as `10/minute`"


@dataclass(frozen=True)
class BaseURL(Kind):
    def parse(self, raw: str | None, name: str, default: Any, context: Context) -> Any:
        value = (raw or default).rstrip("/")
        if not value.startswith(("http://", "https://")):
            raise ConfigError(
                f"{name}: «{raw}» debe empezar con http:// o https:// "
                "(ejemplo: https://mesa.chalco.gob.mx)"
            )
        return value

    def accepts(self) -> str:
        return "`http://` or `https://` address"


@dataclass(frozen=True)
class InstanceFolder(Kind):
    def parse(self, raw: str | None, name: str, default: Any, context: Context) -> Any:
        return str(resolve_instance(raw))

    def accepts(self) -> str:
        return "a folder"


@dataclass(frozen=True)
class FolderUnderInstance(Kind):
    """A folder that defaults to ``<instance>/<under>``."""

    under: str

    def parse(self, raw: str | None, name: str, default: Any, context: Context) -> Any:
        return raw or str(context.instance / self.under)

    def accepts(self) -> str:
        return "a folder"


def valid_bind(value: str) -> bool:
    """Whether gunicorn can listen on ``value``: ``host:port`` or ``unix:/absolute/path``."""
    if value.startswith("unix:"):
        path = value[len("unix:") :]
        return path.startswith("/") and len(path) > 1
    match = BIND_RE.fullmatch(value)
    if match is None or not 1 <= int(match["port"]) <= 65535:
        return False
    try:
        if match["v6"]:
            ipaddress.IPv6Address(match["v6"])
        elif re.fullmatch(r"[0-9.]+", match["host"]):
            # Digits and dots are an IPv4 address or nothing: 999.1.1.1 is no host name.
            ipaddress.IPv4Address(match["host"])
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Bind(Kind):
    """Where ``helpdesk serve`` listens (gunicorn's ``--bind``)."""

    def parse(self, raw: str | None, name: str, default: Any, context: Context) -> Any:
        value = (raw or default).strip()
        if not valid_bind(value):
            raise ConfigError(
                f"{name}: «{raw}» debe ser host:puerto o unix:/ruta (ejemplo: 127.0.0.1:8000)"
            )
        return value

    def accepts(self) -> str:
        return "`host:port`, `[ipv6]:port` or `unix:/absolute/path`"
