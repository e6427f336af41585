"""Portals and systems: Chalco's systems and web sites (P07, P08) and Sinaloa's Portal de GES."""

from helpdesk import hookimpl
from helpdesk.catalog import IndicatorDefinition
from helpdesk.catalog import ServiceDefinition
from plugins.portal import services


@hookimpl
def helpdesk_services() -> list[ServiceDefinition]:
    return services.ALL


@hookimpl
def helpdesk_indicators() -> list[IndicatorDefinition]:
    return services.INDICATORS
