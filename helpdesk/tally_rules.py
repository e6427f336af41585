"""What one ticket adds to the daily tally: a pure function of its facts.

:func:`contribution` says which rows of :class:`~helpdesk.models.DailyTally`
a ticket adds to and by how much; :func:`difference` turns a ticket's old and
new contributions into the changes to apply. The rules are the indicator
engine's (:mod:`helpdesk.indicators`), counted per local day:

- received: on the day of the receipt;
- concluded / rejected / withdrawn: on the day of the closing;
- settled (no longer in progress): on the later of those two days;
- SLA targets, met or not, and the survey, sent, answered and its level:
  on the closing day of a concluded ticket only.

:func:`stepped` says in which step counts (:class:`~helpdesk.models.StepTally`)
a ticket counts: once per step measure and whole month, quarter or year in
which it took one of the measure's steps or entered one of its states.
:func:`worked` says in which worked-time counts (:class:`~helpdesk.models.WorkedTally`)
a concluded ticket counts: its closing's month, quarter and year, its service,
unit and department and the :func:`bucket` of its worked seconds.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from math import isqrt

from helpdesk import periods
from helpdesk.models.tallies import COUNTERS

OUTCOMES = ("concluded", "rejected", "withdrawn")
TARGETS = ("respond", "resolve")
RATINGS = ("satisfied", "regular", "unsatisfied")

# A row of the tally: the day and the dimensions, as text ("none" is 0).
RowKey = tuple[date, str, int, int, int]
Contribution = dict[RowKey, Counter[str]]
# One event of a ticket: its transition, from and to states, and its local day.
Step = tuple[str, str | None, str, date]
# A row of the step counts: the measure, the period, the service, unit and department.
StepKey = tuple[str, str, str, int, int]
STEP_PERIODS = (periods.MONTH, periods.QUARTER, periods.YEAR)
# A row of the worked-time counts: the period, the service, unit and department, the bucket.
WorkedKey = tuple[str, str, int, int, int]
# Buckets widen with the time worked: 10 s wide near zero, 40 min at 40 h.
BUCKET_SECONDS = 10


@dataclass(frozen=True)
class Facts:
    """What the tally needs of a ticket, its SLA clocks and its survey.

    :param clocks: ``(target, overrun)`` per SLA clock of the ticket.
    :param survey: None without a survey, else whether it was answered and the level.
    """

    service_code: str
    unit_id: int | None
    department_id: int | None
    assignee_id: int | None
    received_day: date
    closed_day: date | None = None
    outcome: str | None = None
    clocks: tuple[tuple[str, bool], ...] = ()
    survey: tuple[bool, str | None] | None = None
    events: tuple[Step, ...] = ()
    work_seconds: int | None = None


def contribution(facts: Facts) -> Contribution:
    """The rows the ticket adds to and the counters it adds to each (all +1)."""
    dimensions = (
        facts.service_code,
        facts.unit_id or 0,
        facts.department_id or 0,
        facts.assignee_id or 0,
    )
    found: Contribution = {}

    def add(day: date, *counters: str) -> None:
        found.setdefault((day, *dimensions), Counter()).update(counters)

    add(facts.received_day, "received")
    if facts.closed_day is None or facts.outcome is None:
        return found
    add(max(facts.received_day, facts.closed_day), "settled")
    if facts.outcome in OUTCOMES:
        add(facts.closed_day, facts.outcome)
    if facts.outcome != "concluded":
        return found
    if facts.clocks:
        overrun = any(late for _, late in facts.clocks)
        add(facts.closed_day, "sla_total", *(() if overrun else ("sla_met",)))
        for target in TARGETS:
            mine = [late for name, late in facts.clocks if name == target]
            if mine:
                add(facts.closed_day, f"{target}_total", *(() if any(mine) else (f"{target}_met",)))
    if facts.survey is not None:
        answered, rating = facts.survey
        add(facts.closed_day, "surveys_sent")
        if answered:
            add(facts.closed_day, "surveys_answered")
        if answered and rating in RATINGS:
            add(facts.closed_day, rating)
    return found


def difference(old: Contribution, new: Contribution) -> dict[RowKey, dict[str, int]]:
    """``new − old`` per row, rows and counters that do not change left out."""
    changes: dict[RowKey, dict[str, int]] = {}
    for key in old.keys() | new.keys():
        before, after = old.get(key, Counter()), new.get(key, Counter())
        delta = {name: after[name] - before[name] for name in COUNTERS}
        delta = {name: value for name, value in delta.items() if value}
        if delta:
            changes[key] = delta
    return changes


def encode(found: Contribution) -> dict[str, dict[str, int]]:
    """The contribution as JSON for :class:`~helpdesk.models.TallyMark`."""
    return {
        "|".join((day.isoformat(), service, str(unit), str(department), str(assignee))): dict(
            counters
        )
        for (day, service, unit, department, assignee), counters in found.items()
    }


def decode(stored: Mapping[str, Mapping[str, int]] | None) -> Contribution:
    """The inverse of :func:`encode`."""
    found: Contribution = {}
    for key, counters in (stored or {}).items():
        day, service, unit, department, assignee = key.split("|")
        found[(date.fromisoformat(day), service, int(unit), int(department), int(assignee))] = (
            Counter(dict(counters))
        )
    return found


# -- step counts ----------------------------------------------------------------------


def step_key(steps: Iterable[str], states: Iterable[str]) -> str:
    """A step measure's key: its step names, then its state names, each sorted."""
    return f"{','.join(sorted(set(steps)))}/{','.join(sorted(set(states)))}"


def step_names(key: str) -> tuple[frozenset[str], frozenset[str]]:
    """The inverse of :func:`step_key`: ``(steps, states)``."""
    steps, _, states = key.partition("/")
    return frozenset(filter(None, steps.split(","))), frozenset(filter(None, states.split(",")))


def takes(key: str, event: Step) -> bool:
    """Whether the event counts for the measure, as the indicator engine's query
    says: one of its steps, or an entry into one of its states from another."""
    steps, states = step_names(key)
    transition, source, target, _ = event
    return transition in steps or (target in states and source != target)


def stepped(facts: Facts, measures: Iterable[str]) -> set[StepKey]:
    """The step counts the ticket counts in, for the measures (keys) given."""
    dimensions = (facts.service_code, facts.unit_id or 0, facts.department_id or 0)
    found: set[StepKey] = set()
    for key in measures:
        for event in facts.events:
            if takes(key, event):
                for kind in STEP_PERIODS:
                    found.add((key, periods.current(kind, event[3]).key, *dimensions))
    return found


def encode_keys(found: Iterable[tuple[str | int, ...]]) -> list[str]:
    """Step or worked-time counts as JSON for :class:`~helpdesk.models.TallyMark`."""
    return sorted("|".join(map(str, key)) for key in found)


def _split(stored: Iterable[str] | None) -> list[list[str]]:
    return [text.split("|") for text in stored or ()]


def decode_steps(stored: Iterable[str] | None) -> set[StepKey]:
    """The inverse of :func:`encode_keys` for step counts."""
    return {(key, period, service, int(u), int(d)) for key, period, service, u, d in _split(stored)}


# -- worked-time counts ------------------------------------------------------------------


def bucket(seconds: int) -> int:
    """The bucket of a time worked: ``b`` holds ``[bucket_start(b), bucket_start(b + 1))``."""
    return isqrt(max(seconds, 0) // BUCKET_SECONDS)


def bucket_start(index: int) -> int:
    """The fewest seconds worked in bucket ``index``."""
    return BUCKET_SECONDS * index * index


def worked(facts: Facts) -> set[WorkedKey]:
    """The worked-time counts a concluded ticket with a worked time counts in."""
    if facts.outcome != "concluded" or facts.closed_day is None or facts.work_seconds is None:
        return set()
    dimensions = (facts.service_code, facts.unit_id or 0, facts.department_id or 0)
    where = bucket(facts.work_seconds)
    return {
        (periods.current(kind, facts.closed_day).key, *dimensions, where) for kind in STEP_PERIODS
    }


def decode_worked(stored: Iterable[str] | None) -> set[WorkedKey]:
    """The inverse of :func:`encode_keys` for worked-time counts."""
    return {
        (period, service, int(u), int(d), int(where))
        for period, service, u, d, where in _split(stored)
    }
