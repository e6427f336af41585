"""Who carries the load, and how figures move over time: aggregate SQL for the dashboards.

:func:`breakdown` splits a :class:`~helpdesk.indicators.Scope`'s tickets by
department, technician (assignee), requesting unit, service or tenant, one
GROUP BY each; :func:`series` counts the general figures (received, concluded,
units served, SLA compliance, satisfaction levels) for a list of periods
(the twelve months of a trend, the years of the CAU table) in one GROUP BY
whatever the number of periods. Both add up the daily tally
(:mod:`helpdesk.tallies`), whose rules are the indicator engine's own: a
ticket meets its SLA when none of its clocks used more than its budget.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_
from sqlalchemy import case
from sqlalchemy import func
from sqlalchemy import literal_column
from sqlalchemy import select
from sqlalchemy.sql.elements import ColumnElement

from helpdesk import plugins
from helpdesk.extensions import db
from helpdesk.indicators import Scope
from helpdesk.indicators import scoped
from helpdesk.indicators import tally_for
from helpdesk.models import Department
from helpdesk.models import Tenant
from helpdesk.models import Unit
from helpdesk.models import User
from helpdesk.models.tallies import NONE
from helpdesk.periods import Period

DEPARTMENT, AGENT, UNIT, SERVICE, TENANT = "department", "agent", "unit", "service", "tenant"
# The tally's column of each dimension.
DIMENSIONS: dict[str, str] = {
    DEPARTMENT: "department_id",
    AGENT: "assignee_id",
    UNIT: "unit_id",
    SERVICE: "service_code",
    TENANT: "tenant_id",
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

    def of_services(self, rating: str | None) -> float | None:
        """The share (%) of the concluded services whose survey was rated
        ``rating`` (None: not answered), as the CAU document reports its
        satisfaction: its three levels need not add up to 100."""
        part = self.concluded - self.answered if rating is None else getattr(self, rating)
        return percent(part, self.concluded)

    @property
    def response_rate(self) -> float | None:
        return percent(self.answered, self.sent)


# -- sums over the daily tally -----------------------------------------------------------


def _sum(column: Any, *conditions: ColumnElement[bool]) -> Any:
    """The sum of a tally counter over the rows meeting ``conditions``."""
    value = case((and_(*conditions), column), else_=0) if conditions else column
    return func.coalesce(func.sum(value), 0)


def _key(dimension: str, model: Any) -> Any:
    """The tally's column for a dimension, its "none" (0) read as NULL."""
    column = getattr(model, DIMENSIONS[dimension])
    return (
        column if dimension in (SERVICE, TENANT) else func.nullif(column, literal_column(str(NONE)))
    )


# -- breakdowns --------------------------------------------------------------------------


def breakdown(scope: Scope, dimension: str, *, satisfaction: bool = False) -> list[Load]:
    """The scope's tickets per ``dimension``: received and concluded in the period,
    open at its end, SLA compliance of the concluded; busiest first.

    One GROUP BY over the tally rows up to the period's end (open at the end is
    every reception before it less every ticket settled before it).

    :param satisfaction: also count the answered surveys.
    """
    tally = scope.tally()
    key = _key(dimension, tally)
    in_period = and_(*scope.days())
    rows = db.session.execute(
        scoped(
            select(
                key.label("key"),
                _sum(tally.received, in_period).label("received"),
                _sum(tally.concluded, in_period).label("concluded"),
                func.coalesce(func.sum(tally.received - tally.settled), 0).label("open_at_end"),
                _sum(tally.sla_met, in_period).label("sla_met"),
                _sum(tally.sla_total, in_period).label("sla_total"),
                _sum(tally.satisfied, in_period).label("satisfied"),
                _sum(tally.surveys_answered, in_period).label("answered"),
            )
            .where(*scope.tally_filters(), *scope.days_before_end())
            .group_by(key)
        )
    ).all()
    labels = _labels(dimension, [row.key for row in rows], scope.tenant_id is None)
    found = []
    for row in rows:
        counts = {name: int(getattr(row, name)) for name in _LOAD_COUNTS}
        if not satisfaction:
            counts.update(satisfied=0, answered=0)
        # Rows of tickets long closed and nothing in the period are no load.
        if any(counts.values()):
            found.append(Load(key=row.key, label=labels.get(row.key), **counts))
    return sorted(found, key=_busiest_first)


_LOAD_COUNTS = (
    "received",
    "concluded",
    "open_at_end",
    "sla_met",
    "sla_total",
    "satisfied",
    "answered",
)


def _busiest_first(row: Load) -> tuple[Any, ...]:
    return (row.key is None, -row.received, -row.concluded, -row.open_at_end, row.label or "")


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


def _bucket(edges: Sequence[tuple[Any, Any]], tally: Any) -> Any:
    """The index of the period a tally row's day falls in (NULL outside all of them)."""
    return case(
        *(
            (and_(tally.day >= start, tally.day < end), index)
            for index, (start, end) in enumerate(edges)
        ),
        else_=None,
    )


def series(scope: Scope, buckets: Sequence[Period]) -> list[Figures]:
    """The general figures of each of ``buckets`` (the scope's period is ignored),
    in one GROUP BY over the tally rows of their days."""
    if not buckets:
        return []
    edges = [(bucket.start, bucket.end) for bucket in buckets]
    first, last = min(start for start, _ in edges), max(end for _, end in edges)
    tally = tally_for(buckets)
    rows = (
        select(_bucket(edges, tally).label("bucket"), tally)
        .where(*scope.filters_on(tally), tally.day >= first, tally.day < last)
        .subquery()
    )
    served = case((and_(rows.c.concluded > 0, rows.c.unit_id != NONE), rows.c.unit_id))
    statement = (
        select(
            rows.c.bucket,
            *(
                func.coalesce(func.sum(rows.c[column]), 0).label(name)
                for name, column in _SERIES_COUNTS.items()
            ),
            func.count(func.distinct(served)).label("units_served"),
        )
        .where(rows.c.bucket.is_not(None))
        .group_by(rows.c.bucket)
    )
    names = (*_SERIES_COUNTS, "units_served")
    found = {
        int(bucket): {name: int(value) for name, value in zip(names, values, strict=True)}
        for bucket, *values in db.session.execute(scoped(statement))
    }
    return [Figures(period=bucket, **found.get(index, {})) for index, bucket in enumerate(buckets)]


# Figures' fields and the tally counters they add up.
_SERIES_COUNTS = {
    "received": "received",
    "concluded": "concluded",
    "sla_met": "sla_met",
    "sla_total": "sla_total",
    **{rating: rating for rating in ("satisfied", "regular", "unsatisfied")},
    "answered": "surveys_answered",
    "sent": "surveys_sent",
}
