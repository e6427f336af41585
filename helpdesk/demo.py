"""The demo data: the three governments of CATALOG.md with their real offices.

Loading is idempotent (rows are matched by slug, code, name or e-mail), so
``make run`` may call it on every start.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from helpdesk import service_settings
from helpdesk.auth import hash_password
from helpdesk.catalog import Catalog
from helpdesk.extensions import db
from helpdesk.models import Department
from helpdesk.models import RoleMembership
from helpdesk.models import Tenant
from helpdesk.models import Unit
from helpdesk.models import User
from helpdesk.tenancy import ALL_TENANTS

DEMO_PASSWORD = "demo-2026"
SUPERADMIN_EMAIL = "superadmin@mesa.example"


@dataclass(frozen=True)
class DemoUser:
    role: str
    email: str
    name: str
    unit: str | None = None
    department: str | None = None
    kind: str = "staff"
    organization: str | None = None


@dataclass(frozen=True)
class DemoTenant:
    slug: str
    name: str
    kind: str
    departments: tuple[tuple[str, str], ...]
    units: tuple[tuple[str, str | None, str], ...]  # name, acronym, kind
    services: tuple[str, ...]
    users: tuple[DemoUser, ...]


CHALCO = DemoTenant(
    slug="chalco",
    name="Gobierno de Chalco",
    kind="municipality",
    departments=(
        ("CCS", "Coordinación de Comunicación Social"),
        ("DCII", "Departamento de Comunicación e Imagen Institucional"),
        ("DGD", "Departamento de Gobierno Digital"),
    ),
    units=(
        ("Secretaría del Ayuntamiento", None, "dependencia"),
        ("Dirección de Administración", None, "dependencia"),
        ("Control Patrimonial", None, "dependencia"),
        ("Dirección de la Mujer", None, "dependencia"),
        ("Sistema Municipal para el Desarrollo Integral de la Familia", "DIF", "organismo"),
        (
            "Organismo Público Descentralizado para la Prestación de los Servicios de "
            "Agua Potable, Alcantarillado y Saneamiento",
            "ODAPAS",
            "organismo",
        ),
        ("Instituto Municipal de Cultura Física y Deporte", "IMCUFIDE", "organismo"),
        ("Medios de comunicación", None, "external"),
    ),
    services=(*(f"GCH-CCS-P{n:02d}" for n in range(1, 13)), "GCH-CCS-P10-DTI"),
    users=(
        DemoUser(
            "requester",
            "solicitante@chalco.example",
            "Laura Méndez Ortiz",
            unit="Dirección de la Mujer",
        ),
        DemoUser(
            "coordinator", "coordinador@chalco.example", "Ricardo Sánchez Flores", department="CCS"
        ),
        DemoUser("agent", "tecnico@chalco.example", "Miguel Ángel Torres Ruiz", department="DGD"),
        DemoUser("tenant_admin", "admin@chalco.example", "Patricia Gómez Luna", department="CCS"),
        DemoUser(
            "requester",
            "medio@chalco.example",
            "Jorge Ramírez (reportero)",
            kind="media",
            organization="Noticias del Valle de Chalco",
        ),
    ),
)

SINALOA = DemoTenant(
    slug="sinaloa",
    name="Gobierno del Estado de Sinaloa",
    kind="state",
    departments=(
        ("DSCT", "Dirección de Servicios Compartidos de Tecnología"),
        ("DGE", "Departamento de Gobierno Electrónico"),
        ("MAD", "Departamento de Mesa de Ayuda para Dependencias"),
    ),
    units=(
        ("Secretaría General de Gobierno", None, "dependencia"),
        ("Secretaría de Administración y Finanzas", None, "dependencia"),
        ("Secretaría de Salud", None, "dependencia"),
        ("Secretaría de Educación Pública y Cultura", "SEPyC", "dependencia"),
        ("Ciudadanía (redes sociales)", None, "external"),
    ),
    services=("PSDT-05", "PSDT-06"),
    users=(
        DemoUser(
            "requester",
            "solicitante@sinaloa.example",
            "Ana Lucía Beltrán Ochoa",
            unit="Secretaría de Salud",
        ),
        DemoUser(
            "coordinator",
            "coordinador@sinaloa.example",
            "Héctor Palomares Salgado",
            department="DSCT",
        ),
        DemoUser(
            "agent", "tecnico@sinaloa.example", "Julio César Solís Velázquez", department="DGE"
        ),
        DemoUser(
            "tenant_admin", "admin@sinaloa.example", "Carmen Félix Quintero", department="DSCT"
        ),
        DemoUser(
            "requester", "ciudadano@sinaloa.example", "Roberto Castro Inzunza", kind="citizen"
        ),
    ),
)

EDOMEX = DemoTenant(
    slug="edomex",
    name="Gobierno del Estado de México",
    kind="state",
    departments=(
        ("CONT", "Departamento de Contenidos (Dirección de Gobierno Electrónico, DGSEI)"),
        ("DGSYTI", "Dirección General de Sistemas y Tecnologías de la Información"),
    ),
    units=(
        ("Secretaría General de Gobierno", "SGG", "dependencia"),
        ("Subsecretaría General de Gobierno", None, "dependencia"),
        ("Coordinación Administrativa de la Secretaría General de Gobierno", None, "dependencia"),
        ("Secretaría de Salud", None, "dependencia"),
        ("Instituto de Salud del Estado de México", "ISEM", "organismo"),
        ("Ayuntamiento de Toluca", None, "dependencia"),
        ("Ciudadanía (chats y foros)", None, "external"),
    ),
    services=("FO-SASTI-UDPCC-33", "CAU"),
    users=(
        DemoUser(
            "requester",
            "solicitante@edomex.example",
            "Sofía Hernández Castillo",
            unit="Secretaría de Salud",
        ),
        DemoUser(
            "coordinator", "coordinador@edomex.example", "Melina Cazares Zamora", department="CONT"
        ),
        DemoUser("agent", "tecnico@edomex.example", "Brenda Peralta Jiménez", department="DGSYTI"),
        DemoUser(
            "tenant_admin", "admin@edomex.example", "José Alberto Miguel Pérez", department="DGSYTI"
        ),
        DemoUser("requester", "ciudadano@edomex.example", "Mariana López Vega", kind="citizen"),
    ),
)

DEMO_TENANTS = (CHALCO, SINALOA, EDOMEX)


def _one(statement: object) -> object | None:
    return db.session.scalar(statement.execution_options(**{ALL_TENANTS: True}))  # type: ignore[attr-defined]


def _upsert_user(
    spec: DemoUser, tenant: Tenant | None, units: dict[str, Unit], depts: dict[str, Department]
) -> User:
    user = _one(select(User).where(User.email == spec.email))
    if user is None:
        user = User(email=spec.email, password_hash=hash_password(DEMO_PASSWORD))
        db.session.add(user)
    user.tenant_id = tenant.id if tenant else None
    user.name = spec.name
    user.kind = spec.kind
    user.organization = spec.organization
    user.unit_id = units[spec.unit].id if spec.unit else None
    user.department_id = depts[spec.department].id if spec.department else None
    if spec.role not in user.roles:
        user.memberships.append(RoleMembership(role=spec.role))
    return user


def load_tenant(spec: DemoTenant, catalog: Catalog) -> Tenant:
    tenant = _one(select(Tenant).where(Tenant.slug == spec.slug))
    if tenant is None:
        tenant = Tenant(slug=spec.slug)
        db.session.add(tenant)
    tenant.name, tenant.kind, tenant.active = spec.name, spec.kind, True
    db.session.flush()
    depts: dict[str, Department] = {}
    for code, name in spec.departments:
        dept = _one(
            select(Department).where(Department.tenant_id == tenant.id, Department.code == code)
        )
        if dept is None:
            dept = Department(tenant_id=tenant.id, code=code, name=name)
            db.session.add(dept)
        depts[code] = dept
    units: dict[str, Unit] = {}
    for name, acronym, kind in spec.units:
        unit = _one(select(Unit).where(Unit.tenant_id == tenant.id, Unit.name == name))
        if unit is None:
            unit = Unit(tenant_id=tenant.id, name=name, acronym=acronym, kind=kind)
            db.session.add(unit)
        units[name] = unit
    db.session.flush()
    for user in spec.users:
        _upsert_user(user, tenant, units, depts)
    # Only the services whose plugin is loaded can be enabled; the rest wait.
    service_settings.set_enabled(
        tenant, catalog, {code: True for code in spec.services if code in catalog}
    )
    return tenant


def load(catalog: Catalog) -> list[Tenant]:
    """Load (or refresh) the three demo tenants and the superadmin; commits."""
    tenants = [load_tenant(spec, catalog) for spec in DEMO_TENANTS]
    _upsert_user(DemoUser("superadmin", SUPERADMIN_EMAIL, "Administración general"), None, {}, {})
    db.session.commit()
    return tenants
