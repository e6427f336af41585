"""The dashboards' downloads: CSV, XLSX and the PDF report hold the page's numbers.

The tickets are those of tests/helpdesk/dashboards_support.py; pages and files
are read in English (the msgids).
"""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from helpdesk import charts
from helpdesk import exports
from helpdesk.models import Department
from helpdesk.models import Unit
from tests.helpdesk.dashboards_support import DCII
from tests.helpdesk.dashboards_support import DGD
from tests.helpdesk.dashboards_support import SERVICE
from tests.helpdesk.dashboards_support import U2
from tests.helpdesk.dashboards_support import build
from tests.helpdesk.dashboards_support import ident
from tests.helpdesk.dashboards_support import indicator_rows
from tests.helpdesk.dashboards_support import page_tables
from tests.helpdesk.dashboards_support import read_csv
from tests.helpdesk.dashboards_support import rename

URL = "/chalco/tablero/"
ALL = "/superadmin/tablero/"
Q3 = "?periodo=2026-Q3"
TABLES = exports.table_names()
XLSX_HEADER_ROW = 5  # tenant, period, title, blank, then the column names


@pytest.fixture
def tickets(demo):
    return build(demo)


@pytest.fixture
def browser(login_as):
    found = login_as("coordinator")
    found.post("/idioma", {"locale": "en", "next": "/"})
    return found


@pytest.fixture
def superadmin(login_as):
    found = login_as("superadmin")
    found.post("/idioma", {"locale": "en", "next": "/"})
    return found


def download(browser, address, mimetype):
    response = browser.get(address)
    assert response.status_code == 200, response.status_code
    assert response.mimetype == mimetype
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    return response


def csv_of(browser, address):
    return read_csv(download(browser, address, "text/csv").data)


def xlsx_of(browser, address):
    return load_workbook(io.BytesIO(download(browser, address, exports.XLSX_MIMETYPE).data))


def pdf_text(browser, address):
    data = download(browser, address, "application/pdf").data
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())  # lines wrap anywhere in a table cell


def shown(raw: str, header: str) -> str:
    """How the page writes a CSV cell of the column ``header``."""
    if raw == "":
        return "—"
    return charts.number(float(raw), "%" if header.endswith("(%)") else "")


# --- the same numbers everywhere ----------------------------------------------------------


def test_each_csv_is_the_pages_table(browser, tickets):
    tables = page_tables(browser.get(URL + Q3).get_data(as_text=True))
    for name in TABLES[1:]:  # the indicators: below
        page = tables[name]
        found = csv_of(browser, f"{URL}exportar/{name}.csv{Q3}")
        assert found[0] == page[0], name
        assert len(found) == len(page) > 1, name
        for raw, seen in zip(found[1:], page[1:], strict=True):
            assert raw[0] == seen[0]
            cells = zip(raw[1:], found[0][1:], strict=True)
            assert [shown(cell, head) for cell, head in cells] == seen[1:], name


def test_the_indicators_csv_is_the_pages_table(browser, tickets):
    page = indicator_rows(browser.get(URL + Q3).get_data(as_text=True))
    found = csv_of(browser, f"{URL}exportar/indicadores.csv{Q3}")
    assert found[0][:4] == ["Code", "Indicator", "Value", "Unit"]
    assert found[0][4] == "Previous period (segundo trimestre de 2026)"
    rows = {row[0]: row for row in found[1:]}
    assert set(rows) == set(page)
    for code, (
        _,
        _name,
        value,
        unit,
        previous,
        change,
        periodicity,
        who,
        _formula,
        note,
    ) in rows.items():
        if note:
            assert page[code][1] == "no data"
            continue
        assert page[code][1] == (charts.number(float(value), unit) if value else "—")
        assert page[code][2] == (charts.number(float(previous), unit) if previous else "—")
        assert page[code][3] == (charts.signed(float(change)) if change else "—")
        assert page[code][4:] == [periodicity, who]
    assert rows["sla_compliance"][2:6] == ["75", "%", "100", "-25"]
    assert rows["requests_received"][2:6] == ["6", "solicitudes", "1", "5"]
    assert rows["sample_loans"][2] == ""
    assert rows["sample_loans"][9] == "no data: not computed in the help desk"


def test_each_xlsx_holds_the_csvs_numbers(browser, tickets):
    for name in TABLES:
        found = csv_of(browser, f"{URL}exportar/{name}.csv{Q3}")
        sheet = xlsx_of(browser, f"{URL}exportar/{name}.xlsx{Q3}")[name]
        assert sheet["A1"].value == "Gobierno de Chalco"
        assert sheet["A2"].value == "Period: tercer trimestre de 2026"
        header = [cell.value for cell in sheet[XLSX_HEADER_ROW]]
        assert header == found[0]
        for offset, raw in enumerate(found[1:], start=1):
            cells = sheet[XLSX_HEADER_ROW + offset]
            for head, text, cell in zip(header, raw, cells, strict=True):
                if text == "":
                    assert cell.value is None
                elif head.endswith("(%)"):
                    assert cell.value == pytest.approx(float(text) / 100)
                    assert cell.number_format == "0.00%"
                elif cell.data_type == "n":
                    assert cell.value == pytest.approx(float(text))
                else:
                    assert cell.value == text


def test_the_yearly_table_exports_like_the_cau_document(browser, tickets):
    found = csv_of(browser, f"{URL}exportar/anual.csv{Q3}&desde=2025&hasta=2026")
    assert found == [
        [
            "Year",
            "Services (concluded)",
            "Tickets (received)",
            "Units served",
            "Satisfied services (%)",
            "Regular services (%)",
            "Unsatisfied services (%)",
            "Services without an answer (%)",
        ],
        ["2025", "0", "0", "0", "", "", "", ""],
        ["2026", "5", "7", "2", "40", "20", "20", "20"],
    ]


def test_the_workbook_has_every_table(browser, tickets):
    book = xlsx_of(browser, f"{URL}tablero.xlsx{Q3}")
    assert book.sheetnames == list(TABLES)
    departments = book["departamentos"]
    assert departments["A3"].value == "Load by department"
    assert [c.value for c in departments[XLSX_HEADER_ROW + 1]] == [DGD, 5, 3, 1, 3, 3, 1.0]


def test_the_pdf_report_holds_the_key_figures(browser, tickets):
    text = pdf_text(browser, f"{URL}reporte.pdf{Q3}")
    assert "Gobierno de Chalco" in text
    assert "tercer trimestre de 2026" in text
    assert "compared with segundo trimestre de 2026" in text
    for figure in ("Solicitudes recibidas", "6 solicitudes", "75 %", "66.67 %", "33.33 %", "+5"):
        assert figure in text, figure
    assert "Cumplimiento del nivel de servicio" in text
    assert "Coordinación del área que presta el servicio" in text
    assert "Formula: (Solicitudes concluidas en el periodo" in text
    assert DGD in text
    assert "septiembre de 2026" in text  # the month-by-month table
    assert "Load by technician" in text  # a chart's drawn title


def test_the_service_report_and_exports(browser, tickets):
    text = pdf_text(browser, f"{URL}servicio/{SERVICE}/reporte.pdf{Q3}")
    assert f"Dashboard of {SERVICE}" in text
    assert "Préstamos de proyector" in text
    found = csv_of(browser, f"{URL}servicio/{SERVICE}/exportar/indicadores.csv{Q3}")
    assert "sample_loans" in {row[0] for row in found}
    book = xlsx_of(browser, f"{URL}servicio/{SERVICE}/tablero.xlsx{Q3}")
    assert book["indicadores"]["A3"].value == f"Service: {SERVICE} · Préstamo de proyector"


def test_every_tenant_report_and_comparison(superadmin, tickets):
    text = pdf_text(superadmin, f"{ALL}reporte.pdf{Q3}")
    assert "Every tenant" in text
    assert "Gobierno del Estado de Sinaloa" in text
    assert "7 solicitudes" in text
    found = csv_of(superadmin, f"{ALL}exportar/gobiernos.csv{Q3}")
    assert found[1:] == [
        ["Gobierno de Chalco", "6", "4", "1", "75", "66.67", "3"],
        ["Gobierno del Estado de México", "0", "0", "0", "", "", "0"],
        ["Gobierno del Estado de Sinaloa", "1", "0", "1", "", "", "0"],
    ]
    sheet = xlsx_of(superadmin, f"{ALL}exportar/gobiernos.xlsx{Q3}")["gobiernos"]
    assert sheet["A1"].value == "Every tenant"
    assert xlsx_of(superadmin, f"{ALL}tablero.xlsx{Q3}").sheetnames[-1] == "gobiernos"


# --- files --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "filename"),
    [
        (f"{URL}exportar/departamentos.csv{Q3}", "tablero-chalco-departamentos-2026-Q3.csv"),
        (
            f"{URL}exportar/indicadores.xlsx?periodo=2026-09",
            "tablero-chalco-indicadores-2026-09.xlsx",
        ),
        (f"{URL}exportar/anual.csv{Q3}", "tablero-chalco-anual-2024-2026.csv"),
        (f"{URL}tablero.xlsx?periodo=2026", "tablero-chalco-completo-2026.xlsx"),
        (f"{URL}reporte.pdf{Q3}", "tablero-chalco-reporte-2026-Q3.pdf"),
        (
            f"{URL}servicio/GCH-CCS-P09/reporte.pdf{Q3}",
            "tablero-chalco-GCH-CCS-P09-reporte-2026-Q3.pdf",
        ),
        (
            f"{URL}exportar/mensual.csv?periodo=2026-07-01..2026-09-30",
            "tablero-chalco-mensual-2026-07-01..2026-09-30.csv",
        ),
    ],
)
def test_filenames_carry_the_tenant_and_the_period(browser, address, filename):
    response = browser.get(address)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'attachment; filename="{filename}"'


def test_the_superadmins_filenames(superadmin):
    response = superadmin.get(f"{ALL}exportar/gobiernos.csv{Q3}")
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="tablero-todos-gobiernos-2026-Q3.csv"'
    )


@pytest.mark.parametrize(
    "address",
    [
        f"{URL}exportar/nada.csv",
        f"{URL}exportar/departamentos.pdf",
        f"{URL}exportar/gobiernos.csv",  # only across tenants
        f"{URL}servicio/NOPE-01/exportar/indicadores.csv",
        f"{URL}servicio/CAU/reporte.pdf",
    ],
)
def test_unknown_tables_formats_and_services_are_404(browser, address):
    assert browser.get(address).status_code == 404


def test_a_wrong_period_in_an_export_falls_back_to_the_default(browser):
    response = browser.get(f"{URL}exportar/indicadores.csv?periodo=nunca")
    assert response.status_code == 200
    assert 'filename="tablero-chalco-indicadores-20' in response.headers["Content-Disposition"]


def test_exports_keep_the_filters(browser, tickets, demo):
    with demo.app_context():
        dcii = ident(Department, "chalco", code="DCII")
    found = csv_of(browser, f"{URL}exportar/tecnicos.csv{Q3}&departamento={dcii}")
    assert found[1:] == [["Unassigned", "1", "1", "0", "1", "0", "0"]]
    sheet = xlsx_of(browser, f"{URL}exportar/tecnicos.xlsx{Q3}&departamento={dcii}")["tecnicos"]
    assert sheet["A3"].value == f"Department: {DCII}"
    assert sheet["A4"].value == "Load by technician"


def test_links_on_the_page_carry_the_choice(browser, tickets, demo):
    with demo.app_context():
        dcii = ident(Department, "chalco", code="DCII")
    page = browser.get(f"{URL}{Q3}&departamento={dcii}").get_data(as_text=True)
    assert (
        f'href="/chalco/tablero/exportar/tecnicos.csv?periodo=2026-Q3&amp;departamento={dcii}'
        '&amp;desde=2024&amp;hasta=2026"' in page
    )
    assert f'href="/chalco/tablero/reporte.pdf?periodo=2026-Q3&amp;departamento={dcii}' in page


# --- formulas never run -------------------------------------------------------------------


def test_names_that_look_like_formulas_stay_text(browser, tickets, demo):
    rename(demo, Department, "chalco", "-2+3 <script>alert(1)</script>", code="DCII")
    rename(demo, Unit, "chalco", '=HYPERLINK("http://evil")', name=U2)
    departments = csv_of(browser, f"{URL}exportar/departamentos.csv{Q3}")
    assert departments[2][0] == "'-2+3 <script>alert(1)</script>"
    units = csv_of(browser, f"{URL}exportar/unidades.csv{Q3}")
    assert units[2][0] == '\'=HYPERLINK("http://evil")'
    for rows in (departments, units):
        assert not any(row[0].startswith(("=", "+", "-", "@")) for row in rows)
    sheet = xlsx_of(browser, f"{URL}exportar/unidades.xlsx{Q3}")["unidades"]
    cell = sheet.cell(row=XLSX_HEADER_ROW + 2, column=1)
    assert (cell.value, cell.data_type) == ('=HYPERLINK("http://evil")', "s")
    page = browser.get(URL + Q3).get_data(as_text=True)
    assert "<script>alert(1)" not in page
    assert "-2+3 &lt;script&gt;alert(1)&lt;/script&gt;" in page
    text = pdf_text(browser, f"{URL}reporte.pdf{Q3}")
    assert "-2+3 <script>alert(1)</script>" in text
