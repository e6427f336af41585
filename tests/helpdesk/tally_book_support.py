"""Random tickets written straight into the tables, then counted as ``helpdesk
init-db`` counts them: for checking that what the counts find (the monthly
tally, the worked-time counts) is what reading every ticket finds.

Every ticket is concluded (or rejected) between 20 September 2026 and the
year's end, received up to 40 days before, in the demo's tenants but Edomex,
across two services, two units and two departments, with short and long
worked times, ties and the column's largest value, so months, quarters and
the buckets' edges are all crossed.
"""

from __future__ import annotations

import copy
import random
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy import select

from helpdesk import periods
from helpdesk import tallies
from helpdesk.extensions import db
from helpdesk.models import Department
from helpdesk.models import Tenant
from helpdesk.models import Ticket
from helpdesk.models import Unit
from helpdesk.models import User
from helpdesk.testing import reuse_database

P09 = "GCH-CCS-P09"
P07 = "GCH-CCS-P07"


@dataclass
class Book:
    """What was written: the rows, and two units and departments per tenant."""

    rows: list[dict[str, Any]]
    tenants: list[Tenant]
    offices: dict[str, tuple[list[int], list[int]]]

    @property
    def chalco(self) -> Tenant:
        return next(tenant for tenant in self.tenants if tenant.slug == "chalco")

    def narrowing(self) -> list[dict[str, Any]]:
        """Chalco's filters: none, a service, a unit, a department, all three."""
        units, departments = self.offices["chalco"]
        return [
            {},
            {"service_code": P09},
            {"unit_id": units[0]},
            {"department_id": departments[1]},
            {"service_code": P09, "unit_id": units[1], "department_id": departments[0]},
        ]

    def worked(self, tenant: Tenant | None, period: periods.Period, **filters: Any) -> list[int]:
        """The worked seconds of the concluded tickets of a scope, read from the
        rows; each in its own tenant's local days."""
        bounds = {each.id: periods.bounds(period, each.timezone) for each in self.tenants}
        return sorted(
            row["work_seconds"]
            for row in self.rows
            if (tenant is None or row["tenant_id"] == tenant.id)
            and row["outcome"] == "concluded"
            and bounds[row["tenant_id"]][0] <= row["closed_at"] < bounds[row["tenant_id"]][1]
            and all(row[name] == value for name, value in filters.items())
        )


def quantile_hours(values: list[int], quantile: float) -> float | None:
    """The quantile interpolated as PostgreSQL's percentile_cont, in hours as
    the engine rounds them: the reference the engine's answer must equal."""
    if not values:
        return None
    position = quantile * (len(values) - 1)
    lower = int(position)
    upper = min(lower + 1, len(values) - 1)
    found = values[lower] + (values[upper] - values[lower]) * (position - lower)
    return round(found / 3600.0, 2)


def write_book(
    app: Any, *, per_tenant: int = 300, seed: int = 2026, zones: dict[str, str] | None = None
) -> Book:
    """Write the random tickets and count them; the app context stays the caller's.

    :param zones: time zones to give tenants first, by slug.
    """
    rng = random.Random(seed)
    tenants = list(db.session.scalars(select(Tenant).where(Tenant.slug != "edomex")))
    for tenant in tenants:
        tenant.timezone = (zones or {}).get(tenant.slug, tenant.timezone)
    db.session.commit()
    rows: list[dict[str, Any]] = []
    offices = {}
    for tenant in tenants:
        requester = db.session.scalar(
            select(User).where(User.tenant_id == tenant.id).order_by(User.id)
        )
        units = list(db.session.scalars(select(Unit.id).where(Unit.tenant_id == tenant.id)))
        departments = list(
            db.session.scalars(select(Department.id).where(Department.tenant_id == tenant.id))
        )
        offices[tenant.slug] = (units[:2], departments[:2])
        for n in range(per_tenant):
            closed = datetime(2026, 9, 20, tzinfo=UTC) + timedelta(minutes=rng.randrange(150_000))
            rows.append(
                {
                    "tenant_id": tenant.id,
                    "folio": f"Q-{tenant.slug}-{n}",
                    "service_code": rng.choice((P09, P07)),
                    "state": "concluded",
                    "requester_id": requester.id,
                    "filed_by_id": requester.id,
                    "unit_id": rng.choice([None, *units[:2]]),
                    "department_id": rng.choice([None, *departments[:2]]),
                    "data": {},
                    "received_at": closed - timedelta(days=rng.randrange(0, 40)),
                    "closed_at": closed,
                    "outcome": rng.choice(("concluded", "concluded", "concluded", "rejected")),
                    "work_seconds": rng.choice(
                        (
                            0,
                            10,
                            39,
                            40,
                            3600,
                            rng.randrange(60, 200_000),
                            rng.randrange(9**7),
                            2**31 - 1,
                        )
                    ),
                    "version": 1,
                }
            )
    db.session.execute(insert(Ticket), rows)
    db.session.commit()
    tallies.count_missing()
    db.session.commit()
    return Book(rows, tenants, offices)


def shared_book(app: Any) -> dict[str, Any]:
    """``write_book(app)`` with its defaults, built once per test process and
    afterwards copied into each test's database. Call it outside an app context;
    the book's tenants are loaded in the context current when it is read
    (:func:`load_book`)."""
    return reuse_database(app, "tests.helpdesk.tally_book_support.write_book", lambda: _plain(app))


def _plain(app: Any) -> dict[str, Any]:
    with app.app_context():
        book = write_book(app)
        return {
            "rows": book.rows,
            "tenants": [tenant.id for tenant in book.tenants],
            "offices": book.offices,
        }


def load_book(saved: dict[str, Any]) -> Book:
    """The book :func:`shared_book` returned, its tenants read in the current app
    context; the rows are a copy of their own, whatever a test does with them."""
    return Book(
        copy.deepcopy(saved["rows"]),
        [db.session.get(Tenant, tenant_id) for tenant_id in saved["tenants"]],
        copy.deepcopy(saved["offices"]),
    )
