"""The default folio pattern: the tenant's own, else CHALCO-P10-2026-000123."""

from __future__ import annotations

from typing import TYPE_CHECKING

from helpdesk.folios import DEFAULT_PATTERN
from helpdesk.hookspecs import hookimpl

if TYPE_CHECKING:
    from helpdesk.catalog import ServiceDefinition
    from helpdesk.models import Tenant


@hookimpl(trylast=True)
def helpdesk_folio_pattern(service: ServiceDefinition, tenant: Tenant) -> str:
    return tenant.folio_pattern or DEFAULT_PATTERN
