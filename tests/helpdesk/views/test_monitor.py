"""The response-time monitor (helpdesk/views/monitor.py).

The clocks are set by hand on the stored SlaClock rows, relative to the real
present, so every ticket's status is known exactly. Pages are read in English
(the msgids), so the assertions hold whatever the Spanish catalog says.
"""

from __future__ import annotations

import html
import re
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import Department
from helpdesk.models import SlaClock
from helpdesk.models import Tenant
from helpdesk.models import Ticket
from helpdesk.models import User

URL = "/chalco/monitor/"
P10_DATA = {
    "problem_description": "El equipo no arranca",
    "requester_name": "Laura Méndez Ortiz",
    "equipment_location": "Dirección de la Mujer",
    "municipal_infrastructure": True,
}
AGENT_NAME = "Miguel Ángel Torres Ruiz"  # tecnico@chalco.example
CCS = "Coordinación de Comunicación Social"
DGD = "Departamento de Gobierno Digital"  # where SAMPLE-01 and GCH-CCS-P10 are turned


# --- helpers ------------------------------------------------------------------------------


def now() -> datetime:
    return datetime.now(UTC)


def breached():
    return {"due_at": now() - timedelta(hours=1), "risk_at": now() - timedelta(hours=2)}


def at_risk():
    return {"due_at": now() + timedelta(days=1), "risk_at": now() - timedelta(hours=1)}


def on_time():
    return {"due_at": now() + timedelta(days=2), "risk_at": now() + timedelta(days=1)}


def paused():
    return {"due_at": None, "risk_at": None}


def set_clock(app, ticket_id, target="respond", **values):
    with app.app_context():
        clock = db.session.scalar(
            select(SlaClock).where(SlaClock.ticket_id == ticket_id, SlaClock.target == target)
        )
        for column, value in values.items():
            setattr(clock, column, value)
        db.session.commit()


def set_ticket(app, ticket_id, **values):
    with app.app_context():
        ticket = db.session.get(Ticket, ticket_id)
        for column, value in values.items():
            setattr(ticket, column, value)
        db.session.commit()


def folio_of(app, ticket_id):
    with app.app_context():
        return db.session.get(Ticket, ticket_id).folio


def dept_id(app, code, tenant="chalco"):
    with app.app_context():
        return db.session.scalar(
            select(Department.id)
            .join(Tenant, Tenant.id == Department.tenant_id)
            .where(Department.code == code, Tenant.slug == tenant)
        )


def user_id(app, email):
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == email))


def reader(login_as, role="coordinator", tenant="chalco"):
    """A signed-in browser reading the pages in English."""
    browser = login_as(role, tenant=tenant)
    browser.post("/idioma", {"locale": "en", "next": "/"})
    return browser


def text_of(response):
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def totals(page):
    found = re.findall(r'<li class="tag sla-(\w+)"><a [^>]*>[^<]*<strong>(\d+)</strong>', page)
    return {status: int(count) for status, count in found}


def listed(page):
    """The open-ticket list as (status, folio), in the order shown."""
    return re.findall(r'<tr class="sla-(\w+)">\s*<td><a href="[^"]+">([^<]+)</a>', page)


def tables(page):
    """Each breakdown table: {row name: [breached, at_risk, on_time, paused]}."""
    found = {}
    for section in page.split("<h2>")[1:4]:
        title = html.unescape(section.split("</h2>", 1)[0])
        rows = re.findall(r"<tr><td>([^<]*)</td>((?:<td>\d+</td>){4})</tr>", section)
        found[title] = {
            html.unescape(name): [int(n) for n in re.findall(r"\d+", counts)]
            for name, counts in rows
        }
    return found


# --- access -------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client, demo) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.parametrize(("role", "status"), [("requester", 403), ("agent", 403)])
def test_requesters_and_agents_are_refused(login_as, role, status) -> None:
    assert login_as(role).get(URL).status_code == status


@pytest.mark.parametrize("role", ["coordinator", "tenant_admin"])
def test_coordinators_and_tenant_admins_see_it(login_as, role) -> None:
    page = text_of(reader(login_as, role).get(URL))
    assert "<h1>Response-time monitor</h1>" in page
    assert totals(page) == {"breached": 0, "at_risk": 0, "on_time": 0, "paused": 0}


@pytest.mark.parametrize("role", ["coordinator", "tenant_admin"])
def test_another_tenants_staff_get_404(login_as, role) -> None:
    assert login_as(role, tenant="sinaloa").get(URL).status_code == 404


def test_the_nav_links_to_the_monitor_only_for_coordinators_and_admins(login_as) -> None:
    assert 'href="/chalco/monitor/"' in text_of(login_as("coordinator").get("/chalco/mesa/"))
    assert 'href="/chalco/monitor/"' in text_of(login_as("tenant_admin").get("/chalco/mesa/"))
    assert 'href="/chalco/monitor/"' not in text_of(login_as("agent").get("/chalco/mesa/"))


def test_the_script_is_served_from_this_host(login_as) -> None:
    browser = login_as("coordinator")
    page = text_of(browser.get(URL))
    scripts = re.findall(r"<script[^>]*>", page)
    assert '<script src="/static/monitor.js" defer>' in scripts
    assert all("//" not in tag for tag in scripts)
    with browser.get("/static/monitor.js") as script:
        assert script.status_code == 200
        assert 'document.getElementById("monitor-body")' in script.get_data(as_text=True)
    assert "script-src 'self'" in browser.get(URL).headers["Content-Security-Policy"]


# --- figures ------------------------------------------------------------------------------


@pytest.fixture
def board(demo, make_ticket):
    """Five open tickets of known status in chalco, plus ones that must never count.

    Received (oldest first): C (10 days ago), B (3 days), A (1 day), D, E (just now).
    """
    agent = user_id(demo, "tecnico@chalco.example")
    ccs = dept_id(demo, "CCS")
    ids = {}
    ids["A"] = make_ticket("SAMPLE-01", data={"summary": "A"})
    set_clock(demo, ids["A"], **breached())
    set_ticket(
        demo,
        ids["A"],
        received_at=now() - timedelta(days=1),
        department_id=ccs,
        assignee_id=agent,
    )
    ids["B"] = make_ticket("SAMPLE-01", data={"summary": "B"})
    set_clock(demo, ids["B"], **breached())
    set_ticket(demo, ids["B"], received_at=now() - timedelta(days=3))
    ids["C"] = make_ticket("SAMPLE-01", data={"summary": "C"})
    set_clock(demo, ids["C"], **at_risk())
    set_ticket(demo, ids["C"], received_at=now() - timedelta(days=10), assignee_id=agent)
    # Two clocks: the met one (overdue had it been open) must not count; the
    # running one decides.
    ids["D"] = make_ticket("GCH-CCS-P10", data=P10_DATA)
    set_clock(demo, ids["D"], "respond", met_at=now() - timedelta(hours=5), **breached())
    set_clock(demo, ids["D"], "resolve", **on_time())
    ids["E"] = make_ticket("SAMPLE-01", data={"summary": "E"})
    set_clock(demo, ids["E"], **paused())
    set_ticket(demo, ids["E"], department_id=None)
    # Never counted: closed, every clock met, another tenant's.
    ids["closed"] = make_ticket("SAMPLE-01", data={"summary": "closed"})
    set_clock(demo, ids["closed"], **breached())
    set_ticket(demo, ids["closed"], closed_at=now(), received_at=now() - timedelta(days=30))
    ids["met"] = make_ticket("SAMPLE-01", data={"summary": "met"})
    set_clock(demo, ids["met"], met_at=now() - timedelta(hours=3), **breached())
    ids["sinaloa"] = make_ticket("SAMPLE-01", tenant="sinaloa")
    set_clock(demo, ids["sinaloa"], **breached())
    set_ticket(demo, ids["sinaloa"], received_at=now() - timedelta(days=30))
    return {key: folio_of(demo, ident) for key, ident in ids.items()}


def test_totals_count_each_open_ticket_once_by_its_worst_clock(login_as, board) -> None:
    page = text_of(reader(login_as).get(URL))
    assert totals(page) == {"breached": 2, "at_risk": 1, "on_time": 1, "paused": 1}


def test_list_is_worst_first_then_oldest(login_as, board) -> None:
    page = text_of(reader(login_as).get(URL))
    assert listed(page) == [
        ("breached", board["B"]),
        ("breached", board["A"]),
        ("at_risk", board["C"]),
        ("on_time", board["D"]),
        ("paused", board["E"]),
    ]


def test_closed_met_and_other_tenants_tickets_never_appear(login_as, board) -> None:
    for browser in (reader(login_as), reader(login_as, "tenant_admin")):
        page = text_of(browser.get(URL))
        for key in ("closed", "met", "sinaloa"):
            assert board[key] not in page


def test_breakdowns_by_department_service_and_technician(login_as, board) -> None:
    page = text_of(reader(login_as).get(URL))
    assert tables(page) == {
        "By department": {CCS: [1, 0, 0, 0], DGD: [1, 1, 1, 0], "Unassigned": [0, 0, 0, 1]},
        "By service": {"SAMPLE-01": [2, 1, 0, 1], "GCH-CCS-P10": [0, 0, 1, 0]},
        "By technician": {AGENT_NAME: [1, 1, 0, 0], "Unassigned": [1, 0, 1, 1]},
    }


def test_another_tenant_sees_only_its_own_tickets(login_as, board) -> None:
    page = text_of(reader(login_as, tenant="sinaloa").get("/sinaloa/monitor/"))
    assert totals(page) == {"breached": 1, "at_risk": 0, "on_time": 0, "paused": 0}
    assert listed(page) == [("breached", board["sinaloa"])]
    for key in ("A", "B", "C", "D", "E", "closed", "met"):
        assert board[key] not in page


def test_status_filter(login_as, board) -> None:
    browser = reader(login_as)
    page = text_of(browser.get(f"{URL}?status=breached"))
    assert listed(page) == [("breached", board["B"]), ("breached", board["A"])]
    assert totals(page) == {"breached": 2, "at_risk": 0, "on_time": 0, "paused": 0}
    page = text_of(browser.get(f"{URL}?status=paused"))
    assert listed(page) == [("paused", board["E"])]
    # An unknown status is no filter at all.
    assert len(listed(text_of(browser.get(f"{URL}?status=lost")))) == 5


def test_service_filter(login_as, board) -> None:
    page = text_of(reader(login_as).get(f"{URL}?service=GCH-CCS-P10"))
    assert listed(page) == [("on_time", board["D"])]
    assert totals(page) == {"breached": 0, "at_risk": 0, "on_time": 1, "paused": 0}
    assert tables(page)["By service"] == {"GCH-CCS-P10": [0, 0, 1, 0]}


def test_department_filter(demo, login_as, board) -> None:
    browser = reader(login_as)
    page = text_of(browser.get(f"{URL}?department={dept_id(demo, 'CCS')}"))
    assert listed(page) == [("breached", board["A"])]
    assert tables(page)["By department"] == {CCS: [1, 0, 0, 0]}
    page = text_of(browser.get(f"{URL}?department={dept_id(demo, 'DGD')}"))
    assert listed(page) == [
        ("breached", board["B"]),
        ("at_risk", board["C"]),
        ("on_time", board["D"]),
    ]
    # Not a number: ignored.
    assert len(listed(text_of(browser.get(f"{URL}?department=DGD")))) == 5


def test_agent_filter(demo, login_as, board) -> None:
    agent = user_id(demo, "tecnico@chalco.example")
    browser = reader(login_as)
    page = text_of(browser.get(f"{URL}?agent={agent}"))
    assert listed(page) == [("breached", board["A"]), ("at_risk", board["C"])]
    assert totals(page) == {"breached": 1, "at_risk": 1, "on_time": 0, "paused": 0}
    assert tables(page)["By technician"] == {AGENT_NAME: [1, 1, 0, 0]}
    page = text_of(browser.get(f"{URL}?agent={agent}&status=at_risk"))
    assert listed(page) == [("at_risk", board["C"])]


def test_fragment_is_only_the_body(login_as, board) -> None:
    browser = reader(login_as)
    fragment = text_of(browser.get(f"{URL}?fragment=1&status=breached"))
    assert "<html" not in fragment.lower()
    assert "<form" not in fragment
    assert "<script" not in fragment
    assert fragment.lstrip().startswith('<p class="meta">')
    assert listed(fragment) == [("breached", board["B"]), ("breached", board["A"])]
    assert totals(fragment) == {"breached": 2, "at_risk": 0, "on_time": 0, "paused": 0}
    # The full page keeps its filters in the refresh address, and its links drop "fragment".
    page = text_of(browser.get(f"{URL}?status=breached"))
    assert 'data-refresh-url="/chalco/monitor/?fragment=1&amp;status=breached"' in page
    assert "fragment" not in re.search(r'<ul class="sla-totals">.*?</ul>', fragment, re.S)[0]


def test_desk_queues_show_each_tickets_service_level(demo, make_ticket, login_as) -> None:
    late = make_ticket("SAMPLE-01", data={"summary": "Proyector"})
    waiting = make_ticket("SAMPLE-01", data={"summary": "Pantalla"})
    set_clock(demo, late, **breached())
    set_clock(demo, waiting, **paused())
    page = text_of(reader(login_as).get("/chalco/mesa/?queue=all"))
    rows = {
        folio: row
        for row in re.findall(r"<tr>(.*?)</tr>", page, re.S)
        for folio in (folio_of(demo, late), folio_of(demo, waiting))
        if folio in row
    }
    assert '<span class="tag sla-breached">Overdue</span>' in rows[folio_of(demo, late)]
    assert '<span class="tag sla-paused">Clock stopped</span>' in rows[folio_of(demo, waiting)]


def test_the_list_costs_the_same_queries_for_one_or_many_tickets(demo, make_ticket) -> None:
    from sqlalchemy import event

    from helpdesk.tenancy import scoped_to
    from helpdesk.views.monitor import monitor_data

    def queries_for_listing() -> int:
        with demo.app_context():
            tenant = db.session.scalar(select(Tenant).where(Tenant.slug == "chalco"))
            with scoped_to(tenant):
                count = 0

                def counter(*args: object) -> None:
                    nonlocal count
                    count += 1

                event.listen(db.engine, "before_cursor_execute", counter)
                try:
                    data = monitor_data({})
                    shown = [
                        (ticket.department.code, ticket.assignee.name)
                        for ticket, _, _ in data["rows"]
                    ]
                    assert len(shown) == len(data["rows"])
                finally:
                    event.remove(db.engine, "before_cursor_execute", counter)
                return count

    first = make_ticket("SAMPLE-01", data={"summary": "Uno"})
    set_ticket(demo, first, assignee_id=user_id(demo, "tecnico@chalco.example"))
    one = queries_for_listing()
    # Each new ticket has another department and technician: lazy loading
    # would add queries per row.
    people = ["coordinador@chalco.example", "admin@chalco.example", "solicitante@chalco.example"]
    for email, code in zip(people, ["CCS", "DCII", "DGD"], strict=True):
        ticket_id = make_ticket("SAMPLE-01", data={"summary": email})
        set_ticket(
            demo, ticket_id, assignee_id=user_id(demo, email), department_id=dept_id(demo, code)
        )
    assert queries_for_listing() == one
