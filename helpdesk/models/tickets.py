"""Tickets (requests), their append-only event log, attachments and links."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlalchemy import BigInteger
from sqlalchemy import DateTime
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy import event
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from helpdesk.extensions import db
from helpdesk.models.accounts import User
from helpdesk.models.base import TenantScoped
from helpdesk.models.base import created_at_column
from helpdesk.models.tenancy import Department
from helpdesk.models.tenancy import Unit

# JSONB on PostgreSQL (indexable, compact), plain JSON text elsewhere.
JsonData = JSON().with_variant(JSONB(), "postgresql")

CHANNELS = ("portal", "phone", "oficio", "email", "cli")


class Ticket(TenantScoped, db.Model):
    """A request. ``state`` is written only by :func:`helpdesk.workflow.apply`."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    folio: Mapped[str] = mapped_column(String(60), nullable=False)
    service_code: Mapped[str] = mapped_column(String(40), nullable=False)
    state: Mapped[str] = mapped_column(String(40), nullable=False)
    channel: Mapped[str] = mapped_column(String(10), nullable=False, default="portal")
    requester_id: Mapped[int] = mapped_column(ForeignKey("user.id"), nullable=False)
    filed_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"), nullable=False)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="SET NULL"))
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("department.id", ondelete="SET NULL")
    )
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    liaison: Mapped[dict[str, Any] | None] = mapped_column(JsonData)
    data: Mapped[dict[str, Any]] = mapped_column(JsonData, nullable=False, default=dict)
    summary: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    created_at: Mapped[datetime] = created_at_column()
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # How a closed ticket ended (its closing state's outcome: concluded,
    # rejected, withdrawn) and the business time it was worked, waits excluded;
    # both stored at closing so the indicators are plain aggregates.
    outcome: Mapped[str | None] = mapped_column(String(20))
    work_seconds: Mapped[int | None] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    requester: Mapped[User] = relationship(foreign_keys=[requester_id])
    filed_by: Mapped[User] = relationship(foreign_keys=[filed_by_id])
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    unit: Mapped[Unit | None] = relationship()
    department: Mapped[Department | None] = relationship()
    events: Mapped[list[TicketEvent]] = relationship(
        back_populates="ticket", order_by="TicketEvent.seq", cascade="all, delete-orphan"
    )
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="ticket", order_by="Attachment.id", cascade="all, delete-orphan"
    )

    # Optimistic locking: an UPDATE that finds another version raises
    # StaleDataError, so two concurrent transitions never both apply.
    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        UniqueConstraint("tenant_id", "folio"),
        Index("ix_ticket_tenant_state", "tenant_id", "state"),
        Index("ix_ticket_tenant_service", "tenant_id", "service_code"),
        Index("ix_ticket_requester", "requester_id"),
        Index("ix_ticket_tenant_received", "tenant_id", "received_at"),
        Index("ix_ticket_tenant_closed", "tenant_id", "closed_at"),
        # A quantile of worked time seeks its rank here within the bucket the
        # worked-time counts (WorkedTally) say it falls in; the unit and the
        # department are in it so a narrowed scope reads no ticket row.
        Index(
            "ix_ticket_worked_seconds",
            "tenant_id",
            "outcome",
            "work_seconds",
            "closed_at",
            "service_code",
            "unit_id",
            "department_id",
        ),
        # The quantiles of worked time (measures.WorkTime) read only this index.
        Index(
            "ix_ticket_worked",
            "tenant_id",
            "outcome",
            "closed_at",
            "service_code",
            "work_seconds",
        ),
    )


class TicketEvent(TenantScoped, db.Model):
    """One step of a ticket: who, when, which transition, from and to, why, what changed."""

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("ticket.id", ondelete="CASCADE"), nullable=False
    )
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    # The ticket's service, which never changes: a count of the tickets of a
    # service that took a step reads the step indexes alone, no ticket row.
    service_code: Mapped[str] = mapped_column(String(40), nullable=False)
    at: Mapped[datetime] = created_at_column()
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    transition: Mapped[str] = mapped_column(String(40), nullable=False)
    from_state: Mapped[str | None] = mapped_column(String(40))
    to_state: Mapped[str] = mapped_column(String(40), nullable=False)
    reason: Mapped[str | None] = mapped_column(Text)
    changes: Mapped[dict[str, Any]] = mapped_column(JsonData, nullable=False, default=dict)

    ticket: Mapped[Ticket] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()

    __table_args__ = (
        UniqueConstraint("ticket_id", "seq"),
        # The indicators count steps taken in a period.
        Index("ix_ticket_event_tenant_at", "tenant_id", "at"),
        # Steps of one kind are few among all: measures.Stepped finds them by name.
        # The tenant comes first or SQLite prefers the (tenant, at) index for
        # more than two names and reads every event of the period.
        # The service, the ticket (and the state left) are in them so a count
        # of tickets reads no event row, nor a ticket's unless the scope is a
        # unit or department.
        Index(
            "ix_ticket_event_tenant_transition_at",
            "tenant_id",
            "transition",
            "at",
            "service_code",
            "ticket_id",
        ),
        Index(
            "ix_ticket_event_tenant_to_state_at",
            "tenant_id",
            "to_state",
            "at",
            "from_state",
            "service_code",
            "ticket_id",
        ),
    )


class Attachment(TenantScoped, db.Model):
    """A file of a ticket, stored under a generated name by :mod:`helpdesk.storage`."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("ticket.id", ondelete="CASCADE"), nullable=False, index=True
    )
    event_id: Mapped[int | None] = mapped_column(ForeignKey("ticket_event.id"))
    original_name: Mapped[str] = mapped_column(String(255), nullable=False)
    storage_key: Mapped[str] = mapped_column(String(100), nullable=False, unique=True)
    content_type: Mapped[str] = mapped_column(String(100), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = created_at_column()

    ticket: Mapped[Ticket] = relationship(back_populates="attachments")


class TicketLink(TenantScoped, db.Model):
    """A hand-off: ``source`` opened ``target`` in another service (P02 → P08, P10 → dictamen)."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(
        ForeignKey("ticket.id", ondelete="CASCADE"), nullable=False, index=True
    )
    target_id: Mapped[int] = mapped_column(
        ForeignKey("ticket.id", ondelete="CASCADE"), nullable=False, index=True
    )
    kind: Mapped[str] = mapped_column(String(40), nullable=False, default="hand_off")
    created_at: Mapped[datetime] = created_at_column()

    source: Mapped[Ticket] = relationship(foreign_keys=[source_id])
    target: Mapped[Ticket] = relationship(foreign_keys=[target_id])


class FolioCounter(TenantScoped, db.Model):
    """The last folio number given in one series (tenant, service, year)."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_code: Mapped[str] = mapped_column(String(40), nullable=False)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    last_value: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    __table_args__ = (UniqueConstraint("tenant_id", "service_code", "year"),)


class AppendOnlyError(RuntimeError):
    """An event of the log was about to be changed or deleted."""


@event.listens_for(TicketEvent, "before_update")
def _events_are_never_updated(mapper: Any, connection: Any, target: TicketEvent) -> None:
    raise AppendOnlyError(f"ticket event {target.id} is append-only")


@event.listens_for(TicketEvent, "before_delete")
def _events_are_never_deleted(mapper: Any, connection: Any, target: TicketEvent) -> None:
    raise AppendOnlyError(f"ticket event {target.id} is append-only")
