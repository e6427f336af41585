"""Satisfaction surveys sent after a request is concluded, and their answers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint
from sqlalchemy import DateTime
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from helpdesk.extensions import db
from helpdesk.models.accounts import User
from helpdesk.models.base import TenantScoped
from helpdesk.models.base import created_at_column
from helpdesk.models.tickets import JsonData
from helpdesk.models.tickets import Ticket

# The CAU document's three-level scale (Satisfecho / Regular / Insatisfecho).
RATINGS = ("satisfied", "regular", "unsatisfied")


class Survey(TenantScoped, db.Model):
    """One survey per concluded ticket, answered once.

    The link's token is never stored: ``token_hash`` (SHA-256) finds the row
    and ``nonce`` lets the server rebuild the token, with its secret key, for
    the reminder. ``remind_at`` is computed in business days when the survey is
    created, so the reminder query is a plain comparison.
    """

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("ticket.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    requester_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    service_code: Mapped[str] = mapped_column(String(40), nullable=False)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    nonce: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = created_at_column()
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    remind_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    rating: Mapped[str | None] = mapped_column(String(12))
    comment: Mapped[str | None] = mapped_column(Text)
    # The service's own questions (a plugin's), by question code.
    answers: Mapped[dict[str, Any]] = mapped_column(JsonData, nullable=False, default=dict)
    # An unsatisfied answer is followed up by the coordination.
    followed_up_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    followed_up_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL")
    )
    follow_up_note: Mapped[str | None] = mapped_column(Text)

    ticket: Mapped[Ticket] = relationship()
    requester: Mapped[User | None] = relationship(foreign_keys=[requester_id])
    followed_up_by: Mapped[User | None] = relationship(foreign_keys=[followed_up_by_id])

    __table_args__ = (
        Index("ix_survey_tenant_answered", "tenant_id", "answered_at"),
        Index("ix_survey_remind", "remind_at"),
        CheckConstraint(
            f"rating IS NULL OR rating IN {RATINGS!r}",
            name="rating",
        ),
    )
