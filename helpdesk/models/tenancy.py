"""Tenants (municipalities and state governments), their offices and service settings."""

from __future__ import annotations

from datetime import date
from datetime import datetime

from sqlalchemy import JSON
from sqlalchemy import Boolean
from sqlalchemy import CheckConstraint
from sqlalchemy import Date
from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from helpdesk.extensions import db
from helpdesk.models.base import TenantScoped
from helpdesk.models.base import created_at_column

TENANT_KINDS = ("municipality", "state")
UNIT_KINDS = ("dependencia", "organismo", "external")
DURATION_UNITS = ("hours", "days")


class Tenant(db.Model):
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False, default="municipality")
    timezone: Mapped[str] = mapped_column(String(64), nullable=False, default="America/Mexico_City")
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    # None means the default pattern (see helpdesk.folios.DEFAULT_PATTERN).
    folio_pattern: Mapped[str | None] = mapped_column(String(80))
    # Weekly office hours (helpdesk.office_hours JSON); None means Monday to
    # Friday 9:00-16:00, the receiving hours of the documents.
    office_hours: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = created_at_column()

    __table_args__ = (CheckConstraint(f"kind IN {TENANT_KINDS!r}", name="kind"),)

    def __repr__(self) -> str:
        return f"<Tenant {self.slug}>"


class Unit(TenantScoped, db.Model):
    """A requesting office (dependencia, organismo) or an external group of requesters."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    acronym: Mapped[str | None] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(20), nullable=False, default="dependencia")
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)

    __table_args__ = (
        UniqueConstraint("tenant_id", "name"),
        CheckConstraint(f"kind IN {UNIT_KINDS!r}", name="kind"),
    )


class Department(TenantScoped, db.Model):
    """An office that handles services (DCII, DGD, Contenidos, Mesa de Ayuda …)."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)

    __table_args__ = (UniqueConstraint("tenant_id", "code"),)


class TenantService(TenantScoped, db.Model):
    """Whether a tenant offers a catalog service, and its local overrides.

    Empty override columns mean "use the plugin's default".
    """

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_code: Mapped[str] = mapped_column(String(40), nullable=False)
    enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("department.id", ondelete="SET NULL")
    )
    respond_amount: Mapped[int | None] = mapped_column(Integer)
    respond_unit: Mapped[str | None] = mapped_column(String(10))
    resolve_amount: Mapped[int | None] = mapped_column(Integer)
    resolve_unit: Mapped[str | None] = mapped_column(String(10))
    office_hours: Mapped[dict | None] = mapped_column(JSON)

    department: Mapped[Department | None] = relationship()

    __table_args__ = (
        UniqueConstraint("tenant_id", "service_code"),
        CheckConstraint("respond_amount IS NULL OR respond_amount > 0", name="respond_positive"),
        CheckConstraint("resolve_amount IS NULL OR resolve_amount > 0", name="resolve_positive"),
    )


class NonWorkingDay(TenantScoped, db.Model):
    """A tenant's change to the official calendar of rest days.

    ``working=False`` adds a non-working day of its own (a vacation period, a
    local holiday); ``working=True`` marks an official rest day (Ley Federal
    del Trabajo, art. 74, from the ``holidays`` package) as worked here.
    """

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, nullable=False)
    name: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    working: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    __table_args__ = (UniqueConstraint("tenant_id", "day"),)
