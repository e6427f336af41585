"""The e-mail of each notification kind: built-in Spanish wording, tenant overrides.

Templates are Jinja, rendered in a sandbox (a tenant admin writes them), the
HTML part autoescaped. Every kind receives the same variables, listed in
:data:`VARIABLES`, so an admin's template can use any of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from jinja2 import StrictUndefined
from jinja2 import TemplateError
from jinja2.sandbox import SandboxedEnvironment
from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import MailTemplate
from helpdesk.models import Tenant

VARIABLES = (
    "tenant",
    "recipient",
    "folio",
    "service",
    "summary",
    "state",
    "link",
    "reason",
    "text",
    "due",
    "author",
)

_FOOTER_TEXT = "\n\n{{ tenant }}\nConsulte la solicitud en: {{ link }}\n"
_FOOTER_HTML = (
    '<p><a href="{{ link }}">Ver la solicitud {{ folio }}</a></p>'
    '<p style="color:#666;font-size:12px">{{ tenant }}</p>'
)


@dataclass(frozen=True)
class MailKind:
    """One kind of notification: who it is for and its built-in wording."""

    kind: str
    label: Any
    subject: str
    text: str
    html: str
    # The one line shown in the in-app list (built-in, not edited per tenant).
    line: str


def _kind(kind: str, label: Any, subject: str, body: str, line: str = "") -> MailKind:
    html = "".join(f"<p>{part}</p>" for part in body.split("\n\n"))
    return MailKind(kind, label, subject, body + _FOOTER_TEXT, html + _FOOTER_HTML, line or subject)


KINDS: dict[str, MailKind] = {
    k.kind: k
    for k in (
        _kind(
            "ticket_filed",
            _l("Your request was received (folio)"),
            "Solicitud recibida: folio {{ folio }}",
            "{{ recipient }}:\n\nRecibimos su solicitud de {{ service }} con el folio "
            "{{ folio }} ({{ summary }}). Con ese folio puede darle seguimiento.",
        ),
        _kind(
            "ticket_received",
            _l("A new request arrived"),
            "Nueva solicitud {{ folio }}: {{ service }}",
            "Llegó la solicitud {{ folio }} de {{ service }}: {{ summary }}.",
        ),
        _kind(
            "completion_requested",
            _l("The requester must complete the requirements"),
            "Complete los requisitos de su solicitud {{ folio }}",
            "{{ recipient }}:\n\nPara continuar con su solicitud {{ folio }} ({{ service }}) "
            "necesitamos que complemente los requisitos.\n\nMotivo: {{ reason }}",
        ),
        _kind(
            "action_requested",
            _l("The request waits on the requester"),
            "Su solicitud {{ folio }} espera su respuesta",
            "{{ recipient }}:\n\nSu solicitud {{ folio }} ({{ service }}) está en la etapa "
            "«{{ state }}» y espera su respuesta.{% if text %}\n\n{{ text }}{% endif %}",
        ),
        _kind(
            "state_changed",
            _l("The request moved to another stage"),
            "Su solicitud {{ folio }}: {{ state }}",
            "{{ recipient }}:\n\nSu solicitud {{ folio }} ({{ service }}) pasó a la etapa "
            "«{{ state }}».{% if reason %}\n\nMotivo: {{ reason }}{% endif %}",
        ),
        _kind(
            "ticket_turned",
            _l("A request was turned to the department"),
            "Solicitud {{ folio }} turnada a su departamento",
            "Se turnó a su departamento la solicitud {{ folio }} de {{ service }}: {{ summary }}.",
        ),
        _kind(
            "ticket_assigned",
            _l("A request was assigned to the technician"),
            "Se le asignó la solicitud {{ folio }}",
            "{{ recipient }}:\n\nSe le asignó la solicitud {{ folio }} de {{ service }}: "
            "{{ summary }}.",
        ),
        _kind(
            "ticket_concluded",
            _l("The request was concluded"),
            "Solicitud {{ folio }} concluida",
            "{{ recipient }}:\n\nSu solicitud {{ folio }} ({{ service }}) fue concluida."
            "{% if text %}\n\n{{ text }}{% endif %}",
        ),
        _kind(
            "ticket_rejected",
            _l("The request was rejected"),
            "Solicitud {{ folio }} no procedente",
            "{{ recipient }}:\n\nSu solicitud {{ folio }} ({{ service }}) no procede."
            "\n\nMotivo: {{ reason }}",
        ),
        _kind(
            "comment_public",
            _l("A new comment on the request"),
            "Nuevo comentario en la solicitud {{ folio }}",
            "{{ author }} comentó en la solicitud {{ folio }} ({{ service }}):\n\n{{ text }}",
        ),
        _kind(
            "comment_internal",
            _l("An internal note on the request (staff only)"),
            "Nota interna en la solicitud {{ folio }}",
            "{{ author }} dejó una nota interna en la solicitud {{ folio }} ({{ service }}):"
            "\n\n{{ text }}",
        ),
        _kind(
            "sla_at_risk",
            _l("A service level is at risk"),
            "En riesgo: solicitud {{ folio }}",
            "La solicitud {{ folio }} ({{ service }}) está en riesgo: {{ text }} vence el "
            "{{ due }}.",
            "La solicitud {{ folio }} ({{ service }}) está en riesgo: {{ text }} vence el "
            "{{ due }}.",
        ),
        _kind(
            "sla_breached",
            _l("A service level was breached"),
            "Vencida: solicitud {{ folio }}",
            "La solicitud {{ folio }} ({{ service }}) venció {{ text }}: {{ due }}.",
            "La solicitud {{ folio }} ({{ service }}) venció {{ text }}: {{ due }}.",
        ),
    )
}


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str


class MailTemplateError(ValueError):
    """A tenant's template does not compile or uses an unknown variable."""


_text_env = SandboxedEnvironment(autoescape=False, undefined=StrictUndefined)
_html_env = SandboxedEnvironment(autoescape=True, undefined=StrictUndefined)


def _sample_context() -> dict[str, str]:
    return {name: f"«{name}»" for name in VARIABLES}


def check(subject: str, text: str, html: str) -> None:
    """Compile and render with sample values; raise :class:`MailTemplateError` if it fails."""
    try:
        _render(subject, text, html, _sample_context())
    except TemplateError as exc:
        raise MailTemplateError(str(exc)) from None


def _render(subject: str, text: str, html: str, context: Mapping[str, Any]) -> RenderedMail:
    values = {name: context.get(name, "") for name in VARIABLES}
    rendered_subject = _text_env.from_string(subject).render(values)
    return RenderedMail(
        subject=" ".join(rendered_subject.split())[:300],
        text=_text_env.from_string(text).render(values),
        html=_html_env.from_string(html).render(values) if html else "",
    )


def template_for(tenant: Tenant, kind: str) -> tuple[str, str, str]:
    """The tenant's (subject, text, html) of ``kind``, or the built-in one."""
    row = db.session.scalar(
        select(MailTemplate).where(MailTemplate.tenant_id == tenant.id, MailTemplate.kind == kind)
    )
    if row is not None:
        return row.subject, row.text_body, row.html_body
    builtin = KINDS[kind]
    return builtin.subject, builtin.text, builtin.html


def render(tenant: Tenant, kind: str, context: Mapping[str, Any]) -> RenderedMail:
    """The e-mail of ``kind`` for this tenant; a broken tenant template falls back to the built-in.

    (A template is checked when saved; this guards against a variable renamed later.)
    """
    try:
        return _render(*template_for(tenant, kind), context)
    except TemplateError:
        builtin = KINDS[kind]
        return _render(builtin.subject, builtin.text, builtin.html, context)


def line(kind: str, context: Mapping[str, Any]) -> str:
    """The in-app line of ``kind`` with these values."""
    values = {name: context.get(name, "") for name in VARIABLES}
    return " ".join(_text_env.from_string(KINDS[kind].line).render(values).split())
