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
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from helpdesk.models.tallies import COUNTERS

OUTCOMES = ("concluded", "rejected", "withdrawn")
TARGETS = ("respond", "resolve")
RATINGS = ("satisfied", "regular", "unsatisfied")

# A row of the tally: the day and the dimensions, as text ("none" is 0).
RowKey = tuple[date, str, int, int, int]
Contribution = dict[RowKey, Counter[str]]


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
