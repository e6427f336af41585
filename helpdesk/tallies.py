"""Keeping the daily tally in step with the tickets, in the same transaction.

Whatever changes a ticket, one of its SLA clocks or its survey through the
ORM is noticed when the session flushes; just before the transaction commits,
each ticket noticed is counted again (:func:`refresh`): its old share of the
tally and of the step counts (its :class:`~helpdesk.models.TallyMark`) is
taken out and the new one put in with upserts, in a fixed order so two
transactions never wait on each other in a circle. A rollback forgets what was
noticed, and the tally rolls back with everything else. A bulk UPDATE the ORM
cannot see calls :func:`touch` itself (the survey's answer does).

:func:`count_missing` (run by ``helpdesk init-db``) counts the tickets never
counted, and every ticket again for a step measure newly declared by a plugin.
:func:`rebuild` counts a tenant again from scratch (after a change of its time
zone, an upgrade, or to repair), and :func:`drift` says which rows disagree
with a fresh count: the check that the bookkeeping holds. What a ticket
counts is read by :mod:`helpdesk.tally_facts` and decided by the pure rules of
:mod:`helpdesk.tally_rules`.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Date
from sqlalchemy import bindparam
from sqlalchemy import cast
from sqlalchemy import delete
from sqlalchemy import event
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

from helpdesk import tally_rules
from helpdesk.extensions import db
from helpdesk.models import SlaClock
from helpdesk.models import Survey
from helpdesk.models import Ticket
from helpdesk.models import TicketEvent
from helpdesk.models.tallies import COUNTERS
from helpdesk.models.tallies import KEY
from helpdesk.models.tallies import MONTHLY
from helpdesk.models.tallies import STEP_KEY
from helpdesk.models.tallies import WORKED_KEY
from helpdesk.models.tallies import WORKED_TIME
from helpdesk.models.tallies import DailyTally
from helpdesk.models.tallies import MonthlyTally
from helpdesk.models.tallies import StepTally
from helpdesk.models.tallies import TalliedMeasure
from helpdesk.models.tallies import TallyMark
from helpdesk.models.tallies import WorkedTally
from helpdesk.tally_facts import declared_steps
from helpdesk.tally_facts import read_facts
from helpdesk.tally_facts import tallied
from helpdesk.tally_facts import tallied_steps
from helpdesk.tally_rules import Facts
from helpdesk.tenancy import ALL_TENANTS

NOTICED = "helpdesk_tally_noticed"
BATCH = 2_000
ALL = {ALL_TENANTS: True}


# -- noticing changes ---------------------------------------------------------------


def touch(session: Session, *ticket_ids: int) -> None:
    """Count these tickets again before the session commits (after a bulk UPDATE)."""
    session.info.setdefault(NOTICED, set()).update(ticket_ids)


def _notice(session: Session, flush_context: Any) -> None:
    found = set()
    for row in (*session.new, *session.dirty, *session.deleted):
        if isinstance(row, Ticket):
            found.add(row.id)
        elif isinstance(row, SlaClock | Survey | TicketEvent):
            found.add(row.ticket_id)
    found.discard(None)
    if found:
        touch(session, *found)


def _count_noticed(session: Session) -> None:
    session.flush()
    while noticed := session.info.pop(NOTICED, None):
        refresh(session, sorted(noticed))
        session.flush()


def _forget(session: Session, previous: Any) -> None:
    # A savepoint rolled back leaves the rest of the transaction, and what it
    # noticed, standing; only the outermost rollback forgets.
    if previous.parent is None:
        session.info.pop(NOTICED, None)


for _name, _listener in (
    ("after_flush", _notice),
    ("before_commit", _count_noticed),
    ("after_soft_rollback", _forget),
):
    if not event.contains(Session, _name, _listener):
        event.listen(Session, _name, _listener)


# -- counting tickets again -----------------------------------------------------------


def refresh(session: Session, ticket_ids: Iterable[int]) -> None:
    """Take each ticket's old share out of the tally and put its new one in."""
    ids = sorted(set(ticket_ids))
    steps = tallied_steps(session) if ids else []
    for start in range(0, len(ids), BATCH):
        _refresh_batch(session, ids[start : start + BATCH], steps)


def _shares(facts: Facts | None, steps: Sequence[str]) -> dict[str, set[tuple[Any, ...]]]:
    """The rows of the step and worked-time counts a ticket counts in (1 each)."""
    if facts is None:
        return {"stepped": set(), "worked": set()}
    return {"stepped": tally_rules.stepped(facts, steps), "worked": tally_rules.worked(facts)}


# A mark's lists, how to read them back, and the counts they are rows of.
_SHARED = {
    "stepped": (tally_rules.decode_steps, StepTally),
    "worked": (tally_rules.decode_worked, WorkedTally),
}


def _refresh_batch(session: Session, ids: Sequence[int], steps: Sequence[str]) -> None:
    facts = read_facts(session, ids, steps)
    marks = {
        mark.ticket_id: mark
        for mark in session.execute(
            select(
                TallyMark.ticket_id,
                TallyMark.tenant_id,
                TallyMark.counted,
                TallyMark.stepped,
                TallyMark.worked,
            ).where(TallyMark.ticket_id.in_(ids))
        )
    }
    changes: dict[tuple[Any, ...], dict[str, int]] = {}
    shared: dict[str, dict[tuple[Any, ...], int]] = {name: {} for name in _SHARED}
    new_marks, gone = [], []
    for ticket_id in ids:
        mark = marks.get(ticket_id)
        old = tally_rules.decode(mark.counted if mark else None)
        tenant_id, new = None, {}
        ticket_facts = None
        if ticket_id in facts:
            tenant_id, ticket_facts = facts[ticket_id]
            new = tally_rules.contribution(ticket_facts)
        elif mark is not None:
            tenant_id = mark.tenant_id
        for key, delta in tally_rules.difference(old, new).items():
            merged = changes.setdefault((tenant_id, *key), {})
            for name, value in delta.items():
                merged[name] = merged.get(name, 0) + value
        shares = _shares(ticket_facts, steps)
        for name, (decode, _) in _SHARED.items():
            before = decode(getattr(mark, name) if mark else None)
            counts = shared[name]
            for key in shares[name] - before:
                counts[(tenant_id, *key)] = counts.get((tenant_id, *key), 0) + 1
            for key in before - shares[name]:
                counts[(tenant_id, *key)] = counts.get((tenant_id, *key), 0) - 1
        if ticket_id in facts:
            new_marks.append(
                {
                    "ticket_id": ticket_id,
                    "tenant_id": tenant_id,
                    "counted": tally_rules.encode(new),
                    **{name: tally_rules.encode_keys(keys) for name, keys in shares.items()},
                }
            )
        elif mark is not None:
            gone.append(ticket_id)
    _apply(session, changes)
    _apply(session, _by_month(changes), MonthlyTally)
    for name, (_, model) in _SHARED.items():
        counted = {key: {"tickets": delta} for key, delta in shared[name].items() if delta}
        _apply(session, counted, model)
    _save_marks(session, new_marks, gone, set(marks))


def _insert(session: Session, table: Any) -> Any:
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


_KEYS: dict[Any, tuple[str, ...]] = {
    DailyTally: KEY,
    MonthlyTally: KEY,
    StepTally: STEP_KEY,
    WorkedTally: WORKED_KEY,
}


def _by_month(
    changes: dict[tuple[Any, ...], dict[str, int]],
) -> dict[tuple[Any, ...], dict[str, int]]:
    """Changes to daily rows as changes to the rows of their months."""
    found: dict[tuple[Any, ...], dict[str, int]] = {}
    for (tenant_id, day, *dimensions), delta in changes.items():
        merged = found.setdefault((tenant_id, day.replace(day=1), *dimensions), {})
        for name, value in delta.items():
            merged[name] = merged.get(name, 0) + value
    return found


def _apply(
    session: Session,
    changes: dict[tuple[Any, ...], dict[str, int]],
    model: Any = DailyTally,
) -> None:
    """Add each change to its row of the tally (or of the step counts), creating
    the rows that are new: one upsert executed for all rows, in key order so
    transactions lock rows alike."""
    if not changes:
        return
    key, counters = _KEYS[model], COUNTERS if model in (DailyTally, MonthlyTally) else ("tickets",)
    table = model.__table__
    statement = _insert(session, table)
    statement = statement.on_conflict_do_update(
        index_elements=list(key),
        set_={name: table.c[name] + statement.excluded[name] for name in counters},
    )
    rows = [
        {**dict(zip(key, row, strict=True)), **{n: changes[row].get(n, 0) for n in counters}}
        for row in sorted(changes)
    ]
    session.execute(statement, rows)


def _save_marks(
    session: Session, rows: list[dict[str, Any]], gone: list[int], known: set[int]
) -> None:
    table = TallyMark.__table__
    if gone:
        session.execute(delete(TallyMark).where(TallyMark.ticket_id.in_(gone)))
    changed = [
        {
            "mark": row["ticket_id"],
            "now": row["counted"],
            "steps": row["stepped"],
            "times": row["worked"],
        }
        for row in rows
        if row["ticket_id"] in known
    ]
    if changed:
        session.execute(
            table.update()
            .where(table.c.ticket_id == bindparam("mark"))
            .values(
                counted=bindparam("now"), stepped=bindparam("steps"), worked=bindparam("times")
            ),
            changed,
        )
    fresh = [row for row in rows if row["ticket_id"] not in known]
    if fresh:
        session.execute(table.insert(), fresh)


# -- from scratch, and the check --------------------------------------------------------


def _ticket_ids(session: Session, tenant_id: int | None) -> list[int]:
    statement = select(Ticket.id).order_by(Ticket.id).execution_options(**ALL)
    if tenant_id is not None:
        statement = statement.where(Ticket.tenant_id == tenant_id)
    return list(session.scalars(statement))


def rebuild(tenant_id: int | None = None, session: Session | None = None) -> int:
    """Count a tenant's tickets (every tenant's, for None) again from nothing; the
    number of tickets counted. The caller commits."""
    session = session or db.session
    for model in (DailyTally, MonthlyTally, StepTally, WorkedTally, TallyMark):
        statement = delete(model).execution_options(**ALL)
        if tenant_id is not None:
            statement = statement.where(model.tenant_id == tenant_id)
        session.execute(statement)
    ids = _ticket_ids(session, tenant_id)
    refresh(session, ids)
    return len(ids)


def _months_from_days(session: Session) -> None:
    """Fill the monthly tally from the daily one (right after the upgrade that
    added it): one INSERT … SELECT, then the monthly tally is read."""
    daily, monthly = DailyTally.__table__, MonthlyTally.__table__
    if session.get_bind().dialect.name == "postgresql":
        month = cast(func.date_trunc("month", daily.c.day), Date)
    else:
        month = func.date(daily.c.day, "start of month")
    columns = [name for name in KEY if name != "day"]
    sums = [func.sum(daily.c[name]) for name in COUNTERS]
    session.execute(delete(MonthlyTally).execution_options(**ALL))
    session.execute(
        monthly.insert().from_select(
            ["day", *columns, *COUNTERS],
            select(month, *(daily.c[name] for name in columns), *sums).group_by(
                month, *(daily.c[name] for name in columns)
            ),
        )
    )
    session.add(TalliedMeasure(measure=MONTHLY))
    session.flush()


def count_missing(session: Session | None = None) -> int:
    """Count the tickets that have never been counted (written before the tally
    existed, or by a bulk load); the number counted. The caller commits.

    A step measure declared since the last run (a plugin installed or changed),
    or the worked times right after the upgrade that added their counts, are
    listed as tallied and every ticket is counted again for them.
    """
    session = session or db.session
    known = set(tallied(session))
    if MONTHLY not in known:
        _months_from_days(session)
    new = [key for key in (*declared_steps(), WORKED_TIME) if key not in known]
    if new:
        session.add_all(TalliedMeasure(measure=key) for key in new)
        session.flush()
        ids = _ticket_ids(session, None)
        if ids:
            refresh(session, ids)
        return len(ids)
    missing = list(
        session.scalars(
            select(Ticket.id)
            .outerjoin(TallyMark, TallyMark.ticket_id == Ticket.id)
            .where(TallyMark.ticket_id.is_(None))
            .order_by(Ticket.id)
            .execution_options(**ALL)
        )
    )
    refresh(session, missing)
    return len(missing)


def _stored(
    session: Session, tenant_id: int, model: Any = DailyTally
) -> dict[tuple[Any, ...], dict[str, int]]:
    table = model.__table__
    rows = session.execute(
        select(*(table.c[name] for name in KEY[1:]), *(table.c[name] for name in COUNTERS))
        .where(table.c.tenant_id == tenant_id)
        .execution_options(**ALL)
    ).all()
    found = {}
    for row in rows:
        values = dict(zip(COUNTERS, row[len(KEY) - 1 :], strict=True))
        if any(values.values()):
            found[tuple(row[: len(KEY) - 1])] = values
    return found


def _stored_shares(
    session: Session, tenant_id: int, name: str, model: Any
) -> dict[tuple[Any, ...], dict[str, int]]:
    table = model.__table__
    rows = session.execute(
        select(*(table.c[column] for column in _KEYS[model][1:]), table.c.tickets)
        .where(table.c.tenant_id == tenant_id, table.c.tickets != 0)
        .execution_options(**ALL)
    ).all()
    return {(name, *row[:-1]): {"tickets": row[-1]} for row in rows}


def drift(tenant_id: int, session: Session | None = None) -> list[str]:
    """The rows of a tenant's tally, monthly tally, step and worked-time counts
    that a fresh count would change, in words; [] when they are right. Reads
    only: counts in memory, writes nothing."""
    session = session or db.session
    daily: dict[tuple[Any, ...], dict[str, int]] = {}
    shared: dict[tuple[Any, ...], dict[str, int]] = {}
    steps = tallied_steps(session)
    ids = _ticket_ids(session, tenant_id)
    for start in range(0, len(ids), BATCH):
        for _, facts in read_facts(session, ids[start : start + BATCH], steps).values():
            for key, counters in tally_rules.contribution(facts).items():
                _add(daily, key, counters)
            for name, keys in _shares(facts, steps).items():
                for key in keys:
                    _add(shared, (name, *key), {"tickets": 1})
    monthly: dict[tuple[Any, ...], dict[str, int]] = {}
    for (day, *dimensions), counters in daily.items():
        _add(monthly, ("month", day.replace(day=1), *dimensions), counters)
    expected = {**daily, **monthly, **shared}
    stored = _stored(session, tenant_id)
    for key, counters in _stored(session, tenant_id, MonthlyTally).items():
        stored[("month", *key)] = counters
    for name, (_, model) in _SHARED.items():
        stored.update(_stored_shares(session, tenant_id, name, model))
    problems = []
    for key in sorted(expected.keys() | stored.keys(), key=str):
        want, have = expected.get(key), stored.get(key)
        if want is not None and have is not None:
            want, have = ({n: v for n, v in row.items() if v} for row in (want, have))
        if want != have:
            problems.append(
                f"{'|'.join(map(str, key))}: stored {_shown(have)}, counted {_shown(want)}"
            )
    return problems


def _add(rows: dict[tuple[Any, ...], dict[str, int]], key: tuple[Any, ...], counters: Any) -> None:
    row = rows.setdefault(key, {})
    for name, value in counters.items():
        row[name] = row.get(name, 0) + value


def _shown(counters: dict[str, int] | None) -> str:
    found = {name: value for name, value in (counters or {}).items() if value}
    return ", ".join(f"{name} {value}" for name, value in found.items()) or "nothing"


def ticket_count(session: Session | None = None) -> int:
    """How many tickets the tally has counted (each once)."""
    session = session or db.session
    return int(session.scalar(select(func.count(TallyMark.ticket_id))) or 0)
