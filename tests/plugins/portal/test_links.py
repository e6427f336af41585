"""PSDT-05's link check: the HTTP check itself, and the sweep of every published order
(function, command and staff page), against a local web server."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import Tenant
from helpdesk.tenancy import scoped_to
from plugins.portal import links

from .helpers import events
from .helpers import ok
from .helpers import requester_step
from .helpers import staff_step
from .helpers import state
from .test_psdt05 import publish
from .test_psdt05 import register_by_phone
from .test_psdt05 import to_work

# -- check_link ------------------------------------------------------------------


def test_a_live_page_passes_with_head_only(link_server):
    link_server.routes["/ok"] = 200
    result = links.check_link(link_server.url("/ok"), timeout=2)
    assert result.ok and result.status == 200
    assert link_server.hits == [("HEAD", "/ok")]


def test_a_missing_page_fails_after_trying_get(link_server):
    result = links.check_link(link_server.url("/nada"), timeout=2)
    assert not result.ok and result.status == 404
    assert link_server.hits == [("HEAD", "/nada"), ("GET", "/nada")]
    assert "HTTP 404" in result.describe()


def test_a_server_refusing_head_is_asked_with_get(link_server):
    link_server.routes["/solo-get"] = "head405"
    result = links.check_link(link_server.url("/solo-get"), timeout=2)
    assert result.ok and result.status == 200


def test_a_refused_connection_fails(refused_url):
    result = links.check_link(refused_url, timeout=2)
    assert not result.ok and result.status is None
    assert result.detail == "el servidor rechazó la conexión"


def test_a_slow_server_times_out(link_server):
    link_server.routes["/lento"] = "slow"
    result = links.check_link(link_server.url("/lento"), timeout=0.2)
    assert not result.ok and result.detail == "el servidor no respondió a tiempo"


@pytest.mark.parametrize("url", ["", "file:///etc/passwd", "ftp://example.org/x", "javascript:x"])
def test_only_web_addresses_are_opened(url):
    result = links.check_link(url, timeout=0.2)
    assert not result.ok and result.detail == "no es una dirección http(s)"


def test_the_address_written_in_a_step_wins():
    assert links.url_in("Liga nueva: https://a.gob.mx/x?y=1.") == "https://a.gob.mx/x?y=1"
    assert links.url_in("(ver http://b.gob.mx/z)") == "http://b.gob.mx/z"
    assert links.url_in("Publicado como «Pagos»") is None


# -- check_links: every published order --------------------------------------------


@pytest.fixture
def people(login_as):
    return {
        "requester": login_as("requester", tenant="sinaloa"),
        "coordinator": login_as("coordinator", tenant="sinaloa"),
        "agent": login_as("agent", tenant="sinaloa"),
    }


@pytest.fixture
def published(demo, people, link_server):
    """Three orders: one closed, one waiting on the requester, one never published."""
    folios = {}
    for path in ("/cerrada", "/en-pruebas", "/sin-publicar"):
        link_server.routes[path] = 200
        folios[path] = register_by_phone(demo, people["coordinator"], link_server.url(path))
        to_work(demo, people, folios[path])
    for path in ("/cerrada", "/en-pruebas"):
        publish(people, folios[path])
        ok(staff_step(people["agent"], "sinaloa", folios[path], "notify_publication", text="Listo"))
    ok(requester_step(people["requester"], "sinaloa", folios["/cerrada"], "confirm_satisfaction"))
    ok(staff_step(people["agent"], "sinaloa", folios["/cerrada"], "conclude", text="Cerrada"))
    link_server.hits.clear()
    return folios


def run_check(app):
    with app.app_context():
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == "sinaloa"))
        with scoped_to(tenant):
            return links.check_links(tenant, seconds=2)


def test_live_links_leave_the_orders_as_they_are(demo, published, link_server):
    results = run_check(demo)
    assert [r.folio for r in results] == sorted([published["/cerrada"], published["/en-pruebas"]])
    assert all(r.check.ok and r.step is None for r in results)
    assert ("HEAD", "/sin-publicar") not in link_server.hits
    assert state(demo, published["/cerrada"]) == "concluded"


def test_a_dead_link_reopens_even_a_closed_order(demo, published, link_server, people):
    link_server.routes["/cerrada"] = 404
    results = {r.folio: r for r in run_check(demo)}
    closed = published["/cerrada"]
    assert results[closed].step == "open_nonconformity" and not results[closed].check.ok
    assert results[published["/en-pruebas"]].step is None
    assert state(demo, closed) == "nonconforming"
    assert state(demo, published["/en-pruebas"]) == "awaiting_confirmation"
    opened = events(demo, closed)[-1]
    assert "Verificación automática" in opened.reason and "HTTP 404" in opened.reason
    assert opened.actor is None  # the help desk's own step, no person named
    # Fixed and verified, the order goes back through notification and confirmation.
    link_server.routes["/cerrada"] = 200
    agent = people["agent"]
    ok(staff_step(agent, "sinaloa", closed, "nc_cause", text="El servidor estaba apagado"))
    ok(staff_step(agent, "sinaloa", closed, "nc_fix", text="Servidor encendido"))
    assert state(demo, closed) == "visible"
    # A second run finds nothing new to open.
    assert all(r.step is None for r in run_check(demo))


def test_the_command_checks_every_published_order(demo, published, link_server, runner):
    link_server.routes["/en-pruebas"] = 500
    result = runner.invoke(args=["portal", "check-links", "--tenant", "sinaloa", "--timeout", "2"])
    assert result.exit_code == 0, result.output
    assert f"sinaloa {published['/en-pruebas']} NO VISIBLE" in result.output
    assert "→ open_nonconformity" in result.output
    assert "Ligas verificadas: 2; no visibles: 1." in result.output
    assert state(demo, published["/en-pruebas"]) == "nonconforming"
    unknown = runner.invoke(args=["portal", "check-links", "--tenant", "narnia"])
    assert unknown.exit_code != 0 and "narnia" in unknown.output


def test_the_staff_page_lists_and_checks_the_links(demo, published, link_server, login_as):
    coordinator = login_as("coordinator", tenant="sinaloa")
    page = coordinator.get("/sinaloa/s/portal/ligas").get_data(as_text=True)
    assert published["/cerrada"] in page and link_server.url("/en-pruebas") in page
    assert published["/sin-publicar"] not in page
    assert link_server.hits == []  # listing checks nothing
    link_server.routes["/en-pruebas"] = 404
    coordinator.get("/sinaloa/s/portal/ligas")
    checked = coordinator.post("/sinaloa/s/portal/ligas").get_data(as_text=True)
    assert "Se verificaron 2 ligas; 1 no se pueden ver." in checked
    assert "Abrir servicio no conforme" in checked
    assert state(demo, published["/en-pruebas"]) == "nonconforming"
    assert login_as("requester", tenant="sinaloa").get("/sinaloa/s/portal/ligas").status_code == 403
    # Chalco has no PSDT-05 orders and does not offer the service.
    assert login_as("coordinator").get("/chalco/s/portal/ligas").status_code == 404


# -- on a schedule ----------------------------------------------------------------


def test_the_daily_job_checks_every_tenants_published_orders(demo, published, link_server):
    from helpdesk import periodic

    link_server.routes["/en-pruebas"] = 404
    with demo.app_context():
        job = periodic.jobs()["portal-check-links"]
        assert (job.plugin, job.every_seconds) == ("portal", 24 * 3600)
        result = periodic.run(job)
    assert result.failed == {} and "sinaloa" in result.done
    assert state(demo, published["/en-pruebas"]) == "nonconforming"
    opened = events(demo, published["/en-pruebas"])[-1]
    assert opened.transition == "open_nonconformity" and opened.actor is None
    assert "Verificación automática" in opened.reason


@pytest.mark.parametrize(
    ("configured", "environment", "expected"),
    [
        (None, None, 5.0),
        (None, "12", 12.0),
        (3, "12", 3.0),
        (None, "mucho", 5.0),
        (None, "0", 5.0),
        (None, "600", 5.0),
    ],
)
def test_the_timeout_comes_from_the_settings_or_the_environment(
    app, monkeypatch, configured, environment, expected
):
    if environment is None:
        monkeypatch.delenv("HELPDESK_PORTAL_LINK_TIMEOUT", raising=False)
    else:
        monkeypatch.setenv("HELPDESK_PORTAL_LINK_TIMEOUT", environment)
    app.config["HELPDESK_PORTAL_LINK_TIMEOUT"] = configured
    with app.app_context():
        assert links.timeout() == expected
