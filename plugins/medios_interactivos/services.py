"""Medios Interactivos (FO-SASTI-UDPCC-33): chats and forums of the Estado de México's DGSEI.

Name, description, service level and request handling follow the service's
registration record (Ficha de Registro para Servicio, revision 0).
"""

from __future__ import annotations

from helpdesk.catalog import BusinessDuration
from helpdesk.catalog import ServiceDefinition
from helpdesk.catalog import SlaPolicy
from plugins.medios_interactivos import checks
from plugins.medios_interactivos.forms import InteractiveMediaForm

MEDIOS_INTERACTIVOS = ServiceDefinition(
    code="FO-SASTI-UDPCC-33",
    name="Medios Interactivos",
    description=(
        "En la Dirección de Gobierno Electrónico, en específico en el Departamento de "
        "Contenidos, ofrecemos a todas las unidades administrativas la plataforma, capacitación "
        "y moderación de chats y foros electrónicos con la finalidad de ofrecer medios de "
        "contacto directo con los expertos de distintas áreas gubernamentales, quienes son los "
        "que responden directamente a los ciudadanos."
    ),
    source_document=(
        "Ficha de Registro para Servicio FO-SASTI-UDPCC-33, revisión 0 (08/may/2014), DGSEI, "
        "Gobierno del Estado de México"
    ),
    area="Gobierno Electrónico (DGSEI)",
    department="CONT",
    # "4 días hábiles una vez recibido el oficio en la DGSEI". No resolve target: the
    # event's dates come from the requester's proposal.
    sla=SlaPolicy(respond=BusinessDuration(amount=4, unit="days")),
    form=InteractiveMediaForm,
    checks=(checks.chat_schedule, checks.chat_single_topic, checks.forum_duration),
    checklist=(
        "Se recibió el oficio dirigido a la Dirección General del Sistema Estatal de Informática",
        "La propuesta de temas es de interés ciudadano",
        "Los datos de contacto permiten comunicarse con el experto para confirmar o ajustar la "
        "propuesta",
    ),
    outputs=(
        "Chat electrónico con el experto de la unidad administrativa",
        "Foro electrónico de discusión",
        "Capacitación breve al experto, si es requerida",
        "Moderación del chat o foro",
        "Transcripción del chat o foro",
    ),
)

ALL: list[ServiceDefinition] = [MEDIOS_INTERACTIVOS]
