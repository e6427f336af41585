"""Medios Interactivos: the DGSEI's chats and forums between citizens and government experts."""

from helpdesk import hookimpl
from helpdesk.catalog import ServiceDefinition
from plugins.medios_interactivos import services


@hookimpl
def helpdesk_services() -> list[ServiceDefinition]:
    return services.ALL
