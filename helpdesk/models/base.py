"""Shared column helpers and the marker for rows that belong to one tenant."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime

from sqlalchemy import DateTime
from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import declared_attr
from sqlalchemy.orm import mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


class TenantScoped:
    """A row owned by one tenant.

    Every SELECT of a subclass is filtered to the current tenant by
    :mod:`helpdesk.tenancy` (the one place scoping happens), so a view that
    asks for another tenant's row by id simply finds nothing and answers 404.
    """

    @declared_attr
    def tenant_id(cls) -> Mapped[int]:  # noqa: N805 - SQLAlchemy passes the class
        return mapped_column(
            Integer, ForeignKey("tenant.id", ondelete="CASCADE"), nullable=False, index=True
        )


def created_at_column() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)
