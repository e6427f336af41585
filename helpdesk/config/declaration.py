"""Every ``HELPDESK_*`` environment variable, declared once (issue 16).

:func:`helpdesk.config.from_environment` reads them from here and README.md's
configuration table is generated from here, so a variable can no longer be
documented and never read (``HELPDESK_STAGED_UPLOAD_HOURS`` was) or read and
never documented (``HELPDESK_BASE_URL`` was). The order is the README's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from helpdesk.config.kinds import BaseURL
from helpdesk.config.kinds import Bind
from helpdesk.config.kinds import Choice
from helpdesk.config.kinds import Context
from helpdesk.config.kinds import DatabaseURL
from helpdesk.config.kinds import Flag
from helpdesk.config.kinds import FolderUnderInstance
from helpdesk.config.kinds import InstanceFolder
from helpdesk.config.kinds import Integer
from helpdesk.config.kinds import Kind
from helpdesk.config.kinds import Locale
from helpdesk.config.kinds import Number
from helpdesk.config.kinds import PluginNames
from helpdesk.config.kinds import RateLimit
from helpdesk.config.kinds import RedisURL
from helpdesk.config.kinds import SecretKey
from helpdesk.config.kinds import Text
from helpdesk.config.kinds import Timezone


@dataclass(frozen=True, kw_only=True)
class Setting:
    """One environment variable.

    :param name: the variable, ``HELPDESK_…``.
    :param kind: how its text is parsed and validated.
    :param default: the value when it is unset or empty.
    :param description: what it does (README's "meaning" column).
    :param config_keys: the Flask config keys it fills; its own name when empty.
    :param default_text: README's "default" column when the value alone does not
        tell (a default computed from the instance folder, or "none: …").
    :param read_by: a plugin that reads the variable itself; then it is only
        documented here and :func:`~helpdesk.config.from_environment` skips it.
    """

    name: str
    kind: Kind
    default: Any = None
    description: str
    config_keys: tuple[str, ...] = ()
    default_text: str | None = None
    read_by: str | None = None

    @property
    def keys(self) -> tuple[str, ...]:
        return self.config_keys or (self.name,)

    def read(self, environ: Mapping[str, str], context: Context) -> Any:
        return self.kind.parse(environ.get(self.name), self.name, self.default, context)

    def shown_default(self) -> str:
        if self.default_text is not None:
            return self.default_text
        if self.default is None:
            return "none"
        if isinstance(self.default, bool):
            return f"`{int(self.default)}`"
        return f"`{self.default}`"


SETTINGS: tuple[Setting, ...] = (
    Setting(
        name="HELPDESK_DATABASE_URL",
        kind=DatabaseURL(),
        config_keys=("SQLALCHEMY_DATABASE_URI",),
        default_text="SQLite file `instance/helpdesk.sqlite3`",
        description="the database: PostgreSQL in production (psycopg 3), "
        "e.g. `postgresql://user@host:5432/db`",
    ),
    Setting(
        name="HELPDESK_REDIS_URL",
        kind=RedisURL(),
        default_text="none: jobs run in-process, rate limits in memory",
        description="the Redis server of the job queue and the rate limits, "
        "e.g. `redis://host:6379/0`",
    ),
    Setting(
        name="HELPDESK_SECRET_KEY",
        kind=SecretKey(),
        config_keys=("SECRET_KEY",),
        default_text="a random key generated once under `instance/`",
        description="signs sessions and links; set it in production",
    ),
    Setting(
        name="HELPDESK_TIMEZONE",
        kind=Timezone(),
        default="America/Mexico_City",
        config_keys=("HELPDESK_TIMEZONE", "BABEL_DEFAULT_TIMEZONE"),
        description="default time zone (each tenant has its own)",
    ),
    Setting(
        name="HELPDESK_LOCALE",
        kind=Locale(),
        default="es_MX",
        config_keys=("BABEL_DEFAULT_LOCALE",),
        description="default language",
    ),
    Setting(
        name="HELPDESK_SECURE_COOKIES",
        kind=Flag(),
        default=False,
        config_keys=("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"),
        description="cookies sent over HTTPS only; `1` behind HTTPS",
    ),
    Setting(
        name="HELPDESK_LOGIN_RATE_LIMIT",
        kind=RateLimit(),
        default="10/minute",
        description="sign-in attempts per address",
    ),
    Setting(
        name="HELPDESK_INSTANCE_PATH",
        kind=InstanceFolder(),
        config_keys=("INSTANCE_PATH",),
        default_text="`./instance`",
        description="where the SQLite file, secret key and uploads live",
    ),
    Setting(
        name="HELPDESK_LOAD_PLUGINS",
        kind=PluginNames(),
        default_text="all installed",
        description="the plugins to load; empty loads none",
    ),
    Setting(
        name="HELPDESK_DISABLE_PLUGINS",
        kind=PluginNames(),
        default=(),
        default_text="none",
        description="the plugins to block",
    ),
    Setting(
        name="HELPDESK_TRACE_PLUGINS",
        kind=Flag(),
        default=False,
        description="`1` logs every hook call",
    ),
    Setting(
        name="HELPDESK_SLA_RISK_RATIO",
        kind=Number(0.05, 0.99),
        default=0.75,
        description='share of an SLA target after which a ticket is "at risk"',
    ),
    Setting(
        name="HELPDESK_SLA_SWEEP_SECONDS",
        kind=Integer(0, 86400),
        default=300,
        description="how often the SLA sweep runs (in-process without Redis, by the worker "
        "with it); `0` turns the periodic sweep off (run `helpdesk sla-sweep` from cron)",
    ),
    Setting(
        name="HELPDESK_QUEUE",
        kind=Text(),
        default="helpdesk",
        description="the rq queue name",
    ),
    Setting(
        name="HELPDESK_BASE_URL",
        kind=BaseURL(),
        default="http://127.0.0.1:5000",
        description="the address links in e-mails point to (jobs run outside any request, "
        "so they cannot take it from one); a trailing `/` is dropped",
    ),
    Setting(
        name="HELPDESK_SMTP_HOST",
        kind=Text(),
        default_text="none: each e-mail is written to `HELPDESK_MAIL_FOLDER`",
        description="the SMTP server that sends the help desk's e-mail",
    ),
    Setting(
        name="HELPDESK_SMTP_PORT",
        kind=Integer(1, 65535),
        default=25,
        description="its port",
    ),
    Setting(
        name="HELPDESK_SMTP_USER",
        kind=Text(),
        description="sign-in user, when the server asks for it",
    ),
    Setting(
        name="HELPDESK_SMTP_PASSWORD",
        kind=Text(),
        description="its password",
    ),
    Setting(
        name="HELPDESK_SMTP_SECURITY",
        kind=Choice(("none", "starttls", "ssl")),
        default="none",
        description="how the connection to the server is encrypted; `ssl` is implicit TLS, "
        "usually port 465",
    ),
    Setting(
        name="HELPDESK_SMTP_TIMEOUT",
        kind=Number(1, 300),
        default=20,
        description="seconds to wait for the server",
    ),
    Setting(
        name="HELPDESK_MAIL_FROM",
        kind=Text(),
        default="Mesa de ayuda <mesa-de-ayuda@localhost>",
        description="the sender of every e-mail",
    ),
    Setting(
        name="HELPDESK_MAIL_FOLDER",
        kind=FolderUnderInstance("mail"),
        default_text="`instance/mail`",
        description="without SMTP, one `<id>.eml` file per e-mail",
    ),
    Setting(
        name="HELPDESK_MAIL_MAX_ATTEMPTS",
        kind=Integer(1, 50),
        default=5,
        description="attempts before an e-mail goes to the failed list",
    ),
    Setting(
        name="HELPDESK_OUTBOX_FLUSH_SECONDS",
        kind=Integer(0, 86400),
        default=60,
        description="how often due e-mails (retries, ones that waited for Redis) are sent "
        "again: in-process without Redis, by the worker with it; `0` turns it off "
        "(run `helpdesk outbox flush` from cron)",
    ),
    # Read by helpdesk.views.requests.staging_area(); it was documented but
    # never taken from the environment before issue 16.
    Setting(
        name="HELPDESK_STAGED_UPLOAD_HOURS",
        kind=Integer(1, 720),
        default=24,
        description="how long files of a form that came back with errors are kept for the next try",
    ),
    Setting(
        name="HELPDESK_SURVEY_EXPIRY_DAYS",
        kind=Integer(1, 365),
        default=30,
        description="calendar days a satisfaction survey's link stays open",
    ),
    Setting(
        name="HELPDESK_SURVEY_REMINDER_DAYS",
        kind=Integer(0, 60),
        default=3,
        description="business days after which an unanswered survey is recalled, once; `0`: never",
    ),
    Setting(
        name="HELPDESK_SURVEY_RATE_LIMIT",
        kind=RateLimit(),
        default="30/minute",
        description="answers per address on the survey link page",
    ),
    Setting(
        name="HELPDESK_PERIODIC_JOBS",
        kind=Flag(),
        default=True,
        description="whether the plugins' periodic jobs run from the worker (or after "
        "responses without Redis); `0`: from cron only",
    ),
    # The portal plugin reads it itself and logs a wrong value instead of
    # stopping start-up; declared here so it is documented with the rest.
    Setting(
        name="HELPDESK_PORTAL_LINK_TIMEOUT",
        kind=Number(1, 60),
        default=5,
        read_by="portal",
        description="seconds per attempt of PSDT-05's link check (portal plugin; "
        "a wrong value is logged and `5` used)",
    ),
    # Read by `helpdesk serve` (gunicorn) and create_app's ProxyFix; issue 16.
    Setting(
        name="HELPDESK_PROXY_HOPS",
        kind=Integer(0, 10),
        default=0,
        description="how many reverse proxies in front of the app are trusted for their "
        "`X-Forwarded-*` headers (werkzeug's `ProxyFix`); `0`: none, the headers are ignored",
    ),
    Setting(
        name="HELPDESK_WORKERS",
        kind=Integer(0, 64),
        default=0,
        description="worker processes of `helpdesk serve` (gunicorn); `0`: 2 × CPU count + 1",
    ),
    Setting(
        name="HELPDESK_WORKER_TIMEOUT",
        kind=Integer(5, 3600),
        default=60,
        description="seconds a silent worker of `helpdesk serve` lives before gunicorn restarts it",
    ),
    Setting(
        name="HELPDESK_BIND",
        kind=Bind(),
        default="127.0.0.1:8000",
        description="where `helpdesk serve` listens",
    ),
)
