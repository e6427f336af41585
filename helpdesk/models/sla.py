"""SLA clocks: one row per ticket and target, recomputed from the event log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from helpdesk.extensions import db
from helpdesk.models.base import TenantScoped
from helpdesk.models.tickets import Ticket

SLA_TARGETS = ("respond", "resolve")
ALERT_LEVELS = ("", "at_risk", "breached")


class SlaClock(TenantScoped, db.Model):
    """Where one target of a ticket stands, stored so queues and the monitor query it.

    Written by :func:`helpdesk.sla.refresh` on every transition (the log is the
    truth; this row can be recomputed at any time) and, for ``alerted`` only,
    by the sweep. While the clock is stopped ``due_at`` and ``risk_at`` are
    None; ``met_at`` is set once the target is reached.
    """

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("ticket.id", ondelete="CASCADE"), nullable=False
    )
    target: Mapped[str] = mapped_column(String(10), nullable=False)
    budget_seconds: Mapped[int] = mapped_column(Integer, nullable=False)
    # Business time used up to ``resumed_at`` (or up to the stop, or to met_at).
    used_seconds: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    resumed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    risk_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    met_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The last alert the sweep announced ("", "at_risk", "breached").
    alerted: Mapped[str] = mapped_column(String(10), nullable=False, default="")

    ticket: Mapped[Ticket] = relationship()

    __table_args__ = (
        UniqueConstraint("ticket_id", "target"),
        Index("ix_sla_clock_tenant_due", "tenant_id", "due_at"),
        Index("ix_sla_clock_tenant_met", "tenant_id", "met_at"),
        # The response times read one target's clocks stopped in a period.
        Index("ix_sla_clock_tenant_target_met", "tenant_id", "target", "met_at"),
    )
