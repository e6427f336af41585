"""The dashboards' tables as data, and as CSV and XLSX files.

A :class:`Table` holds raw values (numbers stay numbers, percentages are the
percent figure, 85.03); the page renders it, and :func:`to_csv` and
:func:`to_xlsx` write the very same rows, so a download never disagrees
with the screen.

CSV is written with a comma, a dot for decimals and a UTF-8 byte order mark:
that is what Excel with Mexican regional settings (es-MX: list separator
",", decimal symbol ".") opens by double-click with accents intact, and what
RFC 4180 and every other tool expect. A text cell starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return is prefixed with ``'`` so a
spreadsheet never runs a unit's name as a formula (CSV injection); XLSX
cells are typed as text instead, which Excel never evaluates.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from flask_babel import gettext as _

from helpdesk import workload
from helpdesk.reports import Dashboard
from helpdesk.reports import IndicatorRow

TEXT, INTEGER, DECIMAL, PERCENT = "text", "integer", "decimal", "percent"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_SEPARATOR = ","
XLSX_FORMATS = {INTEGER: "#,##0", DECIMAL: "#,##0.00", PERCENT: "0.00%"}
CSV_MIMETYPE = "text/csv"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = TEXT


@dataclass(frozen=True)
class Table:
    """A titled table; ``keys`` identify the rows (a service code, for links)."""

    name: str
    title: str
    columns: tuple[Column, ...]
    rows: list[tuple[Any, ...]]
    keys: list[Any] = field(default_factory=list)


@dataclass(frozen=True)
class Heading:
    """What the file is about: printed above the table in XLSX."""

    tenant: str
    period: str
    details: tuple[str, ...] = ()


# -- writing ----------------------------------------------------------------------------


def safe_text(value: str) -> str:
    """``value``, prefixed with ``'`` when a spreadsheet would take it for a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        value = round(value, 4)
        return str(int(value)) if value.is_integer() else format(value, "f").rstrip("0")
    return safe_text(str(value))


def to_csv(table: Table) -> bytes:
    """One header row and the rows; UTF-8 with BOM, comma-separated, CRLF lines."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=CSV_SEPARATOR, lineterminator="\r\n")
    writer.writerow([safe_text(column.label) for column in table.columns])
    for row in table.rows:
        writer.writerow([_csv_cell(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def _sheet_title(name: str, taken: set[str]) -> str:
    title = "".join(c for c in name if c not in "[]:*?/\\")[:31] or "tabla"
    candidate, number = title, 2
    while candidate in taken:
        candidate = f"{title[:28]}-{number}"
        number += 1
    taken.add(candidate)
    return candidate


def _text_cell(cell: Any, value: str) -> None:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
    # openpyxl stores a string starting with "=" as a formula; text stays text.
    cell.data_type = "s"


def to_xlsx(tables: Sequence[Table], heading: Heading) -> bytes:
    """A workbook with one sheet per table, each headed by the tenant, the period
    and the filters; numbers are numbers, percentages carry a percent format."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    taken: set[str] = set()
    bold = Font(bold=True)
    for table in tables:
        sheet = book.create_sheet(_sheet_title(table.name, taken))
        lines = [heading.tenant, heading.period, *heading.details, table.title]
        for number, line in enumerate(lines, start=1):
            _text_cell(sheet.cell(row=number, column=1), line)
        sheet.cell(row=1, column=1).font = Font(bold=True, size=13)
        header = len(lines) + 2
        for index, column in enumerate(table.columns, start=1):
            cell = sheet.cell(row=header, column=index)
            _text_cell(cell, column.label)
            cell.font = bold
            sheet.column_dimensions[cell.column_letter].width = max(12, min(len(column.label), 40))
        for offset, row in enumerate(table.rows, start=1):
            for index, (column, value) in enumerate(zip(table.columns, row, strict=True), 1):
                cell = sheet.cell(row=header + offset, column=index)
                if value is None:
                    continue
                if isinstance(value, str) or column.kind == TEXT:
                    _text_cell(cell, str(value))
                    continue
                cell.value = value / 100 if column.kind == PERCENT else value
                cell.number_format = XLSX_FORMATS.get(column.kind, "General")
        sheet.freeze_panes = sheet.cell(row=header + 1, column=1)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# -- the dashboards' tables ---------------------------------------------------------------


def indicator_table(rows: Sequence[IndicatorRow], previous_label: str) -> Table:
    columns = (
        Column(_("Code")),
        Column(_("Indicator")),
        Column(_("Value"), DECIMAL),
        Column(_("Unit")),
        Column(_("Previous period (%(period)s)", period=previous_label), DECIMAL),
        Column(_("Change"), DECIMAL),
        Column(_("Periodicity")),
        Column(_("Responsible")),
        Column(_("Formula")),
        Column(_("Note")),
    )
    not_computed = _("no data: not computed in the help desk")
    return Table(
        "indicadores",
        _("Indicators"),
        columns,
        [
            (
                row.definition.code,
                row.definition.name,
                row.value,
                row.definition.unit,
                row.previous,
                row.change,
                row.definition.periodicity,
                row.definition.responsible,
                row.definition.formula,
                "" if row.reading.computed else not_computed,
            )
            for row in rows
        ],
        keys=[row.definition.code for row in rows],
    )


LOAD_TABLES = {
    workload.DEPARTMENT: "departamentos",
    workload.AGENT: "tecnicos",
    workload.UNIT: "unidades",
    workload.SERVICE: "servicios",
}


def load_titles() -> dict[str, tuple[str, str, str]]:
    """Per dimension: the table's title, its first column, the name of the empty key."""
    return {
        workload.DEPARTMENT: (_("Load by department"), _("Department"), _("No department")),
        workload.AGENT: (_("Load by technician"), _("Technician"), _("Unassigned")),
        workload.UNIT: (_("Load by requesting unit"), _("Requesting unit"), _("No unit")),
        workload.SERVICE: (_("Load by service"), _("Service"), "—"),
    }


def _load_columns(first: str) -> tuple[Column, ...]:
    return (
        Column(first),
        Column(_("Requests received"), INTEGER),
        Column(_("Requests concluded"), INTEGER),
        Column(_("Open at the end of the period"), INTEGER),
        Column(_("Concluded with SLA targets"), INTEGER),
        Column(_("Met every SLA target"), INTEGER),
        Column(_("SLA compliance (%)"), PERCENT),
    )


def load_table(dimension: str, loads: Sequence[workload.Load]) -> Table:
    title, first, nobody = load_titles()[dimension]
    rows = []
    for row in loads:
        label = row.label or nobody
        if dimension == workload.SERVICE and row.key is not None:
            label = f"{row.key} · {row.label}"
        rows.append(
            (
                label,
                row.received,
                row.concluded,
                row.open_at_end,
                row.sla_total,
                row.sla_met,
                row.sla_compliance,
            )
        )
    return Table(LOAD_TABLES[dimension], title, _load_columns(first), rows, [r.key for r in loads])


def tenants_table(loads: Sequence[workload.Load]) -> Table:
    columns = (
        Column(_("Tenant")),
        Column(_("Requests received"), INTEGER),
        Column(_("Requests concluded"), INTEGER),
        Column(_("In progress at the end of the period"), INTEGER),
        Column(_("SLA compliance (%)"), PERCENT),
        Column(_("Satisfied (%)"), PERCENT),
        Column(_("Surveys answered"), INTEGER),
    )
    rows = [
        (
            row.label,
            row.received,
            row.concluded,
            row.open_at_end,
            row.sla_compliance,
            row.satisfaction,
            row.answered,
        )
        for row in loads
    ]
    return Table("gobiernos", _("Comparison of tenants"), columns, rows, [r.key for r in loads])


def month_table(figures: Sequence[workload.Figures]) -> Table:
    columns = (
        Column(_("Month")),
        Column(_("Requests received"), INTEGER),
        Column(_("Requests concluded"), INTEGER),
        Column(_("Units served"), INTEGER),
        Column(_("SLA compliance (%)"), PERCENT),
        Column(_("Satisfied (%)"), PERCENT),
        Column(_("Regular (%)"), PERCENT),
        Column(_("Unsatisfied (%)"), PERCENT),
        Column(_("Surveys answered"), INTEGER),
    )
    rows = [
        (
            item.period.label,
            item.received,
            item.concluded,
            item.units_served,
            item.sla_compliance,
            item.level("satisfied"),
            item.level("regular"),
            item.level("unsatisfied"),
            item.answered,
        )
        for item in figures
    ]
    return Table("mensual", _("Month by month"), columns, rows, [f.period.key for f in figures])


def year_table(figures: Sequence[workload.Figures]) -> Table:
    """The CAU document's yearly table: services, tickets, units served, and
    satisfaction as its share of the services concluded (as the document and
    the CAU's own indicators count it), with the share left unanswered."""
    columns = (
        Column(_("Year")),
        Column(_("Services (concluded)"), INTEGER),
        Column(_("Tickets (received)"), INTEGER),
        Column(_("Units served"), INTEGER),
        Column(_("Satisfied services (%)"), PERCENT),
        Column(_("Regular services (%)"), PERCENT),
        Column(_("Unsatisfied services (%)"), PERCENT),
        Column(_("Services without an answer (%)"), PERCENT),
    )
    rows = [
        (
            str(item.period.start.year),
            item.concluded,
            item.received,
            item.units_served,
            *(item.of_services(rating) for rating in (*workload.RATINGS, None)),
        )
        for item in figures
    ]
    return Table("anual", _("Year by year"), columns, rows, [f.period.key for f in figures])


def table_names(every_tenant: bool = False) -> tuple[str, ...]:
    """The tables a dashboard exports, in page order."""
    names = ("indicadores", "mensual", *LOAD_TABLES.values(), "anual")
    return (*names, "gobiernos") if every_tenant else names


def build(name: str, dashboard: Dashboard) -> Table:
    """The table ``name`` (one of :func:`table_names`) of a dashboard."""
    if name == "indicadores":
        return indicator_table(dashboard.indicators, dashboard.previous_period.label)
    if name == "mensual":
        return month_table(dashboard.months)
    if name == "anual":
        return year_table(dashboard.years)
    if name == "gobiernos":
        return tenants_table(dashboard.tenants)
    for dimension, table in LOAD_TABLES.items():
        if table == name:
            return load_table(dimension, dashboard.load(dimension))
    raise KeyError(name)
