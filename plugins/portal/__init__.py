"""Portals and systems: Chalco's systems and web sites (P07, P08) and Sinaloa's Portal de GES."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING
from typing import Any

from flask import Blueprint

from helpdesk import hookimpl
from helpdesk.catalog import IndicatorDefinition
from helpdesk.catalog import PeriodicJob
from helpdesk.catalog import RequirementIssue
from helpdesk.catalog import ServiceDefinition
from plugins.portal import checks
from plugins.portal import indicators
from plugins.portal import links
from plugins.portal import services
from plugins.portal import views

if TYPE_CHECKING:
    from helpdesk.models import Tenant
    from helpdesk.models import Ticket
    from helpdesk.models import TicketEvent


@hookimpl
def helpdesk_services() -> list[ServiceDefinition]:
    return services.ALL


@hookimpl
def helpdesk_indicators() -> list[IndicatorDefinition]:
    return indicators.ALL


@hookimpl
def helpdesk_blueprints() -> list[Blueprint]:
    return [views.bp]


@hookimpl
def helpdesk_periodic_jobs() -> list[PeriodicJob]:
    return [links.PERIODIC_CHECK]


@hookimpl
def helpdesk_check_requirements(
    service: ServiceDefinition, tenant: Tenant, data: Mapping[str, Any]
) -> list[RequirementIssue]:
    if service.code != services.P07.code:
        return []
    return checks.system_in_registry(tenant, data)


@hookimpl
def helpdesk_ticket_transitioned(ticket: Ticket, event: TicketEvent) -> None:
    links.after_step(ticket, event)
