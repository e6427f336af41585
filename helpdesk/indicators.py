"""The indicator engine: every declared indicator, read for a scope.

A :class:`Scope` (:mod:`helpdesk.scopes`) is a tenant (or every tenant, for
the superadmin), a period and optionally one service, requesting unit or
department. The indicators are those the core and the plugins declare
(:func:`all_definitions`); :func:`read` computes one through its measure
(:func:`evaluate`, aggregate SQL in :mod:`helpdesk.measure_queries`) and
:func:`trend` reads it month by month. The names of the scope and of the
measures' evaluation are exported here too: plugins use them from this module.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import replace

from sqlalchemy import select

from helpdesk import measures
from helpdesk import periods
from helpdesk import plugins
from helpdesk.catalog import IndicatorDefinition
from helpdesk.extensions import db
from helpdesk.measure_queries import evaluate
from helpdesk.models import TenantService
from helpdesk.periods import Period
from helpdesk.scopes import DEFAULT_ZONE
from helpdesk.scopes import IndicatorError
from helpdesk.scopes import Scope
from helpdesk.scopes import internal_services
from helpdesk.scopes import one_reading
from helpdesk.scopes import scoped
from helpdesk.scopes import tally_for

__all__ = [
    "DEFAULT_ZONE",
    "IndicatorError",
    "Reading",
    "Scope",
    "all_definitions",
    "definition",
    "definitions_for",
    "evaluate",
    "internal_services",
    "offered_services",
    "read",
    "read_all",
    "recorded_figures",
    "scoped",
    "tally_for",
    "trend",
]


@dataclass(frozen=True)
class Reading:
    """An indicator's value in a scope; ``numerator``/``denominator`` for ratios."""

    definition: IndicatorDefinition
    value: float | None
    numerator: float | None = None
    denominator: float | None = None

    @property
    def code(self) -> str:
        return self.definition.code

    @property
    def computed(self) -> bool:
        return self.definition.measure is not None


def recorded_figures(found: Iterable[IndicatorDefinition]) -> list[measures.Recorded]:
    """The hand-recorded figures the given indicators need, each once, in order."""
    seen: dict[str, measures.Recorded] = {}
    for definition_ in found:
        for part in measures.parts(definition_.measure):
            if isinstance(part, measures.Recorded):
                seen.setdefault(part.figure, part)
    return list(seen.values())


# -- which indicators, and all of them at once ------------------------------------


def all_definitions() -> dict[str, IndicatorDefinition]:
    return plugins.host().indicators


def definition(code: str) -> IndicatorDefinition:
    found = all_definitions().get(code)
    if found is None:
        raise IndicatorError(f"No existe el indicador «{code}».")
    return found


def offered_services(tenant_id: int | None) -> set[str]:
    """Codes of the services a tenant offers (every tenant's, for None)."""
    statement = select(TenantService.service_code).where(TenantService.enabled.is_(True))
    if tenant_id is not None:
        statement = statement.where(TenantService.tenant_id == tenant_id)
    return set(db.session.scalars(statement))


def definitions_for(scope: Scope) -> list[IndicatorDefinition]:
    """The indicators of a scope: the general ones, and those of its service, or
    of every service the tenant offers when the scope has none."""
    services = {scope.service_code} if scope.service_code else offered_services(scope.tenant_id)
    return [
        found
        for found in all_definitions().values()
        if found.service_code is None or found.service_code in services
    ]


def read(found: IndicatorDefinition, scope: Scope) -> Reading:
    """One indicator in a scope (its own service narrows the scope)."""
    if found.service_code is not None:
        if scope.service_code not in (None, found.service_code):
            raise IndicatorError(
                f"El indicador «{found.code}» es del servicio {found.service_code}."
            )
        scope = replace(scope, service_code=found.service_code)
    if found.measure is None:
        return Reading(found, None)
    return Reading(found, *evaluate(found.measure, scope))


def read_all(scope: Scope, found: Iterable[IndicatorDefinition] | None = None) -> list[Reading]:
    """Every indicator of the scope (or the given ones), general ones first."""
    chosen = list(found) if found is not None else definitions_for(scope)
    chosen.sort(key=lambda item: (item.service_code or "", item.code))
    with one_reading():
        return [read(item, scope) for item in chosen]


def trend(
    found: IndicatorDefinition, scope: Scope, months: int = 12
) -> list[tuple[Period, Reading]]:
    """The indicator month by month, over the ``months`` ending with the scope's period."""
    return [
        (month, read(found, scope.with_period(month)))
        for month in periods.trailing_months(scope.period, months)
    ]
