"""The e-mail of each notification kind: built-in Spanish wording, tenant overrides.

Templates are Jinja, rendered in a sandbox (a tenant admin writes them), the
HTML part autoescaped. Every kind receives the same variables, listed in
:data:`VARIABLES`, so an admin's template can use any of them, and no other
name: :func:`check` refuses a template that does not compile, names an unknown
variable, uses a tag that cannot work here (include, for...) or the ``safe``
filter, or fails when filled in. A kind may also *require* variables
(:attr:`MailKind.required`): the survey's link in the e-mails that carry it, so
that a tenant's wording cannot drop it. :func:`render` still falls back to the
built-in wording if a stored template fails or lacks a required variable, so a
notice is never lost.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from jinja2 import StrictUndefined
from jinja2 import TemplateError
from jinja2 import meta
from jinja2 import nodes
from jinja2.exceptions import SecurityError
from jinja2.exceptions import TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment
from sqlalchemy import select

from helpdesk import folios
from helpdesk.extensions import db
from helpdesk.models import MailTemplate
from helpdesk.models import Tenant
from helpdesk.models import User

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
    "survey_link",
    "survey_until",
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
    # Variables a tenant's template must use (a condition such as
    # ``{% if survey_link %}`` counts), in the parts where the built-in wording
    # uses them; the HTML part only when the template has one. See :func:`required_parts`.
    required: tuple[str, ...] = ()


def _kind(
    kind: str,
    label: Any,
    subject: str,
    body: str,
    line: str = "",
    *,
    required: tuple[str, ...] = (),
) -> MailKind:
    html = "".join(f"<p>{part}</p>" for part in body.split("\n\n"))
    # The survey's address is a link in the HTML part (issue 7).
    html = html.replace("{{ survey_link }}", '<a href="{{ survey_link }}">{{ survey_link }}</a>')
    return MailKind(
        kind,
        label,
        subject,
        body + _FOOTER_TEXT,
        html + _FOOTER_HTML,
        line or subject,
        required,
    )


# Added to the requester's notice of the step that concluded the request (issue 7).
_SURVEY_PARAGRAPH = (
    "{% if survey_link %}\n\n¿Cómo le atendimos? Conteste la encuesta de satisfacción (tres "
    "opciones, un minuto) hasta el {{ survey_until }}: {{ survey_link }}{% endif %}"
)

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
            "«{{ state }}».{% if reason %}\n\nMotivo: {{ reason }}{% endif %}" + _SURVEY_PARAGRAPH,
            required=("survey_link",),
        ),
        _kind(
            "ticket_updated",
            _l("The requester took a step"),
            "Solicitud {{ folio }}: {{ state }}",
            "La solicitud {{ folio }} ({{ service }}) pasó a la etapa «{{ state }}» por una "
            "acción de {{ author }}.{% if reason %}\n\nMotivo: {{ reason }}{% endif %}",
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
            "{% if text %}\n\n{{ text }}{% endif %}" + _SURVEY_PARAGRAPH,
            required=("survey_link",),
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
        _kind(
            "survey_reminder",
            _l("Reminder to answer the satisfaction survey"),
            "Recordatorio: encuesta de satisfacción de su solicitud {{ folio }}",
            "{{ recipient }}:\n\nSu solicitud {{ folio }} ({{ service }}) fue concluida y aún no "
            "conocemos su opinión. Conteste la encuesta de satisfacción (tres opciones, un minuto) "
            "hasta el {{ survey_until }}: {{ survey_link }}",
            "Conteste la encuesta de satisfacción de su solicitud {{ folio }} hasta el "
            "{{ survey_until }}.",
            required=("survey_link",),
        ),
        _kind(
            "survey_unsatisfied",
            _l("A requester was unsatisfied with a concluded request"),
            "Encuesta: solicitante insatisfecho con la solicitud {{ folio }}",
            "{{ author }} contestó «Insatisfecho» en la encuesta de satisfacción de la solicitud "
            "{{ folio }} ({{ service }}).{% if text %}\n\nComentario: {{ text }}{% endif %}"
            "\n\nRegistre el seguimiento en: {{ survey_link }}",
            "{{ author }} quedó insatisfecho con la solicitud {{ folio }} ({{ service }}).",
        ),
    )
}


# Who may receive each kind, so a person is offered the choices that concern them.
REQUESTER_KINDS = (
    "ticket_filed",
    "completion_requested",
    "action_requested",
    "state_changed",
    "ticket_concluded",
    "ticket_rejected",
    "comment_public",
    "survey_reminder",
)
STAFF_KINDS = (
    "ticket_received",
    "ticket_turned",
    "ticket_assigned",
    "ticket_updated",
    "comment_public",
    "comment_internal",
    "sla_at_risk",
    "sla_breached",
    "survey_unsatisfied",
)

# What each variable holds, shown to the admin editing a template.
VARIABLE_HELP: dict[str, Any] = {
    "tenant": _l("The government's name"),
    "recipient": _l("The name of the person receiving the e-mail"),
    "folio": _l("The request's folio"),
    "service": _l("The name of the requested service"),
    "summary": _l("The request's summary"),
    "state": _l("The stage the request is in, as the recipient sees it"),
    "link": _l("The address of the request's page"),
    "reason": _l("The reason given for the step (empty when there is none)"),
    "text": _l(
        "The comment or message of the step; in service-level notices, the deadline "
        "(empty when there is none)"
    ),
    "due": _l("When the deadline falls due (service-level notices)"),
    "author": _l("Who wrote the comment or took the step"),
    "survey_link": _l(
        "The address of the satisfaction survey, once the request is concluded (in the "
        "unsatisfied-answer notice, the survey follow-up list)"
    ),
    "survey_until": _l("Until when the satisfaction survey can be answered"),
}

# Values of a real-looking request, for the preview an admin sees of a template.
SAMPLE_VALUES: dict[str, str] = {
    "recipient": "María Fernanda Núñez Peña",
    "service": "Diseño de imagen para campaña de difusión",
    "summary": "Cartel y banners para la campaña «Año de la niñez»",
    "state": "En atención",
    "reason": "Falta el oficio de petición firmado por la titular del área.",
    "text": "¿Podrían enviarnos el logotipo en alta resolución? Gracias.",
    "due": "lunes 9 de marzo de 2026, 14:00",
    "author": "Ricardo Sánchez Flores",
    "survey_until": "lunes 23 de marzo de 2026, 10:30",
}
_SAMPLE_TOKEN = "EjemploDeEnlaceDeEncuesta-0123456789abcdefgh"  # the shape of a real token
_SAMPLE_TARGET = "el plazo para atender"  # what ``text`` holds in service-level notices

# Tags a mail template may not use: they need other templates (which mail
# templates cannot reach) or repeat output, which no e-mail needs.
FORBIDDEN_TAGS: dict[type[nodes.Node], str] = {
    nodes.Extends: "extends",
    nodes.Include: "include",
    nodes.Import: "import",
    nodes.FromImport: "from",
    nodes.For: "for",
    nodes.Macro: "macro",
    nodes.CallBlock: "call",
    nodes.EvalContextModifier: "autoescape",
}
# Filters that would print a value unescaped in the HTML body.
FORBIDDEN_FILTERS = frozenset({"safe"})


def kinds_for(user: User) -> list[str]:
    """The kinds this person may receive, in the order of :data:`KINDS`."""
    wanted: set[str] = set()
    if user.is_staff:
        wanted.update(STAFF_KINDS)
    if "requester" in user.roles or not user.is_staff:
        wanted.update(REQUESTER_KINDS)
    return [kind for kind in KINDS if kind in wanted]


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str


class MailTemplateError(ValueError):
    """A tenant's template does not compile, uses an unknown variable or fails when filled in.

    ``part`` is "subject", "text" or "html"; ``problem`` one of "syntax",
    "unknown_variable", "missing_variable" (a variable the kind requires, see
    :attr:`MailKind.required`), "forbidden_tag", "forbidden_filter", "unsafe" or
    "render"; ``detail`` names what is wrong (the variable, the tag, Jinja's
    message); ``line`` is the template line when known.
    """

    def __init__(self, part: str, problem: str, detail: str = "", line: int | None = None) -> None:
        where = f"{part}, line {line}" if line else part
        super().__init__(f"{where}: {problem}: {detail}" if detail else f"{where}: {problem}")
        self.part = part
        self.problem = problem
        self.detail = detail
        self.line = line


# A template may not build huge values ('x' * 10**9): the sandbox caps them.
MAX_REPEAT = 10_000


class _MailSandbox(SandboxedEnvironment):
    intercepted_binops = frozenset(["*", "**"])

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int) and abs(right) > 64:
            raise SecurityError("exponent too large in a mail template")
        if operator == "*" and any(isinstance(side, str | list | tuple) for side in (left, right)):
            count = right if isinstance(right, int) else left
            if isinstance(count, int) and count > MAX_REPEAT:
                raise SecurityError("repetition too large in a mail template")
        return super().call_binop(context, operator, left, right)


def _environment(*, autoescape: bool) -> SandboxedEnvironment:
    env = _MailSandbox(autoescape=autoescape, undefined=StrictUndefined)
    # No range(), lipsum(), dict()...: a template sees only the listed variables.
    env.globals.clear()
    for name in FORBIDDEN_FILTERS:
        env.filters.pop(name, None)
    return env


_text_env = _environment(autoescape=False)
_html_env = _environment(autoescape=True)


def _sample_context() -> dict[str, str]:
    return {name: f"«{name}»" for name in VARIABLES}


def sample_context(tenant: Tenant, kind: str | None = None) -> dict[str, str]:
    """The values of a real-looking request of ``tenant``, in Spanish, for ``kind``."""
    folio = folios.format_folio(
        folios.DEFAULT_PATTERN, tenant=tenant.slug, service="P10", year=date.today().year, seq=123
    )
    staff_only = kind is not None and kind in STAFF_KINDS and kind not in REQUESTER_KINDS
    path = current_app.url_map.bind("").build(
        "desk.ticket" if staff_only else "requests.show", {"tenant": tenant.slug, "folio": folio}
    )
    survey_path = current_app.url_map.bind("").build(
        "surveys.follow_up" if staff_only else "surveys.answer",
        {"tenant": tenant.slug} if staff_only else {"tenant": tenant.slug, "token": _SAMPLE_TOKEN},
    )
    values = {
        **SAMPLE_VALUES,
        "tenant": tenant.name,
        "folio": folio,
        "link": current_app.config["HELPDESK_BASE_URL"] + path,
        "survey_link": current_app.config["HELPDESK_BASE_URL"] + survey_path,
    }
    if kind in ("sla_at_risk", "sla_breached"):
        values["text"] = _SAMPLE_TARGET
    return values


def required_parts(kind: str) -> dict[str, tuple[str, ...]]:
    """{part: variables} a tenant's template of ``kind`` must use.

    A variable of :attr:`MailKind.required` is required in each part ("subject",
    "text", "html") whose built-in wording uses it: the survey's link in the
    bodies, not in the subject.
    """
    return dict(_required_parts(kind))


@cache
def _required_parts(kind: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    spec = KINDS[kind]
    found = []
    for part, source in zip(("subject", "text", "html"), builtin(kind), strict=True):
        used = meta.find_undeclared_variables(_text_env.parse(source)) if spec.required else ()
        names = tuple(name for name in spec.required if name in used)
        if names:
            found.append((part, names))
    return tuple(found)


def _problems_of(
    part: str, source: str, env: SandboxedEnvironment, required: tuple[str, ...] = ()
) -> list[MailTemplateError]:
    try:
        tree = env.parse(source)
    except TemplateSyntaxError as exc:
        return [MailTemplateError(part, "syntax", exc.message or "", exc.lineno)]
    found: list[MailTemplateError] = []
    for node_type, tag in FORBIDDEN_TAGS.items():
        node = next(tree.find_all(node_type), None)
        if node is not None:
            found.append(MailTemplateError(part, "forbidden_tag", tag, node.lineno))
    for node in tree.find_all(nodes.Filter):
        if node.name in FORBIDDEN_FILTERS:
            found.append(MailTemplateError(part, "forbidden_filter", node.name, node.lineno))
    if found:
        return found
    try:
        names = set(meta.find_undeclared_variables(tree))
    except TemplateSyntaxError as exc:  # compiling found an unknown filter or test
        return [MailTemplateError(part, "syntax", exc.message or "", exc.lineno)]
    names.update(node.name for node in tree.find_all(nodes.Name) if node.name == "self")
    unknown = sorted(names - set(VARIABLES))
    if unknown:
        return [MailTemplateError(part, "unknown_variable", ", ".join(unknown))]
    try:
        template = env.from_string(source)
        # Filled in twice: with a placeholder in every variable, and with every
        # value empty (a step without reason, comment or deadline).
        template.render(_sample_context())
        template.render(dict.fromkeys(VARIABLES, ""))
    except SecurityError as exc:
        return [MailTemplateError(part, "unsafe", str(exc))]
    except TemplateError as exc:
        return [MailTemplateError(part, "render", str(exc), getattr(exc, "lineno", None))]
    except Exception as exc:  # noqa: BLE001 - any failure of an admin's template is refused
        return [MailTemplateError(part, "render", f"{type(exc).__name__}: {exc}")]
    # Parsed, not searched: ``{% if survey_link %}`` uses it, a comment naming it does not.
    return [
        MailTemplateError(part, "missing_variable", name) for name in required if name not in names
    ]


def problems(
    subject: str, text: str, html: str, *, kind: str | None = None
) -> list[MailTemplateError]:
    """Everything wrong with these templates (empty when they may be saved).

    With ``kind``, also the variables that kind requires and the templates lack.
    """
    required = required_parts(kind) if kind is not None else {}
    found = _problems_of("subject", subject, _text_env, required.get("subject", ()))
    found += _problems_of("text", text, _text_env, required.get("text", ()))
    if html:
        found += _problems_of("html", html, _html_env, required.get("html", ()))
    return found


def check(subject: str, text: str, html: str, *, kind: str | None = None) -> None:
    """Compile and render with sample values; raise :class:`MailTemplateError` if it fails.

    With ``kind``, a template lacking a variable the kind requires fails too.
    """
    found = problems(subject, text, html, kind=kind)
    if found:
        raise found[0]


def lacks_required(kind: str, subject: str, text: str, html: str) -> list[str]:
    """The parts of these (compiling) templates lacking a variable ``kind`` requires."""
    required = required_parts(kind)
    lacking = []
    for part, source in (("subject", subject), ("text", text), ("html", html)):
        names = required.get(part, ())
        if names and (part != "html" or source):
            used = meta.find_undeclared_variables(_text_env.parse(source))
            if any(name not in used for name in names):
                lacking.append(part)
    return lacking


def _render(subject: str, text: str, html: str, context: Mapping[str, Any]) -> RenderedMail:
    values = {name: context.get(name, "") for name in VARIABLES}
    rendered_subject = _text_env.from_string(subject).render(values)
    return RenderedMail(
        subject=" ".join(rendered_subject.split())[:300],
        text=_text_env.from_string(text).render(values),
        html=_html_env.from_string(html).render(values) if html else "",
    )


def preview(tenant: Tenant, kind: str, subject: str, text: str, html: str) -> RenderedMail:
    """These templates filled in with the sample request; raises :class:`MailTemplateError`.

    Refused as on saving, including a variable ``kind`` requires and the templates lack.
    """
    check(subject, text, html, kind=kind)
    values = sample_context(tenant, kind)
    rendered = {}
    for part, source, env in (
        ("subject", subject, _text_env),
        ("text", text, _text_env),
        ("html", html, _html_env),
    ):
        try:
            rendered[part] = env.from_string(source).render(values) if source else ""
        except Exception as exc:  # noqa: BLE001 - shown to the admin, never raised further
            raise MailTemplateError(part, "render", f"{type(exc).__name__}: {exc}") from None
    return RenderedMail(
        subject=" ".join(rendered["subject"].split())[:300],
        text=rendered["text"],
        html=rendered["html"],
    )


def builtin(kind: str) -> tuple[str, str, str]:
    """The built-in (subject, text, html) of ``kind``."""
    found = KINDS[kind]
    return found.subject, found.text, found.html


def custom_template(tenant: Tenant, kind: str) -> MailTemplate | None:
    """The tenant's own wording of ``kind``, if it has one."""
    return db.session.scalar(
        select(MailTemplate).where(MailTemplate.tenant_id == tenant.id, MailTemplate.kind == kind)
    )


def template_for(tenant: Tenant, kind: str) -> tuple[str, str, str]:
    """The tenant's (subject, text, html) of ``kind``, or the built-in one."""
    row = custom_template(tenant, kind)
    if row is not None:
        return row.subject, row.text_body, row.html_body
    return builtin(kind)


def render(tenant: Tenant, kind: str, context: Mapping[str, Any]) -> RenderedMail:
    """The e-mail of ``kind`` for this tenant; a broken tenant template falls back to the built-in.

    (A template is checked when saved; this guards against a variable renamed
    later, a value that makes it fail which the check's samples did not, or a
    template saved before its kind required a variable: a survey reminder
    without the survey's link would remind of nothing.)
    """
    try:
        templates = template_for(tenant, kind)
        lacking = lacks_required(kind, *templates)
        if lacking:
            current_app.logger.warning(
                "mail template %s of tenant %s lacks %s in its %s; using the built-in one",
                kind,
                tenant.slug,
                ", ".join(KINDS[kind].required),
                ", ".join(lacking),
            )
            return _render(*builtin(kind), context)
        return _render(*templates, context)
    except Exception:  # noqa: BLE001 - a tenant's template must never stop a notification
        current_app.logger.warning(
            "mail template %s of tenant %s failed; using the built-in one",
            kind,
            tenant.slug,
            exc_info=True,
        )
        return _render(*builtin(kind), context)


def line(kind: str, context: Mapping[str, Any]) -> str:
    """The in-app line of ``kind`` with these values."""
    values = {name: context.get(name, "") for name in VARIABLES}
    return " ".join(_text_env.from_string(KINDS[kind].line).render(values).split())
