"""What an indicator counts, said as data the indicator engine turns into SQL.

An :class:`~helpdesk.catalog.IndicatorDefinition` carries its formula in words
for people and one of these for the engine (:mod:`helpdesk.indicators`). Every
measure is counted over the tickets in scope (the tenant, and optionally one
service, requesting unit or department) during a period:

- :class:`Received`: tickets received (the receipt's moment) in the period.
- :class:`Closed`: tickets that ended in the period with an outcome.
- :class:`InProgress`: tickets received before the period ended and still open then.
- :class:`Stepped`: tickets that took one of some steps, or entered one of
  some states, in the period; each ticket counts once.
- :class:`UnitsServed`: distinct requesting units among received or closed tickets.
- :class:`WorkTime`: a quantile of the business hours worked to close
  (waits excluded), over tickets concluded in the period.
- :class:`ResponseTime`: the same over the first answer (the respond clock).
- :class:`SlaCompliance`: % of concluded tickets whose every SLA target was met.
- :class:`Satisfaction`: % of survey answers at one level of the scale.
- :class:`SurveyResponse`: % of surveys answered.
- :class:`Ratio`: one measure over another, times a scale (100 for a percentage).
- :class:`YearToDate`: another measure over the year of the period, from
  1 January to the period's end (the CAU's "per year" figures on a monthly
  or quarterly dashboard).
- :class:`Recorded`: a figure the office types in month by month (followers
  counted by a social network's own statistics), summed over the period or
  taken from its last recorded month.
- :class:`Custom`: a plugin's own function of the scope, for what the others
  cannot say; it should still run one aggregate query.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from helpdesk.indicators import Scope

CONCLUDED, REJECTED, WITHDRAWN = "concluded", "rejected", "withdrawn"
RECEIVED = "received"
# Survey answers and what answered surveys are a share of.
ANSWERED = "answered"


@dataclass(frozen=True)
class Received:
    """Tickets received in the period (counted by the receipt's moment)."""


@dataclass(frozen=True)
class Closed:
    """Tickets closed in the period with ``outcome`` (concluded, rejected, withdrawn)."""

    outcome: str = CONCLUDED


@dataclass(frozen=True)
class InProgress:
    """Tickets received before the period ended and not closed by then."""


@dataclass(frozen=True)
class Stepped:
    """Tickets that took any of ``steps`` or entered any of ``states`` in the period."""

    steps: tuple[str, ...] = ()
    states: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.steps and not self.states:
            raise ValueError("Stepped needs at least one step or one state")


@dataclass(frozen=True)
class UnitsServed:
    """Distinct requesting units of the tickets received (``basis="received"``)
    or closed with an outcome (``basis="concluded"``…) in the period."""

    basis: str = RECEIVED


@dataclass(frozen=True)
class WorkTime:
    """Business hours worked from reception to closing, waits excluded, of the
    tickets concluded in the period: the ``quantile`` (0.5 the median)."""

    quantile: float = 0.5


@dataclass(frozen=True)
class ResponseTime:
    """Business hours to the office's first answer (the respond clock), of the
    tickets answered in the period: the ``quantile``."""

    quantile: float = 0.5


@dataclass(frozen=True)
class SlaCompliance:
    """Of the tickets concluded in the period that had SLA targets, the
    percentage that met all of them (``target`` narrows to respond or resolve)."""

    target: str | None = None


@dataclass(frozen=True)
class Satisfaction:
    """Percentage of the surveys of tickets concluded in the period answered
    ``rating``; ``base`` ``"answered"`` divides by the answered surveys,
    ``"concluded"`` by the concluded tickets (unanswered ones count against)."""

    rating: str
    base: str = ANSWERED


@dataclass(frozen=True)
class SurveyResponse:
    """Percentage of the surveys sent for tickets concluded in the period that
    were answered."""


@dataclass(frozen=True)
class Ratio:
    """``numerator / denominator × scale``; no value when the denominator is 0."""

    numerator: Measure
    denominator: Measure
    scale: float = 100.0


@dataclass(frozen=True)
class YearToDate:
    """``measure`` counted from 1 January of the year the period ends in to
    the period's end: the whole year for a year, the year so far for a month,
    a quarter or a range of days."""

    measure: Measure


SUM, LAST = "sum", "last"


@dataclass(frozen=True)
class Recorded:
    """A figure recorded by hand per month (:class:`~helpdesk.models.RecordedFigure`).

    ``figure`` is its key, unique across plugins (prefix it with the service);
    ``label`` names it on the form where the office records it. ``aggregate``
    ``"sum"`` adds the months of the period (new followers), ``"last"`` takes
    the last month recorded in the period (current followers). Months count
    when their first day falls in the period; a period with no month recorded
    has no value, never zero.
    """

    figure: str
    label: str
    aggregate: str = SUM

    def __post_init__(self) -> None:
        if self.aggregate not in (SUM, LAST):
            raise ValueError(f"Recorded aggregate must be 'sum' or 'last', not {self.aggregate!r}")


@dataclass(frozen=True)
class Custom:
    """A plugin's own computation: ``compute(scope)`` returns the value or None."""

    compute: Callable[[Scope], float | int | None]


Measure = (
    Received
    | Closed
    | InProgress
    | Stepped
    | UnitsServed
    | WorkTime
    | ResponseTime
    | SlaCompliance
    | Satisfaction
    | SurveyResponse
    | Ratio
    | YearToDate
    | Recorded
    | Custom
)


def parts(measure: Measure | None) -> Iterator[Measure]:
    """The measure and every measure inside it (a ratio's, a year to date's), depth first."""
    if measure is None:
        return
    yield measure
    if isinstance(measure, Ratio):
        yield from parts(measure.numerator)
        yield from parts(measure.denominator)
    if isinstance(measure, YearToDate):
        yield from parts(measure.measure)
