"""A dashboard's figures for one scope, computed once per request.

:func:`choose` reads what the visitor asked for (a period written as text,
filters, a range of years) and never fails: a wrong period falls back to the
current quarter with the reason, in Spanish. A :class:`Dashboard` reads the
indicators (:mod:`helpdesk.indicators`), the monthly and yearly figures and
the breakdowns (:mod:`helpdesk.workload`) lazily and keeps them, so the page,
every export and the PDF report of a request read the same numbers and no
figure is computed twice.
"""

from __future__ import annotations

from collections.abc import Collection
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from functools import cached_property

from helpdesk import indicators
from helpdesk import measures
from helpdesk import periods
from helpdesk import workload
from helpdesk.catalog import IndicatorDefinition
from helpdesk.indicators import Reading
from helpdesk.indicators import Scope
from helpdesk.periods import Period
from helpdesk.periods import PeriodError

DEFAULT_KIND = periods.QUARTER
TREND_MONTHS = 12
YEARS_SHOWN = 3
MOST_YEARS = 20
# periods.parse accepts year 1, whose previous period cannot exist; the
# dashboards stay within years any office can have records of.
EARLIEST_YEAR, LATEST_YEAR = 1990, 2100


@dataclass(frozen=True)
class Choice:
    """The period, filters and years a dashboard shows; ``error`` says why the
    period asked for was not used (Spanish, from :mod:`helpdesk.periods`)."""

    period: Period
    first_year: int
    last_year: int
    error: str | None = None
    text: str = ""
    unit_id: int | None = None
    department_id: int | None = None

    def args(self) -> dict[str, str]:
        """The query string that shows this choice again (for export links)."""
        found = {"periodo": self.period.key}
        if self.unit_id is not None:
            found["unidad"] = str(self.unit_id)
        if self.department_id is not None:
            found["departamento"] = str(self.department_id)
        found["desde"], found["hasta"] = str(self.first_year), str(self.last_year)
        return found


def _period(text: str, default: Period) -> tuple[Period, str | None]:
    if not text:
        return default, None
    try:
        period = periods.parse(text)
        if period.start.year < EARLIEST_YEAR or period.last_day.year > LATEST_YEAR:
            raise PeriodError(
                f"Los tableros cubren de {EARLIEST_YEAR} a {LATEST_YEAR}; «{text}» queda fuera."
            )
    except PeriodError as exc:
        return default, f"{exc} Se muestra el periodo predeterminado: {default.label}."
    return period, None


def _pick(value: str | None, allowed: Collection[int]) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() and int(value) in allowed else None


def _year(value: str | None) -> int | None:
    value = (value or "").strip()
    if value.isdigit() and EARLIEST_YEAR <= int(value) <= LATEST_YEAR:
        return int(value)
    return None


def choose(
    args: Mapping[str, str],
    today: date,
    *,
    units: Collection[int] = (),
    departments: Collection[int] = (),
) -> Choice:
    """What to show for the query string ``args``: ``periodo`` (``2026-Q4``…),
    ``unidad`` and ``departamento`` (ids among ``units``/``departments``; any
    other value is ignored), ``desde``/``hasta`` (the years of the yearly table).

    :param today: the local date in the tenant's zone; the default period is its quarter.
    """
    text = (args.get("periodo") or "").strip()
    period, error = _period(text, periods.current(DEFAULT_KIND, today))
    last = _year(args.get("hasta")) or period.last_day.year
    first = _year(args.get("desde")) or last - (YEARS_SHOWN - 1)
    first, last = min(first, last), max(first, last)
    first = max(first, last - (MOST_YEARS - 1), EARLIEST_YEAR)
    unit_id = _pick(args.get("unidad"), units)
    department_id = _pick(args.get("departamento"), departments)
    # A filter that is not one of the tenant's is dropped, and the page says so.
    notes = [error] if error else []
    if unit_id is None and (args.get("unidad") or "").strip():
        notes.append("La unidad elegida no existe aquí; se muestran todas las unidades.")
    if department_id is None and (args.get("departamento") or "").strip():
        notes.append("El departamento elegido no existe aquí; se muestran todos los departamentos.")
    return Choice(
        period=period,
        first_year=first,
        last_year=last,
        error=" ".join(notes) or None,
        text=text if error else period.key,
        unit_id=unit_id,
        department_id=department_id,
    )


@dataclass(frozen=True)
class IndicatorRow:
    """An indicator now and in the previous period."""

    reading: Reading
    before: Reading | None

    @property
    def definition(self) -> IndicatorDefinition:
        return self.reading.definition

    @property
    def value(self) -> float | None:
        return self.reading.value

    @property
    def previous(self) -> float | None:
        return self.before.value if self.before is not None else None

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return round(self.value - self.previous, 2)


@dataclass
class Dashboard:
    """Everything a dashboard shows for ``scope``, each part read on first use."""

    scope: Scope
    first_year: int
    last_year: int
    _loads: dict[str, list[workload.Load]] = field(default_factory=dict, repr=False)

    @property
    def period(self) -> Period:
        return self.scope.period

    @cached_property
    def previous_period(self) -> Period:
        return periods.previous(self.scope.period)

    @cached_property
    def definitions(self) -> list[IndicatorDefinition]:
        return indicators.definitions_for(self.scope)

    @cached_property
    def indicators(self) -> list[IndicatorRow]:
        now = indicators.read_all(self.scope, self.definitions)
        before = indicators.read_all(self.scope.with_period(self.previous_period), self.definitions)
        by_code = {reading.code: reading for reading in before}
        return [IndicatorRow(reading, by_code.get(reading.code)) for reading in now]

    @cached_property
    def months(self) -> list[workload.Figures]:
        return workload.series(self.scope, periods.trailing_months(self.scope.period, TREND_MONTHS))

    @cached_property
    def years(self) -> list[workload.Figures]:
        buckets = [periods.year(n) for n in range(self.first_year, self.last_year + 1)]
        return workload.series(self.scope, buckets)

    def load(self, dimension: str) -> list[workload.Load]:
        if dimension not in self._loads:
            self._loads[dimension] = workload.breakdown(self.scope, dimension)
        return self._loads[dimension]

    @cached_property
    def tenants(self) -> list[workload.Load]:
        return workload.tenants(self.scope)

    @cached_property
    def levels(self) -> dict[str, tuple[float | None, float | None]]:
        """Satisfaction levels (rating → (now, previous period)), from the general
        satisfaction indicators already read, not computed again."""
        found: dict[str, tuple[float | None, float | None]] = {}
        for row in self.indicators:
            measure = row.definition.measure
            if (
                isinstance(measure, measures.Satisfaction)
                and measure.base == measures.ANSWERED
                and row.definition.service_code is None
            ):
                found.setdefault(measure.rating, (row.value, row.previous))
        return found
