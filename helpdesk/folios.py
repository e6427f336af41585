"""Folios: one gapless series per tenant, service and year.

Formatting is a pure function; :func:`next_number` increments the series'
counter row inside the caller's transaction, so a rolled-back filing gives
its number back and two concurrent filings never share one (the row is
locked by the UPDATE until commit).
"""

from __future__ import annotations

import re
import string

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from helpdesk.extensions import db
from helpdesk.models import FolioCounter

DEFAULT_PATTERN = "{tenant}-{service}-{year}-{seq:06d}"
REQUIRED_FIELDS = ("tenant", "service", "year", "seq")
FIELDS = frozenset(REQUIRED_FIELDS)
SAFE_LITERAL = re.compile(r"^[A-Za-z0-9/_.\- ]*$")


class FolioPatternError(ValueError):
    """The folio pattern cannot produce unique, readable folios."""


def validate_pattern(pattern: str) -> str:
    """Accept a pattern using {tenant}, {service}, {year} and {seq} (with a format spec).

    :raises FolioPatternError: on an unknown or missing placeholder, or odd characters.
    """
    try:
        parsed = list(string.Formatter().parse(pattern))
    except ValueError as exc:
        raise FolioPatternError(f"patrón ilegible: {exc}") from None
    names = set()
    for literal, name, _spec, conversion in parsed:
        if not SAFE_LITERAL.match(literal):
            raise FolioPatternError("use solo letras, dígitos, guiones, diagonales y puntos")
        if name is None:
            continue
        if name not in FIELDS or conversion:
            raise FolioPatternError(f"marcador desconocido: {{{name}}}")
        names.add(name)
    missing = [f"{{{n}}}" for n in REQUIRED_FIELDS if n not in names]
    if missing:
        raise FolioPatternError(f"faltan los marcadores {', '.join(missing)}")
    format_folio(pattern, tenant="T", service="S", year=2026, seq=1)
    return pattern


def format_folio(pattern: str, *, tenant: str, service: str, year: int, seq: int) -> str:
    """E.g. ``CHALCO-P10-2026-000123`` from the default pattern."""
    try:
        return pattern.format(tenant=tenant.upper(), service=service, year=year, seq=seq)
    except (ValueError, KeyError, IndexError) as exc:
        raise FolioPatternError(f"patrón inválido: {exc}") from None


def next_number(tenant_id: int, service_code: str, year: int) -> int:
    """The next number of the series, reserved in the current transaction."""
    insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    db.session.execute(
        insert(FolioCounter)
        .values(tenant_id=tenant_id, service_code=service_code, year=year, last_value=0)
        .on_conflict_do_nothing(index_elements=["tenant_id", "service_code", "year"])
    )
    statement = (
        update(FolioCounter)
        .where(
            FolioCounter.tenant_id == tenant_id,
            FolioCounter.service_code == service_code,
            FolioCounter.year == year,
        )
        .values(last_value=FolioCounter.last_value + 1)
        .returning(FolioCounter.last_value)
    )
    return db.session.execute(statement).scalar_one()
