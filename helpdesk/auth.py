"""Sign-in plumbing: the session's user loader and role checks for views."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from typing import TypeVar

from flask import Flask
from flask import abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from werkzeug.security import check_password_hash
from werkzeug.security import generate_password_hash

from helpdesk.extensions import db
from helpdesk.extensions import login_manager
from helpdesk.models import User
from helpdesk.tenancy import ALL_TENANTS
from helpdesk.tenancy import current_tenant

F = TypeVar("F", bound=Callable[..., Any])

# A hash to compare against when the e-mail is unknown, so the response time
# does not reveal which addresses have accounts.
_DUMMY_HASH: dict[str, str] = {}


def hash_password(password: str) -> str:
    from flask import current_app

    method = current_app.config.get("HELPDESK_PASSWORD_METHOD", "scrypt")
    return generate_password_hash(password, method=method)


def find_user_by_email(email: str) -> User | None:
    statement = select(User).where(User.email == email.strip().lower())
    return db.session.scalar(statement.execution_options(**{ALL_TENANTS: True}))


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None."""
    user = find_user_by_email(email)
    if user is None:
        key = "hash"
        if key not in _DUMMY_HASH:
            _DUMMY_HASH[key] = hash_password("not-a-password")
        check_password_hash(_DUMMY_HASH[key], password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    if user.tenant is not None and not user.tenant.active:
        return None
    return user


def _load_user(user_id: str) -> User | None:
    if not user_id.isdigit():
        return None
    statement = select(User).where(User.id == int(user_id))
    return db.session.scalar(statement.execution_options(**{ALL_TENANTS: True}))


def roles_required(*roles: str) -> Callable[[F], F]:
    """Allow signed-in members of the current tenant holding one of ``roles``.

    Anonymous visitors are sent to sign in; members without the role get 403
    (they may know the page exists, they are inside the tenant); superadmins pass.
    """

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_role(*roles):
                abort(403)
            tenant = current_tenant()
            if tenant is not None and not current_user.is_superadmin:
                if current_user.tenant_id != tenant.id:
                    abort(404)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.user_loader(_load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
