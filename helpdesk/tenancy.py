"""The current tenant and the one place where tenant data is scoped.

Every ORM SELECT that touches a :class:`~helpdesk.models.base.TenantScoped`
model is filtered to the current tenant by a ``do_orm_execute`` listener, so a
view that looks up another tenant's row by a guessed id gets nothing and
answers 404. Views therefore never repeat ``tenant_id == …`` themselves.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from typing import TypeVar

from flask import Flask
from flask import abort
from flask import current_app
from flask import g
from flask import has_app_context
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy import select
from sqlalchemy.orm import ORMExecuteState
from sqlalchemy.orm import Session
from sqlalchemy.orm import with_loader_criteria

from helpdesk.extensions import db
from helpdesk.models.base import TenantScoped
from helpdesk.models.tenancy import Tenant

ModelT = TypeVar("ModelT")

# Execution option that lets sign-in and superadmin pages look across tenants.
ALL_TENANTS = "all_tenants"


def current_tenant() -> Tenant | None:
    """The tenant whose address is being served (or whose command runs)."""
    return g.get("tenant") if has_app_context() else None


def require_tenant() -> Tenant:
    tenant = current_tenant()
    if tenant is None:
        abort(404)
    return tenant


@contextmanager
def scoped_to(tenant: Tenant | None) -> Iterator[None]:
    """Scope queries to ``tenant`` for the duration of the block (commands, jobs)."""
    previous = g.get("tenant")
    _set_tenant(tenant)
    try:
        yield
    finally:
        _set_tenant(previous)


def _set_tenant(tenant: Tenant | None) -> None:
    # The id is kept apart: reading tenant.id from an expired instance would
    # itself run a query through the listener below.
    g.tenant = tenant
    g.tenant_id = tenant.id if tenant is not None else None


def _add_tenant_criteria(state: ORMExecuteState) -> None:
    if not (state.is_select or state.is_update or state.is_delete):
        return
    if state.execution_options.get(ALL_TENANTS):
        return
    tenant_id = g.get("tenant_id") if has_app_context() else None
    if tenant_id is None:
        return
    state.statement = state.statement.options(
        with_loader_criteria(
            TenantScoped,
            lambda cls: cls.tenant_id == tenant_id,
            include_aliases=True,
        )
    )


def get_or_404(model: type[ModelT], ident: Any) -> ModelT:
    """The row of the current tenant with this id, or 404 (never 403: ids leak nothing)."""
    row = db.session.scalar(select(model).where(model.id == ident))  # type: ignore[attr-defined]
    if row is None:
        abort(404)
    return row


def tenant_by_slug(slug: str) -> Tenant | None:
    return db.session.scalar(select(Tenant).where(Tenant.slug == slug))


def _pull_tenant(endpoint: str | None, values: dict[str, Any] | None) -> None:
    if not values or "tenant" not in values:
        return
    slug = values.pop("tenant")
    tenant = tenant_by_slug(slug)
    if tenant is None or not tenant.active:
        abort(404)
    _set_tenant(tenant)


def _add_tenant_to_urls(endpoint: str, values: dict[str, Any]) -> None:
    tenant = current_tenant()
    if tenant is None or "tenant" in values:
        return
    if current_app.url_map.is_endpoint_expecting(endpoint, "tenant"):
        values["tenant"] = tenant.slug


def _members_only() -> None:
    """A signed-in user of another tenant sees 404 on every page of this one."""
    tenant = current_tenant()
    if tenant is None or not current_user.is_authenticated:
        return
    if current_user.is_superadmin:
        return
    if current_user.tenant_id != tenant.id:
        abort(404)


def init_app(app: Flask) -> None:
    app.url_value_preprocessor(_pull_tenant)
    app.url_defaults(_add_tenant_to_urls)
    app.before_request(_members_only)


# Registered once per process: the listener reads the tenant from the app context.
if not event.contains(Session, "do_orm_execute", _add_tenant_criteria):
    event.listen(Session, "do_orm_execute", _add_tenant_criteria)
