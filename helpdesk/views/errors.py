"""Error pages in the user's language; CSRF and rate-limit failures explained."""

from __future__ import annotations

from flask import Flask
from flask import render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException


def _page(status: int, title: str, message: str) -> tuple[str, int]:
    return render_template("errors/error.html", status=status, title=title, message=message), status


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[str, int]:
        return _page(
            400,
            _("The form expired"),
            _("For your security the form could not be accepted. Reload the page and try again."),
        )

    @app.errorhandler(429)
    def too_many(error: HTTPException) -> tuple[str, int]:
        return _page(
            429,
            _("Too many attempts"),
            _("Too many attempts in a short time. Wait a minute and try again."),
        )

    @app.errorhandler(403)
    def forbidden(error: HTTPException) -> tuple[str, int]:
        return _page(403, _("Not allowed"), _("Your role does not allow you to use this page."))

    @app.errorhandler(404)
    def not_found(error: HTTPException) -> tuple[str, int]:
        return _page(404, _("Not found"), _("The page or record you asked for does not exist."))

    @app.errorhandler(413)
    def too_large(error: HTTPException) -> tuple[str, int]:
        return _page(413, _("Too large"), _("What you sent is larger than allowed."))
