"""Communication: Chalco's Comunicación Social services (P01-P06) and Sinaloa's social networks."""

from helpdesk import hookimpl
from helpdesk.catalog import IndicatorDefinition
from helpdesk.catalog import ServiceDefinition
from plugins.comunicacion import services


@hookimpl
def helpdesk_services() -> list[ServiceDefinition]:
    return services.ALL


@hookimpl
def helpdesk_indicators() -> list[IndicatorDefinition]:
    return services.INDICATORS
