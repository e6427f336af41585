"""The dashboards' pages (helpdesk/views/dashboards.py): access, figures, periods, services.

The tickets are those of tests/helpdesk/dashboards_support.py; pages are read
in English (the msgids), so the assertions hold whatever the Spanish catalog
says. Period labels and their error messages are Spanish in every language.
"""

from __future__ import annotations

import re
from datetime import UTC
from datetime import datetime

import pytest
import time_machine
from markupsafe import escape

from helpdesk import indicators
from helpdesk.defaults.indicators import OWNER
from helpdesk.extensions import db
from helpdesk.models import Department
from helpdesk.models import TenantService
from helpdesk.models import Unit
from tests.helpdesk.dashboards_support import AGENT_NAME
from tests.helpdesk.dashboards_support import DCII
from tests.helpdesk.dashboards_support import DGD
from tests.helpdesk.dashboards_support import SERVICE
from tests.helpdesk.dashboards_support import U2
from tests.helpdesk.dashboards_support import UNIT
from tests.helpdesk.dashboards_support import build
from tests.helpdesk.dashboards_support import by_name
from tests.helpdesk.dashboards_support import file
from tests.helpdesk.dashboards_support import ident
from tests.helpdesk.dashboards_support import indicator_rows
from tests.helpdesk.dashboards_support import mx
from tests.helpdesk.dashboards_support import page_tables
from tests.helpdesk.dashboards_support import rename
from tests.helpdesk.queries_support import count_queries

URL = "/chalco/tablero/"
Q3 = "?periodo=2026-Q3"
ALL = "/superadmin/tablero/"


@pytest.fixture
def tickets(demo):
    return build(demo)


def reader(login_as, role="coordinator", tenant="chalco"):
    browser = login_as(role, tenant=tenant)
    browser.post("/idioma", {"locale": "en", "next": "/"})
    return browser


def text_of(response):
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


# --- access -------------------------------------------------------------------------------

ADDRESSES = [
    URL,
    f"{URL}servicio/GCH-CCS-P09",
    f"{URL}exportar/indicadores.csv",
    f"{URL}tablero.xlsx",
    f"{URL}reporte.pdf",
]


@pytest.mark.parametrize("address", ADDRESSES + [ALL, f"{ALL}exportar/gobiernos.csv"])
def test_anonymous_visitors_are_sent_to_sign_in(client, demo, address):
    response = client.get(address)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("address", ADDRESSES)
@pytest.mark.parametrize("role", ["requester", "agent"])
def test_requesters_and_agents_are_refused_as_by_the_monitor(login_as, role, address):
    assert login_as(role).get(address).status_code == 403


@pytest.mark.parametrize("address", ADDRESSES)
@pytest.mark.parametrize("role", ["coordinator", "tenant_admin"])
def test_another_tenants_staff_get_404(login_as, role, address):
    assert login_as(role, tenant="sinaloa").get(address).status_code == 404


@pytest.mark.parametrize("role", ["coordinator", "tenant_admin"])
def test_coordinators_and_tenant_admins_see_their_dashboard(login_as, role):
    page = text_of(reader(login_as, role).get(URL))
    assert "<h1>Dashboard</h1>" in page
    assert "Gobierno de Chalco" in page


def test_the_superadmin_reads_any_tenants_dashboard(login_as, tickets):
    page = text_of(reader(login_as, "superadmin").get(URL + Q3))
    assert indicator_rows(page)["requests_received"][1] == "6 solicitudes"


@pytest.mark.parametrize("role", ["coordinator", "tenant_admin", "agent", "requester"])
def test_only_the_superadmin_reads_every_tenant(login_as, role):
    for address in (ALL, f"{ALL}exportar/gobiernos.csv", f"{ALL}reporte.pdf"):
        assert login_as(role).get(address).status_code == 403


def test_the_nav_links_to_the_dashboard_only_for_coordinators_and_admins(login_as):
    assert 'href="/chalco/tablero/"' in text_of(login_as("coordinator").get("/chalco/mesa/"))
    assert 'href="/chalco/tablero/"' in text_of(login_as("tenant_admin").get("/chalco/mesa/"))
    assert 'href="/chalco/tablero/"' not in text_of(login_as("agent").get("/chalco/mesa/"))


def test_the_superadmin_page_links_to_every_tenants_dashboard(login_as):
    page = text_of(login_as("superadmin").get("/superadmin/tenants"))
    assert 'href="/superadmin/tablero/"' in page


# --- figures ------------------------------------------------------------------------------


def test_indicators_with_the_previous_period_and_the_change(login_as, tickets):
    rows = indicator_rows(text_of(reader(login_as).get(URL + Q3)))
    # [name, value, previous, change, periodicity, responsible]
    figures = {code: row[1:4] for code, row in rows.items()}
    assert figures["requests_received"] == ["6 solicitudes", "1 solicitudes", "+5"]
    assert figures["requests_concluded"] == ["4 solicitudes", "1 solicitudes", "+3"]
    assert figures["requests_in_progress"] == ["1 solicitudes", "0 solicitudes", "+1"]
    assert figures["requests_returned_for_requirements"] == ["1 solicitudes", "0 solicitudes", "+1"]
    assert figures["sla_compliance"] == ["75 %", "100 %", "−25"]
    assert figures["satisfaction_satisfied"] == ["66.67 %", "0 %", "+66.67"]
    assert figures["satisfaction_regular"] == ["33.33 %", "0 %", "+33.33"]
    assert figures["satisfaction_unsatisfied"] == ["0 %", "100 %", "−100"]
    assert figures["survey_response_rate"] == ["75 %", "100 %", "−25"]
    assert figures["units_served"] == [
        "2 unidades administrativas",
        "1 unidades administrativas",
        "+1",
    ]
    assert rows["requests_received"][0] == "Solicitudes recibidas"
    assert rows["requests_received"][4:] == ["mensual", OWNER]


def test_each_indicator_shows_its_formula(login_as, tickets, demo):
    page = text_of(reader(login_as).get(URL + Q3))
    with demo.app_context():
        formula = indicators.definition("sla_compliance").formula
    assert f"<details><summary>Formula</summary><p>{escape(formula)}</p></details>" in page


def test_indicators_without_a_measure_say_no_data(login_as, tickets, demo):
    rows = indicator_rows(text_of(reader(login_as).get(URL + Q3)))
    # The sample plugin's indicator declares no measure.
    assert rows["sample_loans"][1:4] == ["no data", "—", "—"]
    assert rows["sample_loans"][0] == "Préstamos de proyector SAMPLE-01"


def test_month_by_month(login_as, tickets):
    months = by_name(page_tables(text_of(reader(login_as).get(URL + Q3)))["mensual"])
    assert list(months)[0] == "octubre de 2025"
    assert list(months)[-1] == "septiembre de 2026"
    # received, concluded, units, SLA, satisfied, regular, unsatisfied, answered
    assert months["julio de 2026"] == ["2", "1", "1", "100 %", "100 %", "0 %", "0 %", "1"]
    assert months["agosto de 2026"] == ["1", "1", "1", "0 %", "0 %", "100 %", "0 %", "1"]
    assert months["septiembre de 2026"] == ["3", "2", "2", "100 %", "100 %", "0 %", "0 %", "1"]
    assert months["junio de 2026"] == ["0", "0", "0", "—", "—", "—", "—", "0"]


def test_load_tables(login_as, tickets):
    tables = page_tables(text_of(reader(login_as).get(URL + Q3)))
    # received, concluded, open at the end, with SLA, met, compliance
    assert by_name(tables["departamentos"]) == {
        DGD: ["5", "3", "1", "3", "3", "100 %"],
        DCII: ["1", "1", "0", "1", "0", "0 %"],
    }
    assert by_name(tables["tecnicos"]) == {
        AGENT_NAME: ["3", "2", "1", "2", "2", "100 %"],
        "Unassigned": ["3", "2", "0", "2", "1", "50 %"],
    }
    assert by_name(tables["unidades"]) == {
        UNIT: ["5", "3", "1", "3", "2", "66.67 %"],
        U2: ["1", "1", "0", "1", "1", "100 %"],
    }
    assert by_name(tables["servicios"]) == {
        f"{SERVICE} · Préstamo de proyector": ["6", "4", "1", "4", "3", "75 %"]
    }


def test_yearly_table_of_the_cau(login_as, tickets):
    tables = page_tables(text_of(reader(login_as).get(URL + Q3)))
    assert tables["anual"][1:] == [
        ["2024", "0", "0", "0", "—", "—", "—", "—"],
        ["2025", "0", "0", "0", "—", "—", "—", "—"],
        # As the CAU document counts it: shares of the 5 services concluded,
        # whose 4 answers were 2 satisfied, 1 regular and 1 unsatisfied.
        ["2026", "5", "7", "2", "40 %", "20 %", "20 %", "20 %"],
    ]
    narrowed = page_tables(text_of(reader(login_as).get(URL + Q3 + "&desde=2026&hasta=2026")))
    assert [row[0] for row in narrowed["anual"][1:]] == ["2026"]


def test_charts_are_inline_svg_with_their_values(login_as, tickets):
    page = text_of(reader(login_as).get(URL + Q3))
    svgs = re.findall(r"<svg [^>]*role=\"img\"", page)
    assert len(svgs) == 8
    descs = re.findall(r"<desc id=\"[^\"]+\">([^<]*)</desc>", page)
    assert any("jul 2026: 2; ago 2026: 1; sep 2026: 3" in d for d in descs)
    assert any("sep 2026: 100 %" in d for d in descs)
    assert any(f"{DGD}: Requests received 5, Requests concluded 3" in d for d in descs)
    assert any("tercer trimestre de 2026: Satisfied 66.67 %, Regular 33.33 %" in d for d in descs)
    assert "<script" not in page.split("<main>", 1)[1]
    assert "style=" not in page


def test_filters_narrow_every_figure(login_as, tickets, demo):
    with demo.app_context():
        dcii = ident(Department, "chalco", code="DCII")
        u2 = ident(Unit, "chalco", name=U2)
    browser = reader(login_as)
    page = text_of(browser.get(f"{URL}{Q3}&departamento={dcii}"))
    assert indicator_rows(page)["requests_received"][1] == "1 solicitudes"
    assert by_name(page_tables(page)["tecnicos"]) == {
        "Unassigned": ["1", "1", "0", "1", "0", "0 %"]
    }
    assert f'<option value="{dcii}" selected>' in page
    page = text_of(browser.get(f"{URL}{Q3}&unidad={u2}"))
    assert indicator_rows(page)["requests_concluded"][1] == "1 solicitudes"
    # An id that is not one of this tenant's units is dropped, never an error,
    # and the page says so.
    page = text_of(browser.get(f"{URL}{Q3}&unidad=99999&departamento=abc"))
    assert indicator_rows(page)["requests_received"][1] == "6 solicitudes"
    assert "La unidad elegida no existe aquí; se muestran todas las unidades." in page
    assert "El departamento elegido no existe aquí; se muestran todos los departamentos." in page
    assert "no existe aquí" not in text_of(browser.get(f"{URL}{Q3}&unidad={u2}"))


def test_another_tenants_tickets_never_count(login_as, tickets):
    page = text_of(reader(login_as, tenant="sinaloa").get("/sinaloa/tablero/" + Q3))
    assert indicator_rows(page)["requests_received"][1:3] == ["1 solicitudes", "0 solicitudes"]
    assert indicator_rows(page)["requests_in_progress"][1] == "1 solicitudes"


# --- periods ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-Q9", "No se reconoce el periodo «2026-Q9»"),
        ("2026-13", "El mes 13 no existe; use 01 a 12."),
        ("2026-02-30..2026-03-01", "«2026-02-30..2026-03-01» no es una fecha válida"),
        ("2026-12-31..2026-01-01", "El periodo termina antes de empezar"),
        ("0001", "El año debe estar entre 1900 y 2100."),
        ("1950", "Los tableros cubren de 1990 a 2100"),
        ("<script>x</script>", "No se reconoce el periodo «&lt;script&gt;x&lt;/script&gt;»"),
    ],
)
def test_a_wrong_period_explains_itself_and_shows_the_current_quarter(login_as, text, message):
    with time_machine.travel(datetime(2026, 11, 23, 18, 0, tzinfo=UTC), tick=False):
        page = text_of(reader(login_as).get(URL, query_string={"periodo": text}))
    assert message in page
    assert "Se muestra el periodo predeterminado: cuarto trimestre de 2026." in page
    assert '<span class="period">cuarto trimestre de 2026</span>' in page
    assert 'role="alert"' in page


def test_the_default_period_is_the_current_quarter_in_the_tenants_zone(login_as):
    # 31 March, 23:30 in Mexico City is already 1 April in UTC. (Signed in then
    # too: a session signed in the future is refused.)
    with time_machine.travel(mx(2026, 3, 31, 23, 30), tick=False):
        page = text_of(reader(login_as).get(URL))
    assert '<span class="period">primer trimestre de 2026</span>' in page
    assert "compared with cuarto trimestre de 2025" in page
    assert 'role="alert"' not in page


@pytest.mark.parametrize(
    ("text", "label", "previous"),
    [
        ("2026-09", "septiembre de 2026", "agosto de 2026"),
        ("2026", "año 2026", "año 2025"),
        ("2026-07-01..2026-09-30", "del 1 de julio de 2026 al 30 de septiembre de 2026", None),
    ],
)
def test_months_years_and_ranges(login_as, tickets, text, label, previous):
    page = text_of(reader(login_as).get(URL, query_string={"periodo": text}))
    assert f'<span class="period">{label}</span>' in page
    if previous:
        assert f"compared with {previous}" in page
    received = indicator_rows(page)["requests_received"][1]
    assert received == {"2026-09": "3 solicitudes", "2026": "7 solicitudes"}.get(
        text, "6 solicitudes"
    )


# --- service dashboards -------------------------------------------------------------------


def test_the_tenant_dashboard_links_to_each_service(login_as, tickets):
    page = text_of(reader(login_as).get(URL + Q3))
    assert f'href="/chalco/tablero/servicio/{SERVICE}?periodo=2026-Q3' in page
    assert 'href="/chalco/tablero/servicio/GCH-CCS-P09?periodo=2026-Q3' in page


def test_a_service_dashboard_adds_its_own_indicators(login_as, tickets):
    page = text_of(reader(login_as).get(f"{URL}servicio/{SERVICE}{Q3}"))
    assert f"<h1>Dashboard of {SERVICE}</h1>" in page
    rows = indicator_rows(page)
    assert rows["sample_loans"][1] == "no data"
    assert rows["requests_received"][1:4] == ["6 solicitudes", "1 solicitudes", "+5"]
    # Only its own indicators: none of another service's.
    assert not any(code.startswith("p09_") for code in rows)


def test_another_services_dashboard_counts_only_its_tickets(login_as, tickets):
    page = text_of(reader(login_as).get(f"{URL}servicio/GCH-CCS-P09{Q3}"))
    assert indicator_rows(page)["requests_received"][1] == "0 solicitudes"


@pytest.mark.parametrize("code", ["NOPE-01", "CAU", "<script>"])
def test_unknown_or_never_offered_services_are_404(login_as, code):
    assert reader(login_as).get(f"{URL}servicio/{code}").status_code == 404


def test_a_disabled_service_with_tickets_stays_readable(login_as, tickets, demo):
    with demo.app_context():
        row = db.session.get(TenantService, ident(TenantService, "chalco", service_code=SERVICE))
        row.enabled = False
        db.session.commit()
    page = text_of(reader(login_as).get(f"{URL}servicio/{SERVICE}{Q3}"))
    assert indicator_rows(page)["requests_received"][1] == "6 solicitudes"
    # Still linked from the tenant's dashboard while it has tickets in the period.
    assert f"/chalco/tablero/servicio/{SERVICE}?" in text_of(reader(login_as).get(URL + Q3))


# --- the superadmin's dashboard -----------------------------------------------------------


def test_every_tenant_together_and_compared(login_as, tickets):
    page = text_of(reader(login_as, "superadmin").get(ALL + Q3))
    assert "<h1>Dashboard of every tenant</h1>" in page
    assert indicator_rows(page)["requests_received"][1] == "7 solicitudes"
    assert indicator_rows(page)["requests_in_progress"][1] == "2 solicitudes"
    # received, concluded, in progress, SLA, satisfied, answered
    assert by_name(page_tables(page)["gobiernos"]) == {
        "Gobierno de Chalco": ["6", "4", "1", "75 %", "66.67 %", "3"],
        "Gobierno del Estado de Sinaloa": ["1", "0", "1", "—", "—", "0"],
        "Gobierno del Estado de México": ["0", "0", "0", "—", "—", "0"],
    }
    assert f"{DGD} (Gobierno de Chalco)" in by_name(page_tables(page)["departamentos"])
    # No unit or department filter: those belong to one tenant.
    assert 'name="unidad"' not in page


def test_every_tenant_per_service(login_as, tickets, demo):
    browser = reader(login_as, "superadmin")
    page = text_of(browser.get(ALL + Q3))
    assert f'href="/superadmin/tablero/servicio/{SERVICE}?periodo=2026-Q3' in page
    page = text_of(browser.get(f"{ALL}servicio/{SERVICE}{Q3}"))
    assert f"<h1>Dashboard of {SERVICE}</h1>" in page
    rows = indicator_rows(page)
    # Chalco's six and Sinaloa's one, with the service's own indicators.
    assert rows["requests_received"][1] == "7 solicitudes"
    assert "sample_loans" in rows
    assert by_name(page_tables(page)["gobiernos"])["Gobierno del Estado de Sinaloa"][0] == "1"
    assert 'href="/superadmin/tablero/?periodo=2026-Q3' in page
    found = browser.get(f"{ALL}servicio/{SERVICE}/exportar/gobiernos.csv{Q3}")
    assert found.status_code == 200
    assert "Gobierno del Estado de Sinaloa,1," in found.get_data(as_text=True)
    report = browser.get(f"{ALL}servicio/{SERVICE}/reporte.pdf{Q3}")
    assert report.status_code == 200 and report.data.startswith(b"%PDF")
    assert browser.get(f"{ALL}servicio/NOPE-01").status_code == 404
    assert browser.get(f"{ALL}servicio/PSDT-06").status_code == 200
    with demo.app_context():
        row = db.session.get(TenantService, ident(TenantService, "sinaloa", service_code="PSDT-06"))
        row.enabled = False
        db.session.commit()
    # Offered by no tenant any more and without tickets: nothing to show.
    assert browser.get(f"{ALL}servicio/PSDT-06").status_code == 404


@pytest.mark.parametrize("role", ["coordinator", "tenant_admin"])
def test_only_the_superadmin_reads_a_service_across_tenants(login_as, role):
    assert login_as(role).get(f"{ALL}servicio/{SERVICE}").status_code == 403


# --- escaping -----------------------------------------------------------------------------


def test_names_are_escaped_in_tables_and_charts(login_as, tickets, demo):
    rename(demo, Unit, "chalco", '<script>alert("u")</script>', name=U2)
    rename(demo, Department, "chalco", "<script>alert('d')</script>", code="DCII")
    page = text_of(reader(login_as).get(URL + Q3))
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#34;u&#34;)&lt;/script&gt;" in page
    chart = next(
        svg for svg in re.findall(r"<svg .*?</svg>", page, re.S) if ">Load by department<" in svg
    )
    assert "&lt;script&gt;alert(&#39;d&#39;)&lt;/script&gt;" in chart
    assert '<script>alert("u")</script>' in by_name(page_tables(page)["unidades"])


# --- cost ---------------------------------------------------------------------------------


def test_the_page_costs_the_same_queries_for_few_or_many_tickets(login_as, demo):
    browser = reader(login_as)
    file(demo, mx(2026, 7, 7, 10))
    few = count_queries(demo, browser, URL + Q3)
    for day in (8, 9, 10, 13, 14):
        file(demo, mx(2026, 7, day, 10))
    file(demo, mx(2026, 8, 18, 10), tenant="sinaloa")
    assert count_queries(demo, browser, URL + Q3) == few


def test_no_reading_is_computed_twice(login_as, tickets, monkeypatch):
    seen = []
    original = indicators.read

    def read(found, scope):
        seen.append((found.code, scope.period.key, scope.service_code))
        return original(found, scope)

    monkeypatch.setattr(indicators, "read", read)
    text_of(reader(login_as).get(URL + Q3))
    assert len(seen) == len(set(seen))
    assert {period for _, period, _ in seen} == {"2026-Q3", "2026-Q2"}
