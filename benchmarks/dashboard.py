"""How long the indicators and the dashboard take on a tenant with many requests.

Usage: ``.venv/bin/python benchmarks/dashboard.py [--tickets 200000] [--database URL]``

Builds a throwaway database (SQLite in a temporary folder unless ``--database``
names another, which is emptied first), loads the demo, writes ``--tickets``
requests of Chalco spread over two years straight into the tables (each with
its filing, turn and closing events, its resolve clock and, for half of the
concluded ones, an answered survey), counts them into the daily tally as
``helpdesk init-db`` would, then prints how long the general
indicators of a quarter, their month-by-month trend and the dashboard pages
(a quarter, a month, a year, narrowed to a department, a unit or a service, a
custom range of days, and the superadmin's across tenants) take. It prints
figures; it asserts nothing (the machines are shared and noisy).
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import select

from helpdesk import create_app
from helpdesk import demo as demo_data
from helpdesk import indicators
from helpdesk import periods
from helpdesk import plugins
from helpdesk import tallies
from helpdesk.extensions import db
from helpdesk.models import DailyTally
from helpdesk.models import Department
from helpdesk.models import SlaClock
from helpdesk.models import Survey
from helpdesk.models import Tenant
from helpdesk.models import TenantService
from helpdesk.models import Ticket
from helpdesk.models import TicketEvent
from helpdesk.models import Unit
from helpdesk.models import User
from helpdesk.testing import Browser

BATCH = 20_000
SERVICES = ("GCH-CCS-P09", "GCH-CCS-P10", "GCH-CCS-P07", "GCH-CCS-P08")
START = datetime(2025, 1, 1, 15, 0, tzinfo=UTC)
SPAN_SECONDS = 2 * 365 * 24 * 3600


def _rows(
    tenant: Tenant, first_id: int, count: int, ids: dict, rng: random.Random
) -> tuple[list[dict], list[dict], list[dict], list[dict]]:
    tickets, events, clocks, surveys = [], [], [], []
    for offset in range(count):
        ticket_id = first_id + offset
        received = START + timedelta(seconds=rng.randrange(SPAN_SECONDS))
        closed = rng.random() < 0.85
        closed_at = received + timedelta(hours=rng.randrange(1, 400)) if closed else None
        outcome = ("concluded" if rng.random() < 0.9 else "rejected") if closed else None
        worked = rng.randrange(600, 40 * 3600) if closed else None
        service = rng.choice(SERVICES)
        tickets.append(
            {
                "id": ticket_id,
                "tenant_id": tenant.id,
                "folio": f"BENCH-{ticket_id:09d}",
                "service_code": service,
                "state": outcome or "in_progress",
                "channel": "portal",
                "requester_id": ids["requester"],
                "filed_by_id": ids["requester"],
                "unit_id": rng.choice(ids["units"]),
                "department_id": rng.choice(ids["departments"]),
                "assignee_id": ids["agent"],
                "data": {},
                "summary": "Solicitud de prueba de carga",
                "created_at": received,
                "received_at": received,
                "closed_at": closed_at,
                "outcome": outcome,
                "work_seconds": worked,
                "version": 1,
            }
        )
        steps = [("file", None, "received", received)]
        steps.append(("turn", "received", "turned", received + timedelta(hours=1)))
        if closed:
            final = "conclude" if outcome == "concluded" else "reject"
            steps.append((final, "turned", outcome, closed_at))
        for seq, (name, source, target, at) in enumerate(steps, start=1):
            events.append(
                {
                    "tenant_id": tenant.id,
                    "ticket_id": ticket_id,
                    "service_code": service,
                    "seq": seq,
                    "at": at,
                    "actor_id": ids["agent"],
                    "transition": name,
                    "from_state": source,
                    "to_state": target,
                    "changes": {},
                }
            )
        budget = 14 * 3600
        clocks.append(
            {
                "tenant_id": tenant.id,
                "ticket_id": ticket_id,
                "target": "resolve",
                "budget_seconds": budget,
                "used_seconds": worked if worked is not None else budget // 2,
                "met_at": closed_at,
                "due_at": received + timedelta(days=3),
                "risk_at": received + timedelta(days=2),
                "alerted": "",
            }
        )
        if outcome == "concluded" and rng.random() < 0.5:
            surveys.append(
                {
                    "tenant_id": tenant.id,
                    "ticket_id": ticket_id,
                    "requester_id": ids["requester"],
                    "service_code": service,
                    "token_hash": f"{ticket_id:064d}",
                    "nonce": "bench",
                    "created_at": closed_at,
                    "expires_at": closed_at + timedelta(days=30),
                    "answered_at": closed_at + timedelta(days=1),
                    "rating": rng.choice(("satisfied", "satisfied", "regular", "unsatisfied")),
                    "answers": {},
                }
            )
    return tickets, events, clocks, surveys


def load(count: int) -> None:
    rng = random.Random(2026)
    tenant = db.session.scalar(select(Tenant).where(Tenant.slug == "chalco"))
    people = {u.email: u.id for u in db.session.scalars(select(User))}
    ids = {
        "requester": people["solicitante@chalco.example"],
        "agent": people["tecnico@chalco.example"],
        "units": list(db.session.scalars(select(Unit.id).where(Unit.tenant_id == tenant.id))),
        "departments": list(
            db.session.scalars(select(Department.id).where(Department.tenant_id == tenant.id))
        ),
    }
    for row in db.session.scalars(
        select(TenantService).where(TenantService.tenant_id == tenant.id)
    ):
        row.enabled = row.service_code in SERVICES
    db.session.commit()
    first = (db.session.scalar(select(func.max(Ticket.id))) or 0) + 1
    for start in range(0, count, BATCH):
        size = min(BATCH, count - start)
        tickets, events, clocks, surveys = _rows(tenant, first + start, size, ids, rng)
        db.session.execute(insert(Ticket), tickets)
        db.session.execute(insert(TicketEvent), events)
        db.session.execute(insert(SlaClock), clocks)
        if surveys:
            db.session.execute(insert(Survey), surveys)
        db.session.commit()


def _fill(count: int) -> None:
    db.drop_all()
    db.create_all()
    demo_data.load(plugins.host().catalog)
    began = time.perf_counter()
    load(count)
    print(f"loaded {count:,} requests in {time.perf_counter() - began:.1f} s")
    # The rows went in around the ORM, as an import would: init-db counts them.
    began = time.perf_counter()
    counted = tallies.count_missing()
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        # What autovacuum does on a running server: the counting left every
        # tally row updated thousands of times, and its dead versions behind.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    rows = db.session.scalar(select(func.count(DailyTally.id)))
    print(
        f"counted {counted:,} requests into {rows:,} daily tally rows"
        f" in {time.perf_counter() - began:.1f} s"
    )


def timed(label: str, action: Callable[[], object], repeat: int = 5) -> None:
    action()  # warm the caches once, as a server that has been running would have them
    spent = []
    for _ in range(repeat):
        began = time.perf_counter()
        action()
        spent.append(time.perf_counter() - began)
    print(
        f"{label:<64} median {statistics.median(spent) * 1000:8.1f} ms"
        f"  max {max(spent) * 1000:8.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=200_000)
    parser.add_argument("--database", default=None)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep what --database already holds (loaded by an earlier run) and only time",
    )
    args = parser.parse_args()
    if args.reuse and not args.database:
        parser.error("--reuse needs --database")
    folder = Path(tempfile.mkdtemp(prefix="helpdesk-bench-"))
    url = args.database or f"sqlite:///{folder / 'bench.sqlite3'}"
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "INSTANCE_PATH": str(folder),
            "SECRET_KEY": "benchmark",
            "HELPDESK_REDIS_URL": None,
            "HELPDESK_SLA_SWEEP_SECONDS": 0,
            "HELPDESK_OUTBOX_FLUSH_SECONDS": 0,
            "HELPDESK_PERIODIC_JOBS": False,
            "HELPDESK_LOGIN_RATE_LIMIT": "1000/minute",
        }
    )
    with app.app_context():
        print(f"database: {url}")
        if args.reuse:
            held = db.session.scalar(select(func.count(Ticket.id)))
            print(f"reusing {held:,} requests")
        else:
            _fill(args.tickets)
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == "chalco"))
        quarter = periods.parse("2026-Q2")
        scope = indicators.Scope.of(tenant, quarter)
        general = [d for d in indicators.all_definitions().values() if d.service_code is None]
        received = indicators.definition("requests_received")
        timed("general indicators of a quarter", lambda: indicators.read_all(scope, general))
        timed("every indicator of the tenant's services", lambda: indicators.read_all(scope))
        timed("12-month trend of requests received", lambda: indicators.trend(received, scope))
        department = db.session.scalar(
            select(Department.id).where(Department.tenant_id == tenant.id, Department.code == "DGD")
        )
        unit = db.session.scalar(select(Unit.id).where(Unit.tenant_id == tenant.id).limit(1))
    coordinator = Browser(app.test_client())
    coordinator.login("coordinador@chalco.example", demo_data.DEMO_PASSWORD)
    superadmin = Browser(app.test_client())
    superadmin.login(demo_data.SUPERADMIN_EMAIL, demo_data.DEMO_PASSWORD)
    pages = [
        (coordinator, "/chalco/tablero/?periodo=2026-Q2"),
        (coordinator, "/chalco/tablero/?periodo=2026-05"),
        (coordinator, "/chalco/tablero/?periodo=2026"),
        (coordinator, f"/chalco/tablero/?periodo=2026-Q2&departamento={department}"),
        (coordinator, f"/chalco/tablero/?periodo=2026-Q2&unidad={unit}"),
        (coordinator, "/chalco/tablero/servicio/GCH-CCS-P10?periodo=2026-Q2"),
        (coordinator, "/chalco/tablero/?periodo=2026-02-10..2026-05-20"),
        (superadmin, "/superadmin/tablero/?periodo=2026-Q2"),
        (superadmin, "/superadmin/tablero/servicio/GCH-CCS-P10?periodo=2026-Q2"),
    ]
    for browser, address in pages:

        def page(browser: Browser = browser, address: str = address) -> None:
            response = browser.get(address)
            assert response.status_code == 200, (address, response.status_code)

        timed(address, page, repeat=3)


if __name__ == "__main__":
    main()
