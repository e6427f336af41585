"""Recording the monthly figures that some indicators need and nobody counts here.

The figures a tenant records are those of the ``Recorded`` measures of the
indicators of the services it offers (:func:`helpdesk.indicators.recorded_figures`).
Saving a month writes every figure of it in one transaction: all or nothing.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date

from sqlalchemy import select

from helpdesk import indicators
from helpdesk import measures
from helpdesk.extensions import db
from helpdesk.models import RecordedFigure
from helpdesk.models import Tenant
from helpdesk.models import User
from helpdesk.models.base import utcnow

# Large enough for any follower count, small enough to catch a slip of the keyboard.
MAX_VALUE = 1e12


class FigureError(ValueError):
    """A value that cannot be recorded; the message says which and why (Spanish)."""


def figures_of(tenant: Tenant) -> list[measures.Recorded]:
    """The figures the indicators of the tenant's services need."""
    offered = indicators.offered_services(tenant.id)
    found = [
        definition
        for definition in indicators.all_definitions().values()
        if definition.service_code is None or definition.service_code in offered
    ]
    return indicators.recorded_figures(found)


def month_values(tenant: Tenant, month: date) -> dict[str, RecordedFigure]:
    rows = db.session.scalars(
        select(RecordedFigure).where(
            RecordedFigure.tenant_id == tenant.id, RecordedFigure.month == month
        )
    )
    return {row.figure: row for row in rows}


def check(figure: measures.Recorded, value: float | None) -> float | None:
    if value is None:
        return None
    if not math.isfinite(value) or value < 0:
        raise FigureError(f"«{figure.label}»: escriba un número mayor o igual que cero.")
    if value > MAX_VALUE:
        raise FigureError(f"«{figure.label}»: el número es demasiado grande.")
    return float(value)


def record(
    tenant: Tenant,
    month: date,
    values: Mapping[str, float | None],
    user: User,
    note: str | None = None,
) -> int:
    """Write one month's figures (None erases one); returns how many are stored.

    Every value is checked before anything is written; an unknown figure or a
    wrong value raises :class:`FigureError` and nothing changes.
    """
    if month.day != 1:
        raise FigureError("Las cifras se registran por mes: use el primer día del mes.")
    known = {figure.figure: figure for figure in figures_of(tenant)}
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise FigureError(f"Cifras desconocidas para este gobierno: {', '.join(unknown)}.")
    clean = {key: check(known[key], value) for key, value in values.items()}
    existing = month_values(tenant, month)
    stored = 0
    for key, value in clean.items():
        row = existing.get(key)
        if value is None:
            if row is not None:
                db.session.delete(row)
            continue
        if row is None:
            row = RecordedFigure(tenant_id=tenant.id, figure=key, month=month)
            db.session.add(row)
        row.value = value
        row.note = (note or "").strip() or None
        row.recorded_by_id = user.id
        row.recorded_at = utcnow()
        stored += 1
    db.session.commit()
    return stored
