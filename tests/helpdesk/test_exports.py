"""Tables as CSV and XLSX (helpdesk/exports.py), and the dashboards' tables built from data.

Serialisers are tested on hand-made tables; the builders on the known tickets
of tests/helpdesk/dashboards_support.py through a :class:`helpdesk.reports.Dashboard`.
"""

from __future__ import annotations

import io
from datetime import date

import pytest
from flask_babel import force_locale
from openpyxl import load_workbook

from helpdesk import exports
from helpdesk import periods
from helpdesk import reports
from helpdesk import workload
from helpdesk.exports import Column
from helpdesk.exports import Heading
from helpdesk.exports import Table
from helpdesk.indicators import Scope
from helpdesk.tenancy import scoped_to
from tests.helpdesk.dashboards_support import DGD
from tests.helpdesk.dashboards_support import SERVICE
from tests.helpdesk.dashboards_support import build
from tests.helpdesk.dashboards_support import read_csv
from tests.helpdesk.dashboards_support import tenant_of

TABLE = Table(
    "departamentos",
    "Carga por departamento",
    (
        Column("Departamento"),
        Column("Recibidas", exports.INTEGER),
        Column("Horas", exports.DECIMAL),
        Column("Cumplimiento (%)", exports.PERCENT),
    ),
    [
        ("Dirección de Administración", 12, 3.5, 66.67),
        ('=HYPERLINK("http://x")', 0, None, None),
        ("+52 55", 1, 0.25, 100.0),
        ("-1", 2, 1.0, 0.0),
        ("@SUM(A1)", 3, 2.0, 50.0),
        ("\tcmd", 4, 2.0, 50.0),
    ],
)
HEADING = Heading("Gobierno de Chalco", "Periodo: tercer trimestre de 2026", ("Unidad: DIF",))


# -- CSV ---------------------------------------------------------------------------------


def test_csv_is_utf8_with_bom_comma_separated_with_crlf():
    data = exports.to_csv(TABLE)
    assert data.startswith(b"\xef\xbb\xbfDepartamento,Recibidas,Horas,Cumplimiento (%)\r\n")
    assert "Dirección de Administración,12,3.5,66.67\r\n".encode() in data


def test_csv_numbers_are_plain_and_missing_values_empty():
    rows = read_csv(exports.to_csv(TABLE))
    assert rows[1] == ["Dirección de Administración", "12", "3.5", "66.67"]
    assert rows[3][1:] == ["1", "0.25", "100"]
    assert rows[2][1:] == ["0", "", ""]


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+52 55", "'+52 55"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Secretaría de Salud", "Secretaría de Salud"),
        ("<script>", "<script>"),
        ("", ""),
    ],
)
def test_text_a_spreadsheet_would_run_is_prefixed(text, written):
    assert exports.safe_text(text) == written


def test_no_text_cell_of_a_csv_starts_a_formula():
    rows = read_csv(exports.to_csv(TABLE))
    for row in rows:
        assert not row[0].startswith(("=", "+", "-", "@", "\t", "\r"))
    assert [row[0] for row in rows[2:]] == [
        '\'=HYPERLINK("http://x")',
        "'+52 55",
        "'-1",
        "'@SUM(A1)",
        "'\tcmd",
    ]


def test_negative_numbers_are_numbers_not_text():
    table = Table("x", "x", (Column("a"), Column("Cambio", exports.DECIMAL)), [("a", -2.5)])
    assert read_csv(exports.to_csv(table))[1] == ["a", "-2.5"]


# -- XLSX --------------------------------------------------------------------------------


def workbook(data):
    return load_workbook(io.BytesIO(data))


def test_xlsx_heads_each_sheet_with_tenant_period_filters_and_title():
    sheet = workbook(exports.to_xlsx([TABLE], HEADING))["departamentos"]
    assert [sheet.cell(row=n, column=1).value for n in range(1, 5)] == [
        "Gobierno de Chalco",
        "Periodo: tercer trimestre de 2026",
        "Unidad: DIF",
        "Carga por departamento",
    ]
    assert [c.value for c in sheet[6]] == ["Departamento", "Recibidas", "Horas", "Cumplimiento (%)"]
    assert sheet.freeze_panes == "A7"


def test_xlsx_numbers_are_numbers_and_percentages_formatted():
    sheet = workbook(exports.to_xlsx([TABLE], HEADING))["departamentos"]
    name, count, hours, share = sheet[7]
    assert (name.value, count.value, hours.value) == ("Dirección de Administración", 12, 3.5)
    assert count.data_type == hours.data_type == share.data_type == "n"
    assert share.value == pytest.approx(0.6667)
    assert share.number_format == "0.00%"
    assert count.number_format == "#,##0"
    assert [c.value for c in sheet[8]] == ['=HYPERLINK("http://x")', 0, None, None]


def test_xlsx_never_stores_a_name_as_a_formula():
    sheet = workbook(exports.to_xlsx([TABLE], HEADING))["departamentos"]
    cells = [sheet.cell(row=n, column=1) for n in range(8, 13)]
    assert all(cell.data_type == "s" for cell in cells)
    assert cells[0].value == '=HYPERLINK("http://x")'


def test_xlsx_one_sheet_per_table_with_safe_unique_titles():
    other = Table("a/b:c*?[d]" * 5, "t", (Column("x"),), [("\x07bell",)])
    book = workbook(exports.to_xlsx([TABLE, other, other], HEADING))
    assert book.sheetnames == [
        "departamentos",
        "abcdabcdabcdabcdabcd",
        "abcdabcdabcdabcdabcd-2",
    ]
    assert book.worksheets[1]["A7"].value == "bell"  # control characters removed


def test_xlsx_without_details():
    sheet = workbook(exports.to_xlsx([TABLE], Heading("Todos", "Periodo: 2026")))["departamentos"]
    assert [sheet.cell(row=n, column=1).value for n in range(1, 4)] == [
        "Todos",
        "Periodo: 2026",
        "Carga por departamento",
    ]
    assert sheet["A5"].value == "Departamento"


# -- the dashboards' tables ----------------------------------------------------------------


@pytest.fixture
def dashboard(demo):
    build(demo)
    # Column names and notes in English (the msgids), whatever the catalogs say.
    with demo.app_context(), scoped_to(tenant_of("chalco")), force_locale("en"):
        scope = Scope.of(tenant_of("chalco"), periods.parse("2026-Q3"))
        found = reports.Dashboard(scope, 2025, 2026)
        yield found


def test_indicator_table(dashboard):
    table = exports.build("indicadores", dashboard)
    rows = {row[0]: row for row in table.rows}
    code, name, value, unit, previous, change, periodicity, responsible, formula, note = rows[
        "sla_compliance"
    ]
    assert (name, value, unit, previous, change, periodicity, note) == (
        "Cumplimiento del nivel de servicio",
        75.0,
        "%",
        100.0,
        -25.0,
        "mensual",
        "",
    )
    assert formula.startswith("(Solicitudes concluidas en el periodo")
    assert rows["sample_loans"][2] is None
    assert rows["sample_loans"][9] == "no data: not computed in the help desk"
    assert table.columns[4].label == "Previous period (segundo trimestre de 2026)"


def test_load_tables(dashboard):
    assert exports.build("departamentos", dashboard).rows[0] == (DGD, 5, 3, 1, 3, 3, 100.0)
    assert exports.build("tecnicos", dashboard).rows[-1] == ("Unassigned", 3, 2, 0, 2, 1, 50.0)
    services = exports.build("servicios", dashboard)
    assert services.rows == [(f"{SERVICE} · Préstamo de proyector", 6, 4, 1, 4, 3, 75.0)]
    assert services.keys == [SERVICE]


def test_month_and_year_tables(dashboard):
    months = exports.build("mensual", dashboard)
    assert len(months.rows) == 12
    assert months.rows[-1] == ("septiembre de 2026", 3, 2, 2, 100.0, 100.0, 0.0, 0.0, 1)
    years = exports.build("anual", dashboard)
    assert years.rows == [
        ("2025", 0, 0, 0, None, None, None, None),
        ("2026", 5, 7, 2, 40.0, 20.0, 20.0, 20.0),
    ]


def test_each_part_is_read_once(dashboard):
    assert dashboard.indicators is dashboard.indicators
    assert dashboard.load(workload.AGENT) is dashboard.load(workload.AGENT)
    assert dashboard.levels == {
        "satisfied": (66.67, 0.0),
        "regular": (33.33, 0.0),
        "unsatisfied": (0.0, 100.0),
    }


def test_unknown_table(dashboard):
    with pytest.raises(KeyError):
        exports.build("nada", dashboard)
    assert "gobiernos" not in exports.table_names()
    assert exports.table_names(every_tenant=True)[-1] == "gobiernos"


# -- what the visitor asked for ------------------------------------------------------------

TODAY = date(2026, 11, 23)


def test_choice_defaults():
    choice = reports.choose({}, TODAY)
    assert (choice.period.key, choice.first_year, choice.last_year, choice.error) == (
        "2026-Q4",
        2024,
        2026,
        None,
    )
    assert choice.args() == {"periodo": "2026-Q4", "desde": "2024", "hasta": "2026"}


def test_choice_keeps_only_known_filters_and_sane_years():
    choice = reports.choose(
        {
            "periodo": " 2025-03 ",
            "unidad": "7",
            "departamento": "9",
            "desde": "2030",
            "hasta": "2020",
        },
        TODAY,
        units={7},
        departments={8},
    )
    assert (choice.period.key, choice.unit_id, choice.department_id) == ("2025-03", 7, None)
    assert (choice.first_year, choice.last_year) == (2020, 2030)
    wide = reports.choose({"desde": "1990", "hasta": "2100"}, TODAY)
    assert wide.last_year - wide.first_year + 1 == reports.MOST_YEARS
    odd = reports.choose({"desde": "-5", "hasta": "abc"}, TODAY)
    assert (odd.first_year, odd.last_year) == (2024, 2026)


def test_choice_of_a_wrong_period_keeps_the_text_and_explains():
    choice = reports.choose({"periodo": "2026-Q5"}, TODAY)
    assert choice.period.key == "2026-Q4"
    assert choice.text == "2026-Q5"
    assert choice.error.startswith("No se reconoce el periodo «2026-Q5».")
    assert choice.error.endswith("Se muestra el periodo predeterminado: cuarto trimestre de 2026.")
