"""The CAU's catalog of grouped IT services, each group with its service level.

The record (004, section III) says the DGSyTI grouped its IT services
("Agrupación de servicios de TIC's"), set a service-level agreement for them
("Establecimiento de acuerdos de nivel de servicio") and channels each request
by its type ("Canalización correcta y adecuada según el tipo de solicitud"),
but it does not publish the catalog nor the agreements. The groups, their
targets and their teams below are defaults the DGSyTI can refine; every value
is a stable identifier used for routing and for the indicators.

The request type chosen in the single registration format selects the group,
so :func:`group_of` gives, from a request's data, the group's service level
and the department code of the team that attends it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from helpdesk.catalog import BusinessDuration
from helpdesk.catalog import SlaPolicy

# The DGSyTI attends every group in the demo tenant; a tenant whose teams are
# separate departments changes these codes.
DGSYTI = "DGSYTI"


def _hours(amount: int) -> BusinessDuration:
    return BusinessDuration(amount=amount, unit="hours")


def _days(amount: int) -> BusinessDuration:
    return BusinessDuration(amount=amount, unit="days")


@dataclass(frozen=True, kw_only=True)
class ServiceGroup:
    """One group of the CAU catalog: its request types, its service level, its team.

    ``sla.respond`` is the time to channel the request to a technician,
    ``sla.resolve`` the time to conclude it with the evidence of the service.
    """

    code: str
    name: str
    team: str
    sla: SlaPolicy
    types: tuple[tuple[str, str], ...]
    department: str = DGSYTI


GROUPS: tuple[ServiceGroup, ...] = (
    ServiceGroup(
        code="equipo",
        name="Equipo de cómputo",
        team="Soporte técnico",
        sla=SlaPolicy(respond=_hours(4), resolve=_days(3)),
        types=(
            ("computer_fault", "Falla de equipo de cómputo"),
            ("computer_setup", "Instalación o configuración de equipo de cómputo"),
            ("software", "Instalación o actualización de software"),
            ("malware", "Revisión y eliminación de virus"),
            ("backup", "Respaldo o recuperación de información"),
        ),
    ),
    ServiceGroup(
        code="impresion",
        name="Impresoras y escáneres",
        team="Soporte técnico",
        sla=SlaPolicy(respond=_hours(4), resolve=_days(2)),
        types=(
            ("printer", "Falla o configuración de impresora"),
            ("scanner", "Falla o configuración de escáner"),
        ),
    ),
    ServiceGroup(
        code="red",
        name="Red y telefonía",
        team="Redes y telecomunicaciones",
        sla=SlaPolicy(respond=_hours(2), resolve=_days(2)),
        types=(
            ("network", "Conexión a la red o a internet"),
            ("telephony", "Telefonía: extensión o aparato telefónico"),
        ),
    ),
    ServiceGroup(
        code="cuentas",
        name="Correo y cuentas de usuario",
        team="Administración de servidores y cuentas",
        sla=SlaPolicy(respond=_hours(2), resolve=_days(1)),
        types=(
            ("email", "Correo electrónico institucional"),
            ("user_account", "Alta, baja o cambio de cuenta de usuario"),
            ("password_reset", "Restablecimiento de contraseña"),
        ),
    ),
    ServiceGroup(
        code="sistemas",
        name="Sistemas",
        team="Desarrollo de sistemas",
        sla=SlaPolicy(respond=_hours(4), resolve=_days(3)),
        types=(
            ("system_support", "Falla o duda en un sistema institucional"),
            ("system_access", "Acceso a un sistema institucional"),
        ),
    ),
    ServiceGroup(
        code="asesoria",
        name="Asesoría y otros",
        team="Mesa de servicio del CAU",
        sla=SlaPolicy(respond=_days(1), resolve=_days(3)),
        types=(
            ("it_advice", "Asesoría en el uso de tecnologías de la información"),
            ("other", "Otro servicio de tecnologías de la información"),
        ),
    ),
)

GROUPS_BY_CODE: dict[str, ServiceGroup] = {group.code: group for group in GROUPS}
GROUP_OF_TYPE: dict[str, ServiceGroup] = {
    value: group for group in GROUPS for value, _label in group.types
}
SERVICE_TYPES: dict[str, str] = {value: label for group in GROUPS for value, label in group.types}
# Requests about a physical device, whose inventory number lets the technician find it.
EQUIPMENT_TYPES = frozenset({"computer_fault", "computer_setup", "printer", "scanner", "telephony"})


def group_of(data: Mapping[str, Any]) -> ServiceGroup | None:
    """The catalog group a request belongs to, from its ``request_type`` (None if unknown)."""
    request_type = data.get("request_type")
    return GROUP_OF_TYPE.get(request_type) if isinstance(request_type, str) else None


def sla_for(data: Mapping[str, Any]) -> SlaPolicy | None:
    """The service level of the request's group; None lets the service's own apply."""
    group = group_of(data)
    return group.sla if group is not None else None


def _duration(duration: BusinessDuration) -> str:
    if duration.unit == "hours":
        noun = "hora hábil" if duration.amount == 1 else "horas hábiles"
    else:
        noun = "día hábil" if duration.amount == 1 else "días hábiles"
    return f"{duration.amount} {noun}"


def describe_sla(policy: SlaPolicy) -> str:
    """The agreement in words, as the requester reads it in the form."""
    parts = []
    if policy.respond is not None:
        parts.append(f"canalización en {_duration(policy.respond)}")
    if policy.resolve is not None:
        parts.append(f"atención en {_duration(policy.resolve)}")
    return "; ".join(parts)


def loosest_sla() -> SlaPolicy:
    """The longest target of every group: the service-wide default the core applies.

    Until the core reads the group's agreement per ticket, a ticket is never
    shown as late while its own group's agreement is still met.
    """

    def longest(durations: list[BusinessDuration]) -> BusinessDuration:
        # A business day is longer than any number of hours a group uses here.
        return max(durations, key=lambda d: (d.unit == "days", d.amount))

    return SlaPolicy(
        respond=longest([g.sla.respond for g in GROUPS if g.sla.respond is not None]),
        resolve=longest([g.sla.resolve for g in GROUPS if g.sla.resolve is not None]),
    )
