"""A plugin-based help desk for Mexican government IT and communication offices.

Plugins import the names they need from here and from the public modules
(``helpdesk.catalog``, ``helpdesk.hookspecs``); never from ``helpdesk.plugins``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from helpdesk.hookspecs import hookimpl

__all__ = ["create_app", "hookimpl"]


def _migrations_dir() -> Path:
    # A wheel carries them inside the package (setup.py copies them there); a
    # checkout, editable installs included, reads the top-level folder.
    packaged = Path(__file__).resolve().parent / "migrations"
    return packaged if packaged.is_dir() else packaged.parent.parent / "migrations"


MIGRATIONS_DIR = _migrations_dir()


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: settings, extensions, plugins, blueprints, errors, commands.

    :param config: settings that override those read from the environment
        (tests pass their database here).
    :raises helpdesk.config.ConfigError: when a ``HELPDESK_*`` variable is malformed.
    """
    from helpdesk import config as settings

    values = settings.from_environment(overrides=config)
    app = Flask(__name__, instance_path=values["INSTANCE_PATH"], instance_relative_config=False)
    app.config.update(values)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    register_extensions(app)
    load_plugins(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_security_headers(app)
    register_template_helpers(app)
    register_commands(app)
    register_jobs(app)
    register_proxy_fix(app)
    return app


def register_jobs(app: Flask) -> None:
    from helpdesk import jobs

    jobs.install_in_process_sweep(app)


def register_proxy_fix(app: Flask) -> None:
    """Behind ``HELPDESK_PROXY_HOPS`` trusted proxies, take the client from their headers.

    Without it every request behind a proxy comes from the proxy's address, so
    all users would share the sign-in rate limit keyed on it. Only that many
    hops are read from the right of each ``X-Forwarded-*`` header: what the
    client itself wrote before them is ignored, and with 0 all of it is.
    """
    hops = int(app.config.get("HELPDESK_PROXY_HOPS", 0))
    if hops <= 0:
        return
    from werkzeug.middleware.proxy_fix import ProxyFix

    app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
        app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops
    )


def register_extensions(app: Flask) -> None:
    from helpdesk import auth
    from helpdesk import i18n
    from helpdesk import models  # noqa: F401 - registers every table on db.metadata
    from helpdesk import tallies  # noqa: F401 - keeps the daily tally in step with each commit
    from helpdesk import tenancy
    from helpdesk.extensions import csrf
    from helpdesk.extensions import db
    from helpdesk.extensions import limiter
    from helpdesk.extensions import migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    i18n.init_app(app)
    tenancy.init_app(app)
    auth.init_app(app)


def load_plugins(app: Flask) -> None:
    from helpdesk import plugins

    plugins.init_app(app)


def register_blueprints(app: Flask) -> None:
    from flask_login import login_required

    from helpdesk.views import admin
    from helpdesk.views import auth
    from helpdesk.views import dashboards
    from helpdesk.views import desk
    from helpdesk.views import figures
    from helpdesk.views import monitor
    from helpdesk.views import notifications
    from helpdesk.views import portal
    from helpdesk.views import requests
    from helpdesk.views import superadmin
    from helpdesk.views import surveys

    app.register_blueprint(auth.bp)
    app.register_blueprint(portal.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(superadmin.bp)
    app.register_blueprint(requests.bp)
    app.register_blueprint(desk.bp)
    app.register_blueprint(monitor.bp)
    app.register_blueprint(dashboards.bp)
    app.register_blueprint(figures.bp)
    app.register_blueprint(notifications.bp)
    app.register_blueprint(surveys.bp)

    plugin_blueprints = set()
    for plugin_name, blueprint in app.extensions["helpdesk"].blueprints():
        app.register_blueprint(
            blueprint,
            url_prefix=f"/<tenant>/s/{plugin_name}",
            name=f"{plugin_name}_{blueprint.name}",
        )
        plugin_blueprints.add(f"{plugin_name}_{blueprint.name}")

    @app.before_request
    def _plugin_pages_need_login() -> Any:
        from flask import request

        if request.blueprint in plugin_blueprints:
            return login_required(lambda: None)()
        return None


def register_commands(app: Flask) -> None:
    from helpdesk import cli

    cli.init_app(app)


def register_errorhandlers(app: Flask) -> None:
    from helpdesk.views import errors

    errors.init_app(app)


def register_security_headers(app: Flask) -> None:
    from flask import Response

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        # Every asset is served from this host (DEVELOPERS.md: no page loads from another).
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; "
            "script-src 'self'; frame-ancestors 'none'; form-action 'self'",
        )
        return response


def register_template_helpers(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from helpdesk import i18n
    from helpdesk import office_hours
    from helpdesk import tenancy
    from helpdesk.forms.admin import ROLE_CHOICES
    from helpdesk.forms.admin import UNIT_KIND_CHOICES

    role_names = {**dict(ROLE_CHOICES), "superadmin": _l("Superadmin")}
    channel_names = {
        "portal": _l("Portal"),
        "phone": _l("Phone call"),
        "oficio": _l("Paper oficio"),
        "email": _l("E-mail"),
        "cli": _l("Bulk load"),
    }

    app.add_template_filter(i18n.business_duration, "business_duration")
    event_names = {
        "file": _l("Request filed"),
        "sla_at_risk": _l("Service level at risk"),
        "sla_breached": _l("Service level breached"),
        "comment": _l("Comment"),
        "comment_internal": _l("Internal note"),
    }
    sla_targets = {"respond": _l("Time to turn or respond"), "resolve": _l("Time to resolve")}
    sla_statuses = {
        "on_time": _l("On time"),
        "at_risk": _l("At risk"),
        "breached": _l("Overdue"),
        "paused": _l("Clock stopped"),
        "met": _l("Met"),
        "missed": _l("Met late"),
    }

    def unread_notifications() -> int:
        from flask_login import current_user

        from helpdesk import notifications

        if not current_user.is_authenticated:
            return 0
        return notifications.unread_count(current_user)

    @app.context_processor
    def _globals() -> dict[str, Any]:
        return {
            "current_tenant": tenancy.current_tenant(),
            "current_locale_code": i18n.current_locale_code(),
            "supported_locales": i18n.LOCALE_NAMES,
            "weekday_names": office_hours.WEEKDAY_NAMES,
            "unit_kinds": dict(UNIT_KIND_CHOICES),
            "role_names": role_names,
            "channel_names": channel_names,
            "event_names": event_names,
            "sla_targets": sla_targets,
            "sla_statuses": sla_statuses,
            "unread_notifications": unread_notifications,
        }
