"""Who carries the load, and how figures move over time: aggregate SQL for the dashboards.

:func:`breakdown` splits a :class:`~helpdesk.indicators.Scope`'s tickets by
department, technician (assignee), requesting unit, service or tenant, one
GROUP BY each; :func:`series` counts the general figures (received, concluded,
units served, SLA compliance, satisfaction levels) for a list of periods
(the twelve months of a trend, the years of the CAU table) in three GROUP BY
queries whatever the number of periods. Nothing loops over tickets in
Python, and every rule is the indicator engine's own (:mod:`helpdesk.indicators`):
a ticket meets its SLA when none of its clocks used more than its budget.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_
from sqlalchemy import case
from sqlalchemy import exists
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.sql.elements import ColumnElement

from helpdesk import periods
from helpdesk import plugins
from helpdesk.extensions import db
from helpdesk.indicators import Scope
from helpdesk.indicators import scoped
from helpdesk.measures import CONCLUDED
from helpdesk.models import Department
from helpdesk.models import SlaClock
from helpdesk.models import Survey
from helpdesk.models import Tenant
from helpdesk.models import Ticket
from helpdesk.models import Unit
from helpdesk.models import User
from helpdesk.periods import Period

DEPARTMENT, AGENT, UNIT, SERVICE, TENANT = "department", "agent", "unit", "service", "tenant"
DIMENSIONS: dict[str, Any] = {
    DEPARTMENT: Ticket.department_id,
    AGENT: Ticket.assignee_id,
    UNIT: Ticket.unit_id,
    SERVICE: Ticket.service_code,
    TENANT: Ticket.tenant_id,
}
RATINGS = ("satisfied", "regular", "unsatisfied")


def percent(part: float, whole: float) -> float | None:
    """``part / whole × 100`` rounded as the indicator engine rounds; None when whole is 0."""
    return round(part / whole * 100.0, 2) if whole else None


@dataclass(frozen=True)
class Load:
    """One row of a breakdown: a department, technician, unit, service or tenant.

    ``key`` is None for the tickets without one (no technician yet, no unit);
    ``label`` is the name to show (None for those).
    """

    key: int | str | None
    label: str | None
    received: int = 0
    concluded: int = 0
    open_at_end: int = 0
    sla_met: int = 0
    sla_total: int = 0
    satisfied: int = 0
    answered: int = 0

    @property
    def sla_compliance(self) -> float | None:
        return percent(self.sla_met, self.sla_total)

    @property
    def satisfaction(self) -> float | None:
        return percent(self.satisfied, self.answered)


@dataclass(frozen=True)
class Figures:
    """The general figures of one period (a month of a trend, a year of the CAU table)."""

    period: Period
    received: int = 0
    concluded: int = 0
    units_served: int = 0
    sla_met: int = 0
    sla_total: int = 0
    satisfied: int = 0
    regular: int = 0
    unsatisfied: int = 0
    answered: int = 0
    sent: int = 0

    @property
    def sla_compliance(self) -> float | None:
        return percent(self.sla_met, self.sla_total)

    def level(self, rating: str) -> float | None:
        """The share (%) of the answered surveys rated ``rating``."""
        return percent(getattr(self, rating), self.answered)

    @property
    def response_rate(self) -> float | None:
        return percent(self.answered, self.sent)


# -- the engine's rules, as SQL expressions ---------------------------------------------


def _clocks(*where: ColumnElement[bool]) -> ColumnElement[bool]:
    return exists().where(SlaClock.ticket_id == Ticket.id, *where)


def _sla_counted() -> ColumnElement[bool]:
    """The ticket has SLA targets (indicators._sla_compliance's denominator)."""
    return _clocks()


def _sla_met() -> ColumnElement[bool]:
    """The ticket has targets and none was overrun."""
    return and_(_clocks(), ~_clocks(SlaClock.used_seconds > SlaClock.budget_seconds))


def _concluded_between(start: Any, end: Any) -> ColumnElement[bool]:
    return and_(Ticket.closed_at >= start, Ticket.closed_at < end, Ticket.outcome == CONCLUDED)


def _sum(condition: ColumnElement[bool]) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


# -- breakdowns --------------------------------------------------------------------------


def breakdown(scope: Scope, dimension: str, *, satisfaction: bool = False) -> list[Load]:
    """The scope's tickets per ``dimension``: received and concluded in the period,
    open at its end, SLA compliance of the concluded; busiest first.

    :param satisfaction: also count the answered surveys (one more query).
    """
    key = DIMENSIONS[dimension]
    concluded = scope.closed()
    still_open = and_(
        Ticket.received_at < scope.end,
        or_(Ticket.closed_at.is_(None), Ticket.closed_at >= scope.end),
    )
    rows = db.session.execute(
        scoped(
            select(
                key.label("key"),
                _sum(scope.received()).label("received"),
                _sum(concluded).label("concluded"),
                _sum(still_open).label("open_at_end"),
                _sum(and_(concluded, _sla_met())).label("sla_met"),
                _sum(and_(concluded, _sla_counted())).label("sla_total"),
            )
            # Only the tickets alive during the period can count in any column.
            .where(
                *scope.ticket_filters(),
                Ticket.received_at < scope.end,
                or_(Ticket.closed_at.is_(None), Ticket.closed_at >= scope.start),
            )
            .group_by(key)
        )
    ).all()
    surveys = _surveys_by(scope, key) if satisfaction else {}
    labels = _labels(dimension, [row.key for row in rows], scope.tenant_id is None)
    found = [
        Load(
            key=row.key,
            label=labels.get(row.key),
            received=int(row.received),
            concluded=int(row.concluded),
            open_at_end=int(row.open_at_end),
            sla_met=int(row.sla_met),
            sla_total=int(row.sla_total),
            **surveys.get(row.key, {}),
        )
        for row in rows
    ]
    return sorted(found, key=_busiest_first)


def _busiest_first(row: Load) -> tuple[Any, ...]:
    return (row.key is None, -row.received, -row.concluded, -row.open_at_end, row.label or "")


def _surveys_by(scope: Scope, key: Any) -> dict[Any, dict[str, int]]:
    rows = db.session.execute(
        scoped(
            select(
                key.label("key"),
                _sum(Survey.rating == "satisfied").label("satisfied"),
                _sum(Survey.answered_at.is_not(None)).label("answered"),
            )
            .select_from(Survey)
            .join(Ticket, Ticket.id == Survey.ticket_id)
            .where(*scope.ticket_filters(), scope.closed())
            .group_by(key)
        )
    ).all()
    return {
        row.key: {"satisfied": int(row.satisfied), "answered": int(row.answered)} for row in rows
    }


def _labels(dimension: str, keys: Sequence[Any], every_tenant: bool) -> dict[Any, str]:
    """Names for the keys of a breakdown: one query (none for services).

    Across tenants a department, person or unit is named with its tenant, since
    two governments may both have a "Secretaría de Salud".
    """
    wanted = [k for k in keys if k is not None]
    if dimension == SERVICE:
        catalog = plugins.host().catalog
        return {code: (s.name if (s := catalog.get(code)) else code) for code in wanted}
    if not wanted:
        return {}
    if dimension == TENANT:
        statement = select(Tenant.id, Tenant.name).where(Tenant.id.in_(wanted))
        return {ident: name for ident, name in db.session.execute(statement)}
    model = {DEPARTMENT: Department, AGENT: User, UNIT: Unit}[dimension]
    rows = db.session.execute(
        select(model.id, model.name, Tenant.name)
        .outerjoin(Tenant, Tenant.id == model.tenant_id)
        .where(model.id.in_(wanted))
    ).all()
    if every_tenant:
        return {ident: f"{name} ({tenant})" if tenant else name for ident, name, tenant in rows}
    return {ident: name for ident, name, _ in rows}


def tenants(scope: Scope) -> list[Load]:
    """One row per tenant, those without tickets included, for the superadmin's comparison."""
    found = {row.key: row for row in breakdown(scope, TENANT, satisfaction=True)}
    every = db.session.execute(select(Tenant.id, Tenant.name).order_by(Tenant.name)).all()
    return [found.get(ident) or Load(key=ident, label=name) for ident, name in every]


# -- figures per period ------------------------------------------------------------------


def _bucket(column: Any, edges: Sequence[tuple[Any, Any]]) -> Any:
    """The index of the period ``column`` falls in (NULL outside all of them)."""
    return case(
        *((and_(column >= start, column < end), index) for index, (start, end) in enumerate(edges)),
        else_=None,
    )


def series(scope: Scope, buckets: Sequence[Period]) -> list[Figures]:
    """The general figures of each of ``buckets`` (the scope's period is ignored).

    Three queries in all: receptions, conclusions, surveys; each groups its
    rows by period in SQL.
    """
    if not buckets:
        return []
    edges = [periods.bounds(bucket, scope.zone) for bucket in buckets]
    first, last = min(start for start, _ in edges), max(end for _, end in edges)
    filters = scope.ticket_filters()

    received = select(_bucket(Ticket.received_at, edges).label("bucket"), Ticket.id).where(
        *filters, Ticket.received_at >= first, Ticket.received_at < last
    )
    received_rows = _grouped(received.subquery(), lambda q: [func.count(q.c.id).label("received")])

    concluded = select(
        _bucket(Ticket.closed_at, edges).label("bucket"),
        Ticket.id,
        Ticket.unit_id,
        case((_sla_counted(), 1), else_=0).label("counted"),
        case((_sla_met(), 1), else_=0).label("met"),
    ).where(*filters, _concluded_between(first, last))
    concluded_rows = _grouped(
        concluded.subquery(),
        lambda q: [
            func.count(q.c.id).label("concluded"),
            func.count(func.distinct(q.c.unit_id)).label("units_served"),
            func.coalesce(func.sum(q.c.counted), 0).label("sla_total"),
            func.coalesce(func.sum(q.c.met), 0).label("sla_met"),
        ],
    )

    surveys = (
        select(
            _bucket(Ticket.closed_at, edges).label("bucket"),
            Survey.id,
            Survey.rating,
            Survey.answered_at,
        )
        .select_from(Survey)
        .join(Ticket, Ticket.id == Survey.ticket_id)
        .where(*filters, _concluded_between(first, last))
    )
    survey_rows = _grouped(
        surveys.subquery(),
        lambda q: [
            *(_sum(q.c.rating == rating).label(rating) for rating in RATINGS),
            _sum(q.c.answered_at.is_not(None)).label("answered"),
            func.count(q.c.id).label("sent"),
        ],
    )
    return [
        Figures(
            period=bucket,
            **received_rows.get(index, {}),
            **concluded_rows.get(index, {}),
            **survey_rows.get(index, {}),
        )
        for index, bucket in enumerate(buckets)
    ]


def _grouped(rows: Any, columns: Any) -> dict[int, dict[str, int]]:
    """``{bucket: {column: value}}`` grouping a subquery by its ``bucket`` column.

    Grouped outside the subquery: PostgreSQL would not match a GROUP BY
    expression whose bound parameters differ from the SELECT's.
    """
    statement = (
        select(rows.c.bucket, *columns(rows))
        .where(rows.c.bucket.is_not(None))
        .group_by(rows.c.bucket)
    )
    found = {}
    for row in db.session.execute(scoped(statement)):
        values = row._asdict()
        bucket = int(values.pop("bucket"))
        found[bucket] = {name: int(value) for name, value in values.items()}
    return found
