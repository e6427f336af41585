"""PSDT-05: is the e-service's link in the Portal de GES alive? (PSDT-07, annex 1).

:func:`check_link` asks the address with ``HEAD`` and, when the server answers
it with an error, with ``GET`` (some servers refuse ``HEAD``), with a short
timeout and only over http(s). :func:`after_step` runs it right after the
publish step and the fix of a non-conformity; :func:`check_links` runs it for
every published order of a tenant (the ``portal check-links`` command and the
staff page). A dead link opens the non-conforming service "servicio no visible
en el portal"; a live one after publication or a fix is recorded as verified.

The check runs after the step has committed, never inside its transaction, so
a slow server never holds the ticket's row lock.
"""

from __future__ import annotations

import logging
import math
import os
import re
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from http.client import HTTPException
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from flask import current_app
from flask import has_app_context
from sqlalchemy import select

from helpdesk.catalog import PeriodicJob
from helpdesk.catalog import workflow_of
from helpdesk.extensions import db
from helpdesk.models import Ticket
from helpdesk.workflow.engine import TransitionError
from helpdesk.workflow.engine import apply
from plugins.portal import services
from plugins.portal.order_workflow import CHECKED_STEPS
from plugins.portal.order_workflow import PUBLISHED_STATES
from plugins.portal.workflows import taken

if TYPE_CHECKING:
    from helpdesk.models import Tenant
    from helpdesk.models import TicketEvent

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 5.0
USER_AGENT = "MesaDeAyuda-VerificacionPortal/1.0 (PSDT-05)"
URL_RE = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
# Steps whose description may name the link as published (or as fixed).
LINK_STEPS = ("publish", "nc_fix", "correct_anomalies")
AUTOMATIC = "Verificación automática"


@dataclass(frozen=True)
class LinkCheck:
    """What one check of a link found."""

    url: str
    ok: bool
    status: int | None
    detail: str

    def describe(self) -> str:
        """One Spanish sentence for the ticket's log."""
        if self.ok:
            return f"la liga {self.url} respondió correctamente (HTTP {self.status})."
        if self.status is not None:
            return f"la liga {self.url} no se puede ver: respondió HTTP {self.status}."
        return f"la liga {self.url} no se puede ver: {self.detail}."


def _opener() -> urllib.request.OpenerDirector:
    # Built by hand, not with build_opener(): only http(s) and their redirects, so a
    # requester's address can never make the help desk read a file: or ftp: URL.
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler(),
        urllib.request.HTTPHandler(),
        urllib.request.HTTPSHandler(),
        urllib.request.HTTPRedirectHandler(),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


def _ask(url: str, method: str, timeout: float) -> int:
    request = urllib.request.Request(url, method=method, headers={"User-Agent": USER_AGENT})
    with _opener().open(request, timeout=timeout) as response:
        if method == "GET":
            response.read(1024)
        return response.status


def _failure(url: str, exc: Exception) -> LinkCheck:
    if isinstance(exc, urllib.error.HTTPError):
        return LinkCheck(url=url, ok=False, status=exc.code, detail=f"HTTP {exc.code}")
    reason = getattr(exc, "reason", exc)
    if isinstance(reason, ConnectionRefusedError):
        detail = "el servidor rechazó la conexión"
    elif isinstance(reason, TimeoutError):
        detail = "el servidor no respondió a tiempo"
    elif isinstance(reason, socket.gaierror):
        detail = "no se encontró el servidor"
    else:
        detail = f"no se pudo abrir ({reason})"
    return LinkCheck(url=url, ok=False, status=None, detail=detail)


def check_link(url: str, timeout: float = DEFAULT_TIMEOUT) -> LinkCheck:
    """Check ``url`` with HEAD, then GET when HEAD got an HTTP error; never raises.

    :param timeout: seconds per attempt.
    :return: ``ok`` when the final answer is a status below 400.
    """
    parsed = urlparse(url or "")
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        return LinkCheck(url=url, ok=False, status=None, detail="no es una dirección http(s)")
    try:
        status = _ask(url, "HEAD", timeout)
        return LinkCheck(url=url, ok=True, status=status, detail="")
    except urllib.error.HTTPError:
        pass  # the server answered: it may refuse HEAD only, so ask with GET
    except (urllib.error.URLError, HTTPException, OSError, ValueError) as exc:
        return _failure(url, exc)
    try:
        status = _ask(url, "GET", timeout)
    except (urllib.error.URLError, HTTPException, OSError, ValueError) as exc:
        return _failure(url, exc)
    return LinkCheck(url=url, ok=True, status=status, detail="")


def timeout() -> float:
    """Seconds per attempt: ``HELPDESK_PORTAL_LINK_TIMEOUT`` from the app's settings or
    the environment (between 1 and 60), else 5; a wrong value is logged and ignored."""
    raw = current_app.config.get("HELPDESK_PORTAL_LINK_TIMEOUT") if has_app_context() else None
    if raw is None:
        raw = os.environ.get("HELPDESK_PORTAL_LINK_TIMEOUT")
    if raw in (None, ""):
        return DEFAULT_TIMEOUT
    try:
        seconds = float(raw)
    except (TypeError, ValueError):
        seconds = math.nan
    if not 1 <= seconds <= 60:
        log.warning("HELPDESK_PORTAL_LINK_TIMEOUT=%r no es un número entre 1 y 60; se usa 5", raw)
        return DEFAULT_TIMEOUT
    return seconds


def url_in(text: str | None) -> str | None:
    """The first http(s) address written in ``text``, without trailing punctuation."""
    match = URL_RE.search(text or "")
    return match.group(0).rstrip(".,;:)]»") if match else None


def published_link(ticket: Ticket) -> str:
    """The link the Portal shows: the last one written when publishing or fixing, else the
    location the requester gave (activity 3.2: Gobierno Electrónico adds the location)."""
    for event in reversed(taken(ticket, LINK_STEPS)):
        found = url_in((event.changes or {}).get("text"))
        if found:
            return found
    return str((ticket.data or {}).get("service_url") or "")


def record(ticket: Ticket, result: LinkCheck) -> str | None:
    """Take the step ``result`` calls for, as the help desk itself, and commit.

    Returns the step's name, or None. A dead link opens the non-conformity from
    any published state; a live one closes the verification after a publication
    (``confirm_visible``) or a fix (``nc_verify``) and is otherwise not recorded
    (a daily check would flood the log). The step has no person: the check is
    the help desk's (actor ``system``), and its text says it was automatic.
    """
    workflow = workflow_of(services.PSDT05)
    if result.ok:
        name = {"published": "confirm_visible", "nc_fixed": "nc_verify"}.get(ticket.state)
    else:
        name = "open_nonconformity"
    transition = workflow.transition(name) if name else None
    if transition is None or ticket.state not in transition.sources:
        return None
    message = f"{AUTOMATIC}: {result.describe()}"
    if result.ok:
        apply(ticket.id, name, None, workflow=workflow, fields={"text": message})
    else:
        apply(ticket.id, name, None, workflow=workflow, reason=message)
    return name


def after_step(ticket: Ticket, event: TicketEvent) -> None:
    """After-commit: check the link once a PSDT-05 order is published or its fix is done.

    Never raises: an error here would skip other plugins' hooks (hookspecs.py).
    """
    if ticket.service_code != services.PSDT05.code or event.transition not in CHECKED_STEPS:
        return
    try:
        result = check_link(published_link(ticket), timeout())
        record(ticket, result)
    except TransitionError as exc:
        log.info("%s: verificación de la liga sin efecto: %s", ticket.folio, exc.message)
    except Exception:
        db.session.rollback()
        log.exception("%s: falló la verificación automática de la liga", ticket.folio)


@dataclass(frozen=True)
class OrderCheck:
    """One published order and what its check found."""

    folio: str
    state: str
    check: LinkCheck
    step: str | None


def published_orders(tenant: Tenant) -> list[Ticket]:
    """The tenant's PSDT-05 orders whose service is (or should be) in the Portal."""
    return list(
        db.session.scalars(
            select(Ticket)
            .where(
                Ticket.tenant_id == tenant.id,
                Ticket.service_code == services.PSDT05.code,
                Ticket.state.in_(PUBLISHED_STATES),
            )
            .order_by(Ticket.id)
        )
    )


def check_links(tenant: Tenant, *, seconds: float | None = None) -> list[OrderCheck]:
    """Check the link of every published order of ``tenant`` (PSDT-07 monitoring).

    A dead link opens the non-conformity on its order, as a recorded step. Call
    it inside the tenant's scope (``helpdesk.tenancy.scoped_to``) or a request of it.

    :param seconds: timeout per attempt; the app's setting when None.
    :return: one :class:`OrderCheck` per order checked, in folio order.
    """
    results = []
    for ticket in published_orders(tenant):
        folio, state = ticket.folio, ticket.state
        result = check_link(published_link(ticket), seconds or timeout())
        step = None
        try:
            step = record(ticket, result)
        except TransitionError as exc:
            log.info("%s: verificación de la liga sin efecto: %s", folio, exc.message)
        results.append(OrderCheck(folio=folio, state=state, check=result, step=step))
    return sorted(results, key=lambda item: item.folio)


def _scheduled_check(tenant: Tenant) -> None:
    results = check_links(tenant)
    opened = [item.folio for item in results if item.step == "open_nonconformity"]
    if opened:
        log.info("%s: liga no visible en %s", tenant.slug, ", ".join(opened))


# PSDT-07 monitoring: every published e-service is checked once a day, besides
# right after its publication or fix (after_step).
PERIODIC_CHECK = PeriodicJob(
    name="portal-check-links",
    title="PSDT-05: verificar que los servicios publicados se vean en el Portal",
    every_seconds=24 * 3600,
    run=_scheduled_check,
)
