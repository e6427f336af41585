"""Technical opinions: Chalco's dictámenes to dispose of and to acquire IT assets (P11, P12)."""

from helpdesk import hookimpl
from helpdesk.catalog import ServiceDefinition
from plugins.dictamenes import services


@hookimpl
def helpdesk_services() -> list[ServiceDefinition]:
    return services.ALL
