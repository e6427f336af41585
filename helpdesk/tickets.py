"""Filing a request: checks, folio, the first event and the attachments, in one go.

The portal, the desk (on someone's behalf) and ``helpdesk ticket file`` all
call :func:`file_request`, so every channel applies the same checks and takes
its folio from the same series.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import time
from decimal import Decimal
from typing import IO
from typing import Any

from flask import current_app
from sqlalchemy import select

from helpdesk import folios
from helpdesk import lead_times
from helpdesk import notification_rules
from helpdesk import plugins
from helpdesk import sla
from helpdesk import transactions
from helpdesk.business_time import next_opening
from helpdesk.catalog import RequirementIssue
from helpdesk.catalog import ServiceDefinition
from helpdesk.catalog import folio_code
from helpdesk.catalog import workflow_of
from helpdesk.extensions import db
from helpdesk.models import Attachment
from helpdesk.models import Tenant
from helpdesk.models import Ticket
from helpdesk.models import TicketEvent
from helpdesk.models import TicketLink
from helpdesk.models import User
from helpdesk.models.base import utcnow
from helpdesk.service_settings import EffectiveService
from helpdesk.storage import FolderStorage
from helpdesk.storage import StorageError
from helpdesk.storage import StoredFile
from helpdesk.workflow.engine import record_event


class FilingError(Exception):
    """The request cannot be filed; ``issues`` say why, field by field."""

    def __init__(self, issues: list[RequirementIssue]) -> None:
        super().__init__("; ".join(issue.message for issue in issues))
        self.issues = issues


@dataclass(frozen=True)
class Upload:
    """A file as it arrives, before it is checked and stored."""

    filename: str
    stream: IO[bytes]


def json_ready(value: Any) -> Any:
    """Form data as it is stored in the ticket's JSON column."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): json_ready(v) for k, v in value.items() if k != "csrf_token"}
    if isinstance(value, list | tuple):
        return [json_ready(v) for v in value]
    return value


def storage() -> FolderStorage:
    root = current_app.config.get("HELPDESK_UPLOAD_FOLDER") or (
        f"{current_app.instance_path}/uploads"
    )
    return FolderStorage(root)


def store_uploads(uploads: Iterable[Upload], already: int = 0) -> list[tuple[Upload, StoredFile]]:
    """Check and store each file; on any refusal remove what was stored and raise."""
    config = current_app.config
    per_file = config.get("HELPDESK_MAX_FILE_BYTES", 10 * 1024 * 1024)
    per_ticket = config.get("HELPDESK_MAX_TICKET_BYTES", 25 * 1024 * 1024)
    max_files = config.get("HELPDESK_MAX_FILES", 10)
    stored: list[tuple[Upload, StoredFile]] = []
    total = already
    try:
        for upload in uploads:
            if len(stored) >= max_files:
                raise FilingError(
                    [
                        RequirementIssue(
                            message=f"Puede adjuntar hasta {max_files} archivos.",
                            field="attachments",
                        )
                    ]
                )
            try:
                saved = storage().save(upload.stream, per_file)
            except StorageError as exc:
                raise FilingError([_upload_issue(upload.filename, exc, per_file)]) from None
            stored.append((upload, saved))
            total += saved.size
            if total > per_ticket:
                raise FilingError(
                    [
                        RequirementIssue(
                            message=(
                                "Los archivos de la solicitud suman más de "
                                f"{per_ticket // (1024 * 1024)} MB."
                            ),
                            field="attachments",
                        )
                    ]
                )
    except FilingError:
        for _, saved in stored:
            storage().delete(saved.key)
        raise
    return stored


def _upload_issue(name: str, exc: StorageError, per_file: int) -> RequirementIssue:
    messages = {
        "type": (
            f"«{name}» no es de un tipo permitido (PDF, imágenes, documentos de Office u "
            "OpenDocument, ZIP, MP4, MP3); se revisa su contenido, no su nombre."
        ),
        "size": f"«{name}» pesa más de {per_file // (1024 * 1024)} MB.",
        "empty": f"«{name}» está vacío.",
    }
    return RequirementIssue(
        message=messages.get(exc.code, f"«{name}» no se aceptó."), field="attachments"
    )


def attachment_rows(
    ticket: Ticket, stored: list[tuple[Upload, StoredFile]], actor: User
) -> list[Attachment]:
    rows = []
    for upload, saved in stored:
        row = Attachment(
            tenant_id=ticket.tenant_id,
            ticket=ticket,
            original_name=(upload.filename or "archivo")[:255],
            storage_key=saved.key,
            content_type=saved.content_type,
            size=saved.size,
            sha256=saved.sha256,
            uploaded_by_id=actor.id,
        )
        db.session.add(row)
        rows.append(row)
    return rows


def requirement_issues(
    service: ServiceDefinition, tenant: Tenant, data: Mapping[str, Any], ticket: Ticket | None
) -> list[RequirementIssue]:
    """The service's own checks, then every plugin's, on the submitted data."""
    issues: list[RequirementIssue] = []
    for check in service.checks:
        issues.extend(check(data))
    issues.extend(
        plugins.host().check_requirements(service=service, tenant=tenant, data=data, ticket=ticket)
    )
    return issues


def may_request(service: ServiceDefinition, requester: User) -> bool:
    kind = "unit" if requester.kind == "staff" else requester.kind
    return kind in service.requester_kinds


def _summary(data: Mapping[str, Any], fallback: str) -> str:
    for key in ("summary", "title", "name", "event_name", "topic", "description"):
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()[:300]
    return fallback[:300]


def file_request(
    *,
    tenant: Tenant,
    service: EffectiveService,
    requester: User,
    filed_by: User,
    data: Mapping[str, Any],
    unit_id: int | None,
    liaison: Mapping[str, str] | None = None,
    channel: str = "portal",
    uploads: Iterable[Upload] = (),
    now: datetime | None = None,
    late_justification: str | None = None,
) -> Ticket:
    """File a request and commit it; raises :class:`FilingError` with every issue found.

    Nothing is saved unless everything is accepted: files stored before a
    refusal are removed again. A request that breaks the service's lead-time
    rule is refused, unless a coordinator files it with ``late_justification``.
    """
    definition = service.definition
    if definition.internal:
        raise FilingError(
            [RequirementIssue(message="Este servicio solo se abre desde otra solicitud.")]
        )
    if not service.enabled:
        raise FilingError([RequirementIssue(message="Este servicio no está disponible.")])
    if not may_request(definition, requester):
        raise FilingError(
            [RequirementIssue(message="Este servicio no se ofrece a este tipo de solicitante.")]
        )
    clean = json_ready(dict(data))
    # Stored as UTC: SQLite would keep a local wall-clock time without its offset.
    filed = sla.as_utc(now or utcnow())
    calendar = sla.calendar_of(tenant, service, filed)
    received = next_opening(calendar, filed)
    late = lead_times.finding(
        definition.lead_time,
        calendar,
        clean,
        received,
        may_override=filed_by.has_role("coordinator"),
        justification=late_justification,
    )
    late_reason = (late_justification or "").strip()
    stored = store_uploads(uploads)
    check_data = {
        **clean,
        "attachments": [{"name": u.filename, "content_type": s.content_type} for u, s in stored],
    }
    found = requirement_issues(definition, tenant, check_data, None)
    blocking = [i for i in found if i.blocking]
    # What only a person can judge: kept on the filing event for the review.
    warnings = [i.message for i in found if not i.blocking]
    if late is not None and late.blocking:
        blocking.insert(0, late)
    if blocking:
        for _, saved in stored:
            storage().delete(saved.key)
        raise FilingError(blocking)
    # The folio's year is the office's, not UTC's (31 December at 20:00 in Chalco).
    year = calendar.local(received).year
    workflow = workflow_of(definition)
    pattern = plugins.host().folio_pattern(service=definition, tenant=tenant)

    def unit_of_work() -> Ticket:
        seq = folios.next_number(tenant.id, definition.code, year)
        ticket = Ticket(
            tenant_id=tenant.id,
            folio=folios.format_folio(
                pattern,
                tenant=tenant.slug,
                service=folio_code(definition),
                year=year,
                seq=seq,
            ),
            service_code=definition.code,
            state=workflow.initial,
            channel=channel,
            requester_id=requester.id,
            filed_by_id=filed_by.id,
            unit_id=unit_id,
            department_id=service.department.id if service.department else None,
            liaison=dict(liaison) if liaison else None,
            data=clean,
            summary=_summary(clean, definition.name),
            created_at=filed,
            received_at=received,
        )
        db.session.add(ticket)
        db.session.flush()
        attachment_rows(ticket, stored, filed_by)
        changes: dict[str, Any] = {"channel": channel}
        if late is not None:
            changes["lead_time_override"] = {"rule": late.message, "justification": late_reason}
        if filed_by.id != requester.id:
            changes["on_behalf_of"] = requester.id
        if warnings:
            changes["warnings"] = warnings
        event = record_event(
            ticket, "file", None, workflow.initial, filed_by, None, changes, bump_version=False
        )
        sla.refresh(ticket, filed)
        notification_rules.on_event(ticket, event, workflow)
        return ticket

    try:
        ticket = transactions.run(unit_of_work)
    except Exception:
        for _, saved in stored:
            storage().delete(saved.key)
        raise
    first_event = ticket.events[0]
    plugins.host().ticket_transitioned(ticket=ticket, event=first_event)
    return ticket


def open_linked(
    source: Ticket, service_code: str, actor: User, context: Mapping[str, Any]
) -> Ticket:
    """Open a ticket of another service linked to ``source`` (inside the caller's transaction)."""
    from helpdesk import service_settings
    from helpdesk.workflow.engine import TransitionError

    catalog = plugins.host().catalog
    definition = catalog.get(service_code)
    tenant = db.session.get(Tenant, source.tenant_id)
    if definition is None or tenant is None:
        raise TransitionError(f"El servicio {service_code} no está instalado.")
    rows = service_settings.ensure_rows(tenant, catalog)
    target_service = service_settings.effective(definition, rows[service_code], tenant)
    if not target_service.enabled:
        raise TransitionError(f"El servicio {service_code} no está habilitado en este gobierno.")
    workflow = workflow_of(definition)
    calendar = sla.calendar_of(tenant, target_service)
    now = next_opening(calendar, utcnow())
    year = calendar.local(now).year
    seq = folios.next_number(tenant.id, service_code, year)
    pattern = plugins.host().folio_pattern(service=definition, tenant=tenant)
    data = {**(source.data or {}), "origin_folio": source.folio}
    target = Ticket(
        tenant_id=tenant.id,
        folio=folios.format_folio(
            pattern, tenant=tenant.slug, service=folio_code(definition), year=year, seq=seq
        ),
        service_code=service_code,
        state=workflow.initial,
        channel=source.channel,
        requester_id=source.requester_id,
        filed_by_id=actor.id,
        unit_id=source.unit_id,
        department_id=target_service.department.id if target_service.department else None,
        liaison=source.liaison,
        data=data,
        summary=source.summary,
        received_at=now,
    )
    db.session.add(target)
    db.session.flush()
    db.session.add(TicketLink(tenant_id=tenant.id, source_id=source.id, target_id=target.id))
    event = record_event(
        target,
        "file",
        None,
        workflow.initial,
        actor,
        None,
        {"channel": source.channel, "hand_off_from": source.folio},
        bump_version=False,
    )
    sla.refresh(target)
    notification_rules.on_event(target, event, workflow)
    return target


def linked(ticket: Ticket) -> list[tuple[str, Ticket]]:
    """("from" | "to", other ticket) for every hand-off touching ``ticket``."""
    links = db.session.scalars(
        select(TicketLink).where(
            (TicketLink.source_id == ticket.id) | (TicketLink.target_id == ticket.id)
        )
    ).all()
    return [
        ("to", link.target) if link.source_id == ticket.id else ("from", link.source)
        for link in links
    ]


def events_of(ticket: Ticket) -> list[TicketEvent]:
    return list(ticket.events)
