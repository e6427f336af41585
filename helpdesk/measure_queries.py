"""How each kind of measure (:mod:`helpdesk.measures`) is computed: aggregate SQL.

Each measure of a :class:`~helpdesk.scopes.Scope` becomes one aggregate query
(two for a quantile on SQLite); nothing loops over tickets in Python. The
counts, SLA compliance and survey figures add up the daily or monthly tally
(:mod:`helpdesk.tallies`), whose size grows with days and offices, not with
tickets; so do the counts of steps of a month, quarter or year (the step
counts). A quantile of worked time in a month, quarter or year finds from the
worked-time counts the bucket its rank falls in and reads the exact value from
the tickets' index on worked seconds, a few thousand entries at most. Custom
ranges of days, and scopes of one unit or department, read the tickets and
events through their own indexes.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from sqlalchemy import Integer
from sqlalchemy import Select
from sqlalchemy import any_
from sqlalchemy import cast
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import union
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from helpdesk import measures
from helpdesk import periods
from helpdesk import tally_rules
from helpdesk.extensions import db
from helpdesk.models import RecordedFigure
from helpdesk.models import SlaClock
from helpdesk.models import StepTally
from helpdesk.models import TalliedMeasure
from helpdesk.models import Ticket
from helpdesk.models import TicketEvent
from helpdesk.models import WorkedTally
from helpdesk.models.tallies import COUNTERS
from helpdesk.models.tallies import NONE
from helpdesk.models.tallies import WORKED_TIME
from helpdesk.scopes import IndicatorError
from helpdesk.scopes import Scope
from helpdesk.scopes import Tally
from helpdesk.scopes import once
from helpdesk.scopes import scoped

HOUR = 3600.0
# The most worked seconds a ticket's INTEGER column holds; the last bucket's end
# lies past it, and PostgreSQL refuses a comparison with a larger number.
MOST_SECONDS = 2**31 - 1

# (value, numerator, denominator)
Triple = tuple[float | None, float | None, float | None]


def _tallied_measure(name: str) -> bool:
    """Whether ``helpdesk init-db`` has counted the measure ``name``."""
    return bool(once(("tallied", name), lambda: db.session.get(TalliedMeasure, name) is not None))


def _count(statement: Select) -> int:
    return int(db.session.scalar(scoped(statement)) or 0)


def _percent(part: float, whole: float, scale: float = 100.0) -> float | None:
    return round(part / whole * scale, 2) if whole else None


def _quantile(column: ColumnElement, statement: Select, quantile: float) -> float | None:
    """The ``quantile`` of ``column`` over ``statement``'s rows, interpolated
    linearly between the two nearest ranks (as PostgreSQL's percentile_cont)."""
    if db.session.get_bind().dialect.name == "postgresql":
        found = db.session.scalar(
            scoped(statement.with_only_columns(func.percentile_cont(quantile).within_group(column)))
        )
        return None if found is None else float(found)
    count = _count(statement.with_only_columns(func.count(column)))
    if not count:
        return None
    position = quantile * (count - 1)
    lower = math.floor(position)
    values = list(
        db.session.scalars(
            scoped(statement.with_only_columns(column).order_by(column).offset(lower).limit(2))
        )
    )
    return _between(values, position - lower)


def _between(values: list[Any], fraction: float) -> float:
    """Linear interpolation from the value at a rank towards the next one."""
    if len(values) == 1 or not fraction:
        return float(values[0])
    return float(values[0]) + (float(values[1]) - float(values[0])) * fraction


def _work_time(measure: measures.WorkTime, scope: Scope) -> float | None:
    """The quantile of the business seconds worked by the scope's concluded tickets.

    The worked-time counts say how many tickets of the scope fall in each
    bucket of worked time (:func:`_worked_buckets`), so the bucket of each
    rank the quantile needs is known and only that bucket's tickets are read,
    in order, from the tickets' index on worked seconds (:func:`_worked_at`).
    Until ``helpdesk init-db`` has filled the counts, every ticket of the
    scope is read (:func:`_quantile`).
    """
    statement = select(Ticket.work_seconds).where(
        *scope.ticket_filters(), scope.closed(), Ticket.work_seconds.is_not(None)
    )
    buckets = once(("worked", scope), lambda: _worked_buckets(scope))
    if buckets is None:
        return _quantile(Ticket.work_seconds, statement, measure.quantile)
    total = sum(count for _, count in buckets)
    if not total:
        return None
    position = measure.quantile * (total - 1)
    rank = math.floor(position)
    ranks = (rank, rank + 1) if position > rank else (rank,)
    values = [_worked_at(statement, buckets, at) for at in ranks]
    if None in values:
        # Counts that disagree with the tickets (a bulk change init-db has not
        # counted yet) must not break a dashboard: read the tickets instead.
        return _quantile(Ticket.work_seconds, statement, measure.quantile)
    return _between(values, position - rank)


def _worked_buckets(scope: Scope) -> list[tuple[int, int]] | None:
    """``(bucket, tickets)`` of the scope's concluded tickets with a worked
    time, in bucket order; None until ``helpdesk init-db`` has filled the
    worked-time counts.

    A month, quarter or year reads its own counts. A custom range of days adds
    the counts of the months wholly inside it to the tickets concluded on its
    other days, bucketed in SQL as :func:`helpdesk.tally_rules.bucket` does.
    """
    if not _tallied_measure(WORKED_TIME):
        return None
    if scope.period.kind != periods.CUSTOM:
        counts = Counter(_tallied_buckets(scope, [scope.period.key]))
    else:
        months = periods.months_in(scope.period)
        whole = [month.key for month in months if month.kind == periods.MONTH]
        counts = Counter(_tallied_buckets(scope, whole) if whole else {})
        for part in months:
            if part.kind != periods.MONTH:
                counts.update(_ticket_buckets(scope.with_period(part)))
    return sorted((bucket, count) for bucket, count in counts.items() if count > 0)


def _tallied_buckets(scope: Scope, keys: list[str]) -> dict[int, int]:
    """Tickets per bucket in the worked-time counts of the periods ``keys``."""
    rows = db.session.execute(
        scoped(
            select(WorkedTally.bucket, func.sum(WorkedTally.tickets))
            .where(*scope.worked_filters(keys))
            .group_by(WorkedTally.bucket)
        )
    )
    return {int(bucket): int(count) for bucket, count in rows}


def _ticket_buckets(scope: Scope) -> dict[int, int]:
    """Tickets per bucket among the scope's concluded tickets, counted in SQL."""
    bucket = worked_bucket(Ticket.work_seconds)
    rows = db.session.execute(
        scoped(
            select(bucket, func.count())
            .where(*scope.ticket_filters(), scope.closed(), Ticket.work_seconds.is_not(None))
            .group_by(bucket)
        )
    )
    return {int(index): int(count) for index, count in rows}


def worked_bucket(seconds: ColumnElement[int]) -> ColumnElement[int]:
    """:func:`helpdesk.tally_rules.bucket` in SQL. A double's square root is
    exact enough here: below 2**31 seconds, the root of a bucket's last second
    lies at least 3e-5 under the next whole number, far above its rounding."""
    return cast(func.floor(func.sqrt(seconds // tally_rules.BUCKET_SECONDS)), Integer)


def _worked_at(statement: Select, buckets: list[tuple[int, int]], rank: int) -> int | None:
    """The worked seconds at ``rank`` (from 0, in increasing order) among the
    scope's tickets, reading only the tickets of the bucket that holds it; None
    if the bucket holds fewer tickets than its count says."""
    below, index = 0, buckets[-1][0]
    for bucket, count in buckets:
        if below + count > rank:
            index = bucket
            break
        below += count
    start, end = tally_rules.bucket_start(index), tally_rules.bucket_start(index + 1)
    if start > MOST_SECONDS:
        # No ticket's column holds so many seconds: the counts are wrong.
        return None
    within = [Ticket.work_seconds >= start]
    if end <= MOST_SECONDS:
        within.append(Ticket.work_seconds < end)
    seek = (
        statement.where(*within)
        .order_by(Ticket.work_seconds)
        .offset(rank - below)
        .limit(1)
        # Without it SQLite reads the whole period by its closing and sorts.
        .with_hint(Ticket, "INDEXED BY ix_ticket_worked_seconds", "sqlite")
    )
    found = db.session.scalar(scoped(seek))
    return None if found is None else int(found)


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / HOUR, 2)


def _stepped(measure: measures.Stepped, scope: Scope) -> int:
    """Tickets of the scope with a matching event in the period, each once.

    A month, quarter or year adds up the step counts of the measure, once
    ``helpdesk init-db`` has counted it (:class:`~helpdesk.models.TalliedMeasure`);
    otherwise the events are read (:func:`_stepped_events`).
    """
    key = tally_rules.step_key(measure.steps, measure.states)
    if scope.period.kind == periods.CUSTOM or not _tallied_measure(key):
        return _stepped_events(measure, scope)
    return _count(
        select(func.coalesce(func.sum(StepTally.tickets), 0)).where(
            StepTally.measure == key, *scope.step_filters()
        )
    )


def _stepped_events(measure: measures.Stepped, scope: Scope) -> int:
    """:func:`_stepped` from the events: the steps and the states are looked up
    apart (a UNION), so each part reads only its own events through the indexes
    on (tenant, transition, at) and (tenant, to_state, at), which carry the
    ticket: no event row is read.
    """

    def events(*where: ColumnElement[bool]) -> Select:
        return select(TicketEvent.ticket_id).where(
            *scope.event_filters(), scope.within(TicketEvent.at, TicketEvent.tenant_id), *where
        )

    parts = []
    if measure.steps:
        parts.append(events(TicketEvent.transition.in_(measure.steps)))
    if measure.states:
        parts.append(
            events(
                TicketEvent.to_state.in_(measure.states),
                or_(
                    TicketEvent.from_state.is_(None),
                    TicketEvent.from_state != TicketEvent.to_state,
                ),
            )
        )
    # Each ticket once: the UNION drops repeats, and so does DISTINCT alone.
    matching = (union(*parts) if len(parts) > 1 else parts[0].distinct()).subquery()
    if scope.unit_id is None and scope.department_id is None:
        # The events know their tenant and service: no ticket needs reading.
        return _count(select(func.count()).select_from(matching))
    if db.session.get_bind().dialect.name == "postgresql":
        # As one array, PostgreSQL looks the tickets up by key; as IN it hashes
        # them against a scan of every ticket (235 ms -> 70 ms on 1,000,000).
        ids = select(func.array_agg(matching.c.ticket_id)).scalar_subquery()
        found = Ticket.id == any_(cast(ids, postgresql.ARRAY(Integer)))
        return _count(select(func.count(Ticket.id)).where(*scope.ticket_filters(), found))
    # SQLite runs IN by reading every ticket of the tenant and probing the list;
    # a join looks each matching ticket up by key (on 1,000,000 requests, 100
    # days' returns: about 340 ms -> 55 ms).
    return _count(
        select(func.count())
        .select_from(matching)
        .join(Ticket, Ticket.id == matching.c.ticket_id)
        .where(*scope.ticket_filters())
    )


def _tallied(scope: Scope, *names: str, days: bool = True) -> tuple[int, ...]:
    """Sums of the counters ``names`` over the scope's rows of the tally (of the
    period's days, or of every day before the period ends when ``days`` is
    False). Every counter is summed in the same small query, once per reading."""
    for name in names:
        if name not in COUNTERS:
            raise IndicatorError(f"La medida no sabe contar «{name}».")
    sums = once(("tallied", scope, days), lambda: _tally_sums(scope, days))
    return tuple(sums[name] for name in names)


def _tally_sums(scope: Scope, days: bool) -> dict[str, int]:
    model = scope.tally()
    row = db.session.execute(
        scoped(
            select(*(func.coalesce(func.sum(_counter(name, model)), 0) for name in COUNTERS)).where(
                *scope.tally_filters(), *(scope.days() if days else scope.days_before_end())
            )
        )
    ).one()
    return {name: int(value) for name, value in zip(COUNTERS, row, strict=True)}


def _counter(name: str, model: Tally) -> ColumnElement:
    if name not in COUNTERS:
        raise IndicatorError(f"La medida no sabe contar «{name}».")
    return getattr(model, name)


def _units(measure: measures.UnitsServed, scope: Scope) -> int:
    model = scope.tally()
    basis = _counter(measure.basis, model)
    return _count(
        select(func.count(func.distinct(model.unit_id))).where(
            *scope.tally_filters(), *scope.days(), basis > 0, model.unit_id != NONE
        )
    )


def _sla_compliance(measure: measures.SlaCompliance, scope: Scope) -> Triple:
    prefix = measure.target or "sla"
    met, total = _tallied(scope, f"{prefix}_met", f"{prefix}_total")
    return _percent(met, total), met, total


def _satisfaction(measure: measures.Satisfaction, scope: Scope) -> Triple:
    whole = "surveys_answered" if measure.base == measures.ANSWERED else measures.CONCLUDED
    part, total = _tallied(scope, measure.rating, whole)
    return _percent(part, total), part, total


def _survey_response(scope: Scope) -> Triple:
    answered, sent = _tallied(scope, "surveys_answered", "surveys_sent")
    return _percent(answered, sent), answered, sent


def evaluate(measure: measures.Measure, scope: Scope) -> Triple:
    """``(value, numerator, denominator)`` of a measure in a scope."""
    if isinstance(measure, measures.Received):
        return _plain(_tallied(scope, "received")[0])
    if isinstance(measure, measures.Closed):
        return _plain(_tallied(scope, measure.outcome)[0])
    if isinstance(measure, measures.InProgress):
        received, settled = _tallied(scope, "received", "settled", days=False)
        return _plain(received - settled)
    if isinstance(measure, measures.Stepped):
        return _plain(_stepped(measure, scope))
    if isinstance(measure, measures.UnitsServed):
        return _plain(_units(measure, scope))
    if isinstance(measure, measures.WorkTime):
        return _hours(_work_time(measure, scope)), None, None
    if isinstance(measure, measures.ResponseTime):
        statement = (
            select(SlaClock.used_seconds)
            .join(Ticket, Ticket.id == SlaClock.ticket_id)
            .where(
                *scope.ticket_filters(),
                SlaClock.target == "respond",
                scope.within(SlaClock.met_at, Ticket.tenant_id),
            )
        )
        return _hours(_quantile(SlaClock.used_seconds, statement, measure.quantile)), None, None
    if isinstance(measure, measures.SlaCompliance):
        return _sla_compliance(measure, scope)
    if isinstance(measure, measures.Satisfaction):
        return _satisfaction(measure, scope)
    if isinstance(measure, measures.SurveyResponse):
        return _survey_response(scope)
    if isinstance(measure, measures.Ratio):
        part = evaluate(measure.numerator, scope)[0]
        whole = evaluate(measure.denominator, scope)[0]
        if part is None or whole is None:
            return None, part, whole
        return _percent(part, whole, measure.scale), part, whole
    if isinstance(measure, measures.YearToDate):
        return evaluate(measure.measure, scope.with_period(periods.year_to_date(scope.period)))
    if isinstance(measure, measures.Recorded):
        found = _recorded(measure, scope)
        return found, None, None
    if isinstance(measure, measures.Custom):
        found = measure.compute(scope)
        return (None if found is None else float(found)), None, None
    raise IndicatorError(f"Medida desconocida: {measure!r}")


def _recorded(measure: measures.Recorded, scope: Scope) -> float | None:
    """The figure over the months whose first day falls in the period, per tenant."""
    months = [
        RecordedFigure.figure == measure.figure,
        RecordedFigure.month >= scope.period.start,
        RecordedFigure.month < scope.period.end,
    ]
    if scope.tenant_id is not None:
        months.append(RecordedFigure.tenant_id == scope.tenant_id)
    if measure.aggregate == measures.LAST:
        latest = aliased(RecordedFigure)
        last_month = (
            select(func.max(latest.month))
            .where(
                latest.tenant_id == RecordedFigure.tenant_id,
                latest.figure == measure.figure,
                latest.month >= scope.period.start,
                latest.month < scope.period.end,
            )
            .scalar_subquery()
        )
        months.append(RecordedFigure.month == last_month)
    found = db.session.scalar(scoped(select(func.sum(RecordedFigure.value)).where(*months)))
    return None if found is None else float(found)


def _plain(count: int) -> Triple:
    return float(count), None, None
