"""Dashboards: indicators, trends, load and the yearly table, with their exports.

Coordinators and tenant admins read their tenant's dashboard
(``/<tenant>/tablero/``) and each service's (``/<tenant>/tablero/servicio/<code>``);
the superadmin reads every tenant's together (``/superadmin/tablero/``). Every
table downloads as CSV or XLSX and the whole report as PDF, built from the same
:class:`~helpdesk.reports.Dashboard` as the page, so they hold the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint
from flask import abort
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from helpdesk import charts
from helpdesk import documents
from helpdesk import exports
from helpdesk import indicators
from helpdesk import periods
from helpdesk import plugins
from helpdesk import reports
from helpdesk import workload
from helpdesk.auth import roles_required
from helpdesk.catalog import ServiceDefinition
from helpdesk.extensions import db
from helpdesk.indicators import Scope
from helpdesk.models import Department
from helpdesk.models import Tenant
from helpdesk.models import Ticket
from helpdesk.models import Unit
from helpdesk.models.base import utcnow
from helpdesk.tenancy import require_tenant

# One blueprint for the app to register; the two audiences are nested in it.
bp = Blueprint("dashboards", __name__)
tenant_bp = Blueprint("tenant", __name__, url_prefix="/<tenant>/tablero")
everyone_bp = Blueprint("everyone", __name__, url_prefix="/superadmin/tablero")

FORMATS = "any(csv, xlsx)"
CHARTED = (workload.DEPARTMENT, workload.AGENT)


@tenant_bp.before_request
@roles_required("coordinator", "tenant_admin")
def _coordinators_and_admins() -> None:
    """As the monitor: coordinators and tenant admins of this tenant (and superadmins)."""


@everyone_bp.before_request
@roles_required("superadmin")
def _superadmins_only() -> None:
    """Every tenant's figures together: superadmins only."""


@dataclass
class Board:
    """A dashboard and what the request asked of it."""

    dashboard: reports.Dashboard
    choice: reports.Choice
    tenant: Tenant | None
    service: ServiceDefinition | None
    units: list[Unit]
    departments: list[Department]

    @property
    def every_tenant(self) -> bool:
        return self.tenant is None

    @property
    def endpoint(self) -> str:
        return "dashboards.everyone" if self.every_tenant else "dashboards.tenant"

    def url(self, view: str, **values: Any) -> str:
        """The address of ``view`` ("index", "export", "workbook", "report") of this
        dashboard, keeping the period, filters and years unless ``values`` change them."""
        if self.service is not None:
            view, values["code"] = f"service_{view}", self.service.code
        return url_for(f"{self.endpoint}.{view}", **{**self.choice.args(), **values})

    def heading(self) -> exports.Heading:
        """The tenant, the period and the filters, for the files' first rows."""
        details = []
        if self.service is not None:
            name = f"{self.service.code} · {self.service.name}"
            details.append(_("Service: %(service)s", service=name))
        details.extend(
            _("Requesting unit: %(name)s", name=row.name)
            for row in self.units
            if row.id == self.choice.unit_id
        )
        details.extend(
            _("Department: %(name)s", name=row.name)
            for row in self.departments
            if row.id == self.choice.department_id
        )
        tenant = self.tenant.name if self.tenant else _("Every tenant")
        period = _("Period: %(period)s", period=self.dashboard.period.label)
        return exports.Heading(tenant, period, tuple(details))

    def filename(self, name: str, extension: str) -> str:
        parts = [self.tenant.slug if self.tenant else "todos"]
        if self.service is not None:
            parts.append(self.service.code)
        key = self.dashboard.period.key
        if name == "anual":
            key = f"{self.choice.first_year}-{self.choice.last_year}"
        return f"tablero-{'-'.join(parts)}-{name}-{key}.{extension}"


def _today(zone: str) -> date:
    return utcnow().astimezone(ZoneInfo(zone)).date()


def _board(tenant: Tenant | None, service: ServiceDefinition | None = None) -> Board:
    units: list[Unit] = []
    departments: list[Department] = []
    if tenant is not None:
        units = list(db.session.scalars(select(Unit).order_by(Unit.name)))
        departments = list(db.session.scalars(select(Department).order_by(Department.name)))
    zone = tenant.timezone if tenant is not None else indicators.DEFAULT_ZONE
    choice = reports.choose(
        request.args,
        _today(zone),
        units={row.id for row in units},
        departments={row.id for row in departments},
    )
    scope = Scope.of(
        tenant,
        choice.period,
        service_code=service.code if service else None,
        unit_id=choice.unit_id,
        department_id=choice.department_id,
    )
    dashboard = reports.Dashboard(scope, choice.first_year, choice.last_year)
    return Board(dashboard, choice, tenant, service, units, departments)


def _service_or_404(tenant: Tenant | None, code: str) -> ServiceDefinition:
    """A catalog service the tenant (any tenant, for None) offers, or offered
    once and still has tickets of."""
    service = plugins.host().catalog.get(code)
    if service is None:
        abort(404)
    if code not in indicators.offered_services(tenant.id if tenant else None):
        tickets = select(Ticket.id).where(Ticket.service_code == code).limit(1)
        if tenant is not None:
            tickets = tickets.where(Ticket.tenant_id == tenant.id)
        if db.session.scalar(tickets.execution_options(all_tenants=True)) is None:
            abort(404)
    return service


# -- what the page and the report draw -------------------------------------------------


def _month(period: periods.Period) -> str:
    return f"{periods.MONTH_NAMES[period.start.month - 1][:3]}\n{period.start.year}"


def _charts(board: Board) -> dict[str, Any]:
    dashboard = board.dashboard
    months = dashboard.months
    empty = _("No data")
    found: dict[str, Any] = {
        "received": charts.column_chart(
            [(_month(f.period), f.received) for f in months],
            title=_("Requests received, month by month"),
            empty=empty,
        ),
        "concluded": charts.column_chart(
            [(_month(f.period), f.concluded) for f in months],
            title=_("Requests concluded, month by month"),
            empty=empty,
        ),
        "sla": charts.column_chart(
            [(_month(f.period), f.sla_compliance) for f in months],
            title=_("SLA compliance (%), month by month"),
            unit="%",
            line=True,
            top=100,
            empty=empty,
        ),
        "satisfied": charts.column_chart(
            [(_month(f.period), f.level("satisfied")) for f in months],
            title=_("Satisfied (%), month by month"),
            unit="%",
            line=True,
            top=100,
            empty=empty,
        ),
    }
    levels = [_("Satisfied"), _("Regular"), _("Unsatisfied")]
    ratings = workload.RATINGS
    shares = dashboard.levels
    found["levels"] = charts.stacked_bars(
        [
            (dashboard.previous_period.label, [shares.get(r, (None, None))[1] for r in ratings]),
            (dashboard.period.label, [shares.get(r, (None, None))[0] for r in ratings]),
        ],
        levels=levels,
        title=_("Satisfaction levels"),
        empty=empty,
    )
    found["years"] = charts.stacked_bars(
        [
            (str(f.period.start.year), [f.of_services(r) for r in (*ratings, None)])
            for f in dashboard.years
        ],
        levels=[*levels, _("No answer")],
        title=_("Satisfaction levels of the services concluded, year by year"),
        empty=empty,
    )
    series = [_("Requests received"), _("Requests concluded"), _("Open at the end of the period")]
    titles = exports.load_titles()
    for dimension in CHARTED:
        title, _first, nobody = titles[dimension]
        found[dimension] = charts.bar_chart(
            [
                (row.label or nobody, [row.received, row.concluded, row.open_at_end])
                for row in dashboard.load(dimension)
            ],
            series=series,
            title=title,
            empty=empty,
        )
    if board.every_tenant:
        found["tenants"] = charts.bar_chart(
            [
                (row.label or "—", [row.received, row.concluded, row.open_at_end])
                for row in dashboard.tenants
            ],
            series=series,
            title=_("Comparison of tenants"),
            empty=empty,
        )
    return found


def _services(board: Board, loads: list[workload.Load]) -> list[ServiceDefinition]:
    """The services to link to: those offered, and those with tickets in the period."""
    if board.service is not None:
        return []
    catalog = plugins.host().catalog
    offered = indicators.offered_services(board.tenant.id if board.tenant else None)
    codes = offered | {r.key for r in loads if r.key}
    return [service for code in sorted(codes) if (service := catalog.get(code))]


def _context(board: Board) -> dict[str, Any]:
    names = exports.table_names(board.every_tenant)
    tables = {name: exports.build(name, board.dashboard) for name in names}
    services = _services(board, board.dashboard.load(workload.SERVICE))
    service_links = {
        service.code: url_for(
            f"{board.endpoint}.service_index", code=service.code, **board.choice.args()
        )
        for service in services
    }
    today = _today(board.dashboard.scope.zone)
    quick = [
        (_("This month"), periods.current(periods.MONTH, today).key),
        (_("This quarter"), periods.current(periods.QUARTER, today).key),
        (_("This year"), periods.current(periods.YEAR, today).key),
        (_("Previous period"), board.dashboard.previous_period.key),
    ]
    return {
        "board": board,
        "dashboard": board.dashboard,
        "choice": board.choice,
        "heading": board.heading(),
        "tables": tables,
        "charts": _charts(board),
        "fmt": charts.number,
        "signed": charts.signed,
        "services": services,
        "service_links": service_links,
        "quick": quick,
        "forms": periods.FORMS,
    }


# -- responses ---------------------------------------------------------------------------


def _page(board: Board) -> str:
    return render_template("dashboards/index.html", **_context(board))


def _attachment(body: bytes, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _export(board: Board, name: str, fmt: str) -> Response:
    if name not in exports.table_names(board.every_tenant):
        abort(404)
    table = exports.build(name, board.dashboard)
    if fmt == "csv":
        body = exports.to_csv(table)
        return _attachment(
            body, f"{exports.CSV_MIMETYPE}; charset=utf-8", board.filename(name, fmt)
        )
    body = exports.to_xlsx([table], board.heading())
    return _attachment(body, exports.XLSX_MIMETYPE, board.filename(name, fmt))


def _workbook(board: Board) -> Response:
    tables = [exports.build(n, board.dashboard) for n in exports.table_names(board.every_tenant)]
    body = exports.to_xlsx(tables, board.heading())
    return _attachment(body, exports.XLSX_MIMETYPE, board.filename("completo", "xlsx"))


def _report(board: Board) -> Response:
    pdf = documents.render_pdf("dashboards/report.html", **_context(board))
    return _attachment(pdf, "application/pdf", board.filename("reporte", "pdf"))


@tenant_bp.get("/")
def index() -> str:
    return _page(_board(require_tenant()))


@tenant_bp.get("/exportar/<name>.<" + FORMATS + ":fmt>")
def export(name: str, fmt: str) -> Response:
    return _export(_board(require_tenant()), name, fmt)


@tenant_bp.get("/tablero.xlsx")
def workbook() -> Response:
    return _workbook(_board(require_tenant()))


@tenant_bp.get("/reporte.pdf")
def report() -> Response:
    return _report(_board(require_tenant()))


@tenant_bp.get("/servicio/<code>")
def service_index(code: str) -> str:
    tenant = require_tenant()
    return _page(_board(tenant, _service_or_404(tenant, code)))


@tenant_bp.get("/servicio/<code>/exportar/<name>.<" + FORMATS + ":fmt>")
def service_export(code: str, name: str, fmt: str) -> Response:
    tenant = require_tenant()
    return _export(_board(tenant, _service_or_404(tenant, code)), name, fmt)


@tenant_bp.get("/servicio/<code>/tablero.xlsx")
def service_workbook(code: str) -> Response:
    tenant = require_tenant()
    return _workbook(_board(tenant, _service_or_404(tenant, code)))


@tenant_bp.get("/servicio/<code>/reporte.pdf")
def service_report(code: str) -> Response:
    tenant = require_tenant()
    return _report(_board(tenant, _service_or_404(tenant, code)))


@everyone_bp.get("/", endpoint="index")
def index_all() -> str:
    return _page(_board(None))


@everyone_bp.get("/exportar/<name>.<" + FORMATS + ":fmt>", endpoint="export")
def export_all(name: str, fmt: str) -> Response:
    return _export(_board(None), name, fmt)


@everyone_bp.get("/tablero.xlsx", endpoint="workbook")
def workbook_all() -> Response:
    return _workbook(_board(None))


@everyone_bp.get("/reporte.pdf", endpoint="report")
def report_all() -> Response:
    return _report(_board(None))


@everyone_bp.get("/servicio/<code>", endpoint="service_index")
def service_index_all(code: str) -> str:
    return _page(_board(None, _service_or_404(None, code)))


@everyone_bp.get(
    "/servicio/<code>/exportar/<name>.<" + FORMATS + ":fmt>", endpoint="service_export"
)
def service_export_all(code: str, name: str, fmt: str) -> Response:
    return _export(_board(None, _service_or_404(None, code)), name, fmt)


@everyone_bp.get("/servicio/<code>/tablero.xlsx", endpoint="service_workbook")
def service_workbook_all(code: str) -> Response:
    return _workbook(_board(None, _service_or_404(None, code)))


@everyone_bp.get("/servicio/<code>/reporte.pdf", endpoint="service_report")
def service_report_all(code: str) -> Response:
    return _report(_board(None, _service_or_404(None, code)))


bp.register_blueprint(tenant_bp)
bp.register_blueprint(everyone_bp)
