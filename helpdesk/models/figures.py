"""Figures an office records by hand, month by month, for the indicators that need them."""

from __future__ import annotations

from datetime import date
from datetime import datetime

from sqlalchemy import Date
from sqlalchemy import DateTime
from sqlalchemy import Float
from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from helpdesk.extensions import db
from helpdesk.models.accounts import User
from helpdesk.models.base import TenantScoped


class RecordedFigure(TenantScoped, db.Model):
    """One month's value of a figure the help desk cannot count itself.

    PSDT-06 counts new and current followers with the social networks' own
    statistics (RSDT-06.02); the office types them in once a month. ``figure``
    is the key a :class:`~helpdesk.measures.Recorded` measure names, unique
    across plugins; ``month`` is the first day of the month.
    """

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    figure: Mapped[str] = mapped_column(String(60), nullable=False)
    month: Mapped[date] = mapped_column(Date, nullable=False)
    value: Mapped[float] = mapped_column(Float, nullable=False)
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)

    recorded_by: Mapped[User | None] = relationship()

    __table_args__ = (UniqueConstraint("tenant_id", "figure", "month"),)
