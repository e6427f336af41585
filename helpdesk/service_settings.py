"""A tenant's view of the catalog: which services it offers and with what settings.

The plugin gives the defaults (department, SLA targets, office hours); a
tenant admin's overrides live in ``TenantService`` rows, one per catalog
service, created on demand.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from helpdesk import office_hours
from helpdesk import tenant_calendar
from helpdesk.catalog import BusinessDuration
from helpdesk.catalog import Catalog
from helpdesk.catalog import ServiceDefinition
from helpdesk.catalog import SlaPolicy
from helpdesk.extensions import db
from helpdesk.models import Department
from helpdesk.models import Tenant
from helpdesk.models import TenantService


@dataclass(frozen=True)
class EffectiveService:
    """A catalog service as one tenant runs it."""

    definition: ServiceDefinition
    setting: TenantService
    department: Department | None
    sla: SlaPolicy
    office_hours: office_hours.WeeklyHours

    @property
    def enabled(self) -> bool:
        return self.setting.enabled


def ensure_rows(tenant: Tenant, catalog: Catalog) -> dict[str, TenantService]:
    """Every catalog service has its settings row for ``tenant`` (disabled when new)."""
    rows = {
        row.service_code: row
        for row in db.session.scalars(
            select(TenantService).where(TenantService.tenant_id == tenant.id)
        )
    }
    for service in catalog:
        if service.code not in rows:
            row = TenantService(tenant_id=tenant.id, service_code=service.code, enabled=False)
            db.session.add(row)
            rows[service.code] = row
    db.session.flush()
    return rows


def _override(amount: int | None, unit: str | None) -> BusinessDuration | None:
    if amount is None:
        return None
    return BusinessDuration(amount=amount, unit=unit or "hours")  # type: ignore[arg-type]


def effective(service: ServiceDefinition, row: TenantService, tenant: Tenant) -> EffectiveService:
    """Merge the plugin's defaults with the tenant's overrides."""
    department = row.department
    if department is None:
        department = db.session.scalar(
            select(Department).where(
                Department.tenant_id == tenant.id, Department.code == service.department
            )
        )
    sla = SlaPolicy(
        respond=_override(row.respond_amount, row.respond_unit) or service.sla.respond,
        resolve=_override(row.resolve_amount, row.resolve_unit) or service.sla.resolve,
    )
    if row.office_hours:
        hours = office_hours.from_json(row.office_hours)
    else:
        hours = service.office_hours or tenant_calendar.tenant_hours(tenant)
    return EffectiveService(
        definition=service, setting=row, department=department, sla=sla, office_hours=hours
    )


def request_sla(service: EffectiveService, data: Mapping[str, Any] | None) -> SlaPolicy:
    """The targets of one request: the tenant's overrides, else the policy the
    service gives this request's data (``sla_for``), else the service's own."""
    specific = service.definition.sla_for(data or {}) if service.definition.sla_for else None
    if specific is None:
        return service.sla
    row = service.setting
    return SlaPolicy(
        respond=_override(row.respond_amount, row.respond_unit) or specific.respond,
        resolve=_override(row.resolve_amount, row.resolve_unit) or specific.resolve,
    )


def tenant_services(tenant: Tenant, catalog: Catalog) -> list[EffectiveService]:
    """Every catalog service with this tenant's settings, in catalog order."""
    rows = ensure_rows(tenant, catalog)
    return [effective(service, rows[service.code], tenant) for service in catalog]


def set_enabled(tenant: Tenant, catalog: Catalog, codes: dict[str, bool]) -> None:
    """Enable or disable services by code (used by the demo and the admin page)."""
    rows = ensure_rows(tenant, catalog)
    for code, enabled in codes.items():
        rows[code].enabled = enabled
