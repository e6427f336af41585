"""Language selection: Spanish (es_MX) by default, English as the second catalog."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask import current_app
from flask import has_request_context
from flask import session
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from helpdesk.config import SUPPORTED_LOCALES
from helpdesk.extensions import babel

LOCALE_NAMES = {"es_MX": "Español", "en": "English"}


def select_locale() -> str:
    """The visitor's explicit choice, then the account's, then the default."""
    if has_request_context():
        chosen = session.get("locale")
        if chosen in SUPPORTED_LOCALES:
            return chosen
        if current_user and current_user.is_authenticated and current_user.locale:
            if current_user.locale in SUPPORTED_LOCALES:
                return current_user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    from helpdesk.tenancy import current_tenant

    tenant = current_tenant()
    if tenant is not None:
        return tenant.timezone
    return current_app.config["HELPDESK_TIMEZONE"]


def current_locale_code() -> str:
    locale = get_locale()
    return str(locale) if locale else current_app.config["BABEL_DEFAULT_LOCALE"]


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)


def business_duration(value: timedelta | None) -> str:
    """Business time as "12 h 05 min" (negative: overdue by that much)."""
    if value is None:
        return "—"
    minutes = int(abs(value).total_seconds() // 60)
    text = _("%(hours)d h %(minutes)02d min", hours=minutes // 60, minutes=minutes % 60)
    return f"−{text}" if value < timedelta(0) else text
