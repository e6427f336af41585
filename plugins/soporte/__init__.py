"""IT support: Chalco's e-mail and technical support (P09, P10) and the Estado de México CAU."""

from helpdesk import hookimpl
from helpdesk.catalog import IndicatorDefinition
from helpdesk.catalog import ServiceDefinition
from plugins.soporte import indicators
from plugins.soporte import services


@hookimpl
def helpdesk_services() -> list[ServiceDefinition]:
    return services.ALL


@hookimpl
def helpdesk_indicators() -> list[IndicatorDefinition]:
    return indicators.INDICATORS
