"""Technical opinions: Chalco's dictámenes to dispose of and to acquire IT assets (P11,
P12) and the dictamen técnico interno that an unsolved support request (P10) hands off."""

from flask import Blueprint

from helpdesk import hookimpl
from helpdesk.catalog import IndicatorDefinition
from helpdesk.catalog import PageLink
from helpdesk.catalog import ServiceDefinition
from helpdesk.models import Ticket
from helpdesk.models import User
from plugins.dictamenes import indicators
from plugins.dictamenes import services
from plugins.dictamenes import views


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
def helpdesk_ticket_links(ticket: Ticket, user: User, audience: str) -> list[PageLink]:
    return views.inspection_links(ticket, user, audience)
