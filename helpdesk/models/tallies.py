"""The daily tally: the tickets' figures added up per local day, for the indicators.

One :class:`DailyTally` row holds, for a tenant's local day and one
combination of service, requesting unit, department and technician, how many
tickets were received, closed with each outcome, met their SLA targets and had
their survey answered at each level. The indicators and dashboards add these
rows up instead of reading every ticket of a period (:mod:`helpdesk.tallies`).

:class:`TallyMark` keeps what each ticket last added, so a change of the ticket
takes its old share out and puts the new one in, in the same transaction.
The "none" of a unit, department or technician is 0, not NULL, because a
unique key treats NULLs as all different and the rows could not be upserted.

A count of tickets that took a step cannot be added up from days (a ticket
returned on two days of a quarter counts once in it), so :class:`StepTally`
counts them per whole month, quarter and year instead, for each step measure
listed in :class:`TalliedMeasure` (those whose every ticket has been counted).
:class:`WorkedTally` counts the concluded tickets per period, service and
bucket of worked time, so a quantile knows which bucket its rank falls in.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Date
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from helpdesk.extensions import db
from helpdesk.models.base import TenantScoped
from helpdesk.models.tickets import JsonData

# What a tally row counts, in the order of its columns.
COUNTERS = (
    "received",
    "concluded",
    "rejected",
    "withdrawn",
    # Tickets that stopped being "in progress" that day: closed, counted on the
    # later of the receipt's and the closing's day (a request may be refused
    # before the office hours that receive it begin).
    "settled",
    "sla_total",
    "sla_met",
    "respond_total",
    "respond_met",
    "resolve_total",
    "resolve_met",
    "surveys_sent",
    "surveys_answered",
    "satisfied",
    "regular",
    "unsatisfied",
)
# The unit, department or technician of a ticket that has none.
NONE = 0
DIMENSIONS = ("service_code", "unit_id", "department_id", "assignee_id")
KEY = ("tenant_id", "day", *DIMENSIONS)
# The scope of an indicator never narrows to a technician: steps are counted without.
STEP_KEY = ("tenant_id", "measure", "period", "service_code", "unit_id", "department_id")
WORKED_KEY = ("tenant_id", "period", "service_code", "unit_id", "department_id", "bucket")
# TalliedMeasure's names for the worked-time counts and the monthly tally (a
# step measure's key has a "/").
WORKED_TIME = "worked_time"
MONTHLY = "monthly_tally"


def _counter() -> Mapped[int]:
    return mapped_column(Integer, nullable=False, default=0)


class _Tally:
    """The columns of a tally row: its day, its dimensions and its counters."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, nullable=False)
    service_code: Mapped[str] = mapped_column(String(40), nullable=False)
    unit_id: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    department_id: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    assignee_id: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    received: Mapped[int] = _counter()
    concluded: Mapped[int] = _counter()
    rejected: Mapped[int] = _counter()
    withdrawn: Mapped[int] = _counter()
    settled: Mapped[int] = _counter()
    sla_total: Mapped[int] = _counter()
    sla_met: Mapped[int] = _counter()
    respond_total: Mapped[int] = _counter()
    respond_met: Mapped[int] = _counter()
    resolve_total: Mapped[int] = _counter()
    resolve_met: Mapped[int] = _counter()
    surveys_sent: Mapped[int] = _counter()
    surveys_answered: Mapped[int] = _counter()
    satisfied: Mapped[int] = _counter()
    regular: Mapped[int] = _counter()
    unsatisfied: Mapped[int] = _counter()


class DailyTally(_Tally, TenantScoped, db.Model):
    """The figures of one local day and one service, unit, department and technician."""

    __table_args__ = (
        UniqueConstraint(*KEY, name="uq_daily_tally_key"),
        Index("ix_daily_tally_tenant_day", "tenant_id", "day"),
    )


class MonthlyTally(_Tally, TenantScoped, db.Model):
    """The daily tally added up per local month (``day`` is the month's first):
    what a month, quarter or year reads, thirty times fewer rows."""

    __table_args__ = (
        UniqueConstraint(*KEY, name="uq_monthly_tally_key"),
        Index("ix_monthly_tally_tenant_day", "tenant_id", "day"),
    )


class TallyMark(db.Model):
    """What one ticket added to the tally when it was last counted.

    ``counted`` maps ``"YYYY-MM-DD|service|unit|department|technician"`` to
    the counters the ticket added to that row.
    """

    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("ticket.id", ondelete="CASCADE"), primary_key=True
    )
    tenant_id: Mapped[int] = mapped_column(
        ForeignKey("tenant.id", ondelete="CASCADE"), nullable=False, index=True
    )
    counted: Mapped[dict[str, Any]] = mapped_column(JsonData, nullable=False, default=dict)
    # The StepTally rows the ticket counts in, as "measure|period|service|unit|department".
    stepped: Mapped[list[str]] = mapped_column(
        JsonData, nullable=False, default=list, server_default="[]"
    )
    # The WorkedTally rows the ticket counts in, as "period|service|bucket".
    worked: Mapped[list[str]] = mapped_column(
        JsonData, nullable=False, default=list, server_default="[]"
    )


class StepTally(TenantScoped, db.Model):
    """How many tickets took a step measure's steps in one month, quarter or year.

    ``measure`` is the measure's key (:func:`helpdesk.tally_rules.step_key`),
    ``period`` the period's text form (``2026-05``, ``2026-Q2``, ``2026``).
    """

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    measure: Mapped[str] = mapped_column(String(255), nullable=False)
    period: Mapped[str] = mapped_column(String(10), nullable=False)
    service_code: Mapped[str] = mapped_column(String(40), nullable=False)
    unit_id: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    department_id: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    tickets: Mapped[int] = _counter()

    __table_args__ = (UniqueConstraint(*STEP_KEY, name="uq_step_tally_key"),)


class WorkedTally(TenantScoped, db.Model):
    """How many tickets concluded in a month, quarter or year worked a time in a
    bucket (:func:`helpdesk.tally_rules.bucket`): where a quantile's rank falls."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period: Mapped[str] = mapped_column(String(10), nullable=False)
    service_code: Mapped[str] = mapped_column(String(40), nullable=False)
    unit_id: Mapped[int] = mapped_column(Integer, nullable=False)
    department_id: Mapped[int] = mapped_column(Integer, nullable=False)
    bucket: Mapped[int] = mapped_column(Integer, nullable=False)
    tickets: Mapped[int] = _counter()

    __table_args__ = (UniqueConstraint(*WORKED_KEY, name="uq_worked_tally_key"),)


class TalliedMeasure(db.Model):
    """A measure whose tickets are all counted: a step measure's key, whose
    rows are in :class:`StepTally`, or :data:`WORKED_TIME` for :class:`WorkedTally`.

    Until ``helpdesk init-db`` has counted a newly declared measure (or the
    worked times, after the upgrade that added them) over the tickets already
    filed, the indicators read the events and tickets instead.
    """

    measure: Mapped[str] = mapped_column(String(255), primary_key=True)
