"""Notification e-mails (helpdesk/mail_templates.py): built-in Spanish wording, tenant templates,
the sandbox and the check that refuses a broken template, and notify() using them.
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import select

from helpdesk import mail_templates
from helpdesk import notifications
from helpdesk.extensions import db
from helpdesk.mail_templates import MailTemplateError
from helpdesk.models import MailTemplate
from helpdesk.models import Notification
from helpdesk.models import OutboxMessage
from helpdesk.models import Tenant
from helpdesk.models import Ticket
from helpdesk.models import User
from helpdesk.tenancy import ALL_TENANTS
from helpdesk.tenancy import scoped_to

ACCENTED = {
    "tenant": "Gobierno de Peñón",
    "recipient": "María Fernanda Núñez Peña",
    "folio": "CHALCO-P10-2026-000123",
    "service": "Diseño de imagen para campaña",
    "summary": "¿Cartel para el Año de la niñez?",
    "state": "En atención",
    "link": "https://mesa.example/chalco/solicitudes/CHALCO-P10-2026-000123",
    "reason": "Falta el oficio firmado por la titular",
    "text": "¿Podrían enviar el logotipo? Gracias, señora.",
    "due": "lunes 9 de marzo de 2026, 14:00",
    "author": "Ricardo Sánchez Flores",
}
BUILTIN_OK = [mail_templates.builtin(kind) for kind in mail_templates.KINDS]


@contextmanager
def in_tenant(app, slug="chalco"):
    with app.app_context():
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == slug))
        with scoped_to(tenant):
            yield tenant


def user(email):
    return db.session.scalar(
        select(User).where(User.email == email).execution_options(**{ALL_TENANTS: True})
    )


def save_template(app, kind, subject, text, html="", slug="chalco"):
    """A tenant's wording written straight into the database (no check)."""
    with in_tenant(app, slug) as tenant:
        db.session.add(
            MailTemplate(
                tenant_id=tenant.id, kind=kind, subject=subject, text_body=text, html_body=html
            )
        )
        db.session.commit()


def problem_of(subject="Asunto {{ folio }}", text="Texto {{ folio }}", html=""):
    with pytest.raises(MailTemplateError) as caught:
        mail_templates.check(subject, text, html)
    return caught.value


# --- the built-in wording ------------------------------------------------------------------


def test_every_kind_is_offered_to_requesters_or_staff():
    offered = set(mail_templates.REQUESTER_KINDS) | set(mail_templates.STAFF_KINDS)
    assert offered == set(mail_templates.KINDS)
    assert "comment_internal" not in mail_templates.REQUESTER_KINDS
    assert set(mail_templates.VARIABLE_HELP) == set(mail_templates.VARIABLES)


@pytest.mark.parametrize("kind", list(mail_templates.KINDS))
def test_every_builtin_kind_renders_in_spanish_with_accents_intact(demo, kind):
    with in_tenant(demo) as tenant:
        mail = mail_templates.render(tenant, kind, ACCENTED)
    assert ACCENTED["folio"] in mail.subject
    assert "\n" not in mail.subject and len(mail.subject) <= 300
    for body in (mail.text, mail.html):
        assert ACCENTED["folio"] in body
        assert "Gobierno de Peñón" in body  # the footer names the tenant
        assert ACCENTED["link"] in body
        assert "Ã" not in body and "&#" not in body  # no mojibake, no entity for ñ á ¿
    assert "{{" not in mail.text + mail.html + mail.subject
    # Values with ñ, á and ¿ come out as they went in, in the text and the HTML.
    uses = " ".join(mail_templates.builtin(kind))
    for name in ("service", "summary", "text", "reason", "recipient", "author"):
        if "{{ " + name + " }}" in uses:
            assert ACCENTED[name] in mail.text
            assert ACCENTED[name] in mail.html
    assert mail.html.startswith("<p>") and "</a>" in mail.html


def test_builtin_wording_keeps_its_own_accents(demo):
    with in_tenant(demo) as tenant:
        received = mail_templates.render(tenant, "ticket_received", ACCENTED)
        waiting = mail_templates.render(tenant, "action_requested", ACCENTED)
        changed = mail_templates.render(tenant, "state_changed", ACCENTED)
    assert received.text.startswith("Llegó la solicitud CHALCO-P10-2026-000123")
    assert "está en la etapa «En atención»" in waiting.text
    assert "está en la etapa «En atención»" in waiting.html
    assert changed.subject == "Su solicitud CHALCO-P10-2026-000123: En atención"
    assert "¿Podrían enviar el logotipo? Gracias, señora." in waiting.text


def test_the_sample_request_looks_real_and_spanish(demo):
    with in_tenant(demo) as tenant:
        values = mail_templates.sample_context(tenant, "ticket_filed")
        staff = mail_templates.sample_context(tenant, "sla_breached")
        mail = mail_templates.preview(
            tenant, "ticket_filed", *mail_templates.builtin("ticket_filed")
        )
    assert values["tenant"] == "Gobierno de Chalco"
    assert values["folio"].startswith("CHALCO-P10-")
    assert "/chalco/solicitudes/" in values["link"] and "/mesa/" in staff["link"]
    assert staff["text"] == "el plazo para atender"
    assert set(values) == set(mail_templates.VARIABLES)
    assert "María Fernanda Núñez Peña" in mail.text
    assert "¿Podrían" in values["text"] and "Diseño" in values["service"]


# --- the check ---------------------------------------------------------------------------


@pytest.mark.parametrize("subject, text, html", BUILTIN_OK)
def test_the_builtin_templates_pass_the_check(subject, text, html):
    assert mail_templates.problems(subject, text, html) == []
    mail_templates.check(subject, text, html)


def test_a_syntax_error_is_refused_with_its_line():
    error = problem_of(text="Hola\n{{ folio }\nAdiós")
    assert (error.part, error.problem, error.line) == ("text", "syntax", 2)
    assert error.detail
    assert problem_of(subject="{% if folio %}sin cierre").problem == "syntax"
    assert problem_of(html="<p>{{ folio </p>").part == "html"


def test_an_unknown_variable_is_refused_and_named():
    error = problem_of(text="Hola {{ nombre }}, su folio {{ folio }} ({{ servicio }})")
    assert (error.part, error.problem) == ("text", "unknown_variable")
    assert error.detail == "nombre, servicio"
    assert problem_of(subject="{{ range(3) }}").detail == "range"
    assert problem_of(html="{{ self }}").detail == "self"
    assert problem_of(html="{% if estado %}x{% endif %}").detail == "estado"


def test_set_variables_and_filters_are_allowed():
    mail_templates.check(
        "{{ folio|upper }}",
        "{% set saludo = 'Estimada persona' %}{{ saludo }}: {{ summary|truncate(20) }}",
        "<p>{{ text|default('sin texto', true) }}</p>",
    )


@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ folio.__class__.__mro__[1].__subclasses__() }}",
        "{{ text|attr('__class__') }}",
        "{{ '{0.__class__}'.format(folio) }}",
        "{{ folio.upper.__globals__ }}",
    ],
)
def test_a_sandbox_escape_is_refused(source):
    error = problem_of(text=source)
    assert error.problem in ("unsafe", "render")
    assert "__class__" in error.detail or "__globals__" in error.detail


def test_a_sandbox_escape_stored_anyway_renders_harmlessly(demo):
    """A row written behind the check's back falls back to the built-in wording."""
    save_template(demo, "ticket_filed", "{{ ''.__class__.__mro__ }}", "{{ self.__init__ }}")
    with in_tenant(demo) as tenant:
        mail = mail_templates.render(tenant, "ticket_filed", ACCENTED)
    assert mail.subject == "Solicitud recibida: folio CHALCO-P10-2026-000123"
    assert "object" not in mail.text and "class" not in mail.text


@pytest.mark.parametrize(
    "source, tag",
    [
        ("{% include 'base.html' %}", "include"),
        ("{% extends 'base.html' %}", "extends"),
        ("{% import 'x.html' as x %}", "import"),
        ("{% for c in text %}{{ c }}{% endfor %}", "for"),
        ("{% macro m() %}x{% endmacro %}", "macro"),
        ("{% autoescape false %}{{ text }}{% endautoescape %}", "autoescape"),
    ],
)
def test_tags_that_cannot_work_or_repeat_are_refused(source, tag):
    error = problem_of(html=source)
    assert (error.part, error.problem, error.detail) == ("html", "forbidden_tag", tag)


def test_the_safe_filter_is_refused():
    error = problem_of(html="<p>{{ text|safe }}</p>")
    assert (error.problem, error.detail) == ("forbidden_filter", "safe")


def test_a_template_failing_when_filled_in_is_refused_not_raised():
    error = problem_of(text="{{ folio + 1 }}")
    assert error.problem == "render" and "TypeError" in error.detail
    # Fails only when a value is empty (a step without reason): also refused.
    assert problem_of(text="{{ reason[0] }}").problem == "render"


def test_every_problem_is_reported_by_part():
    found = mail_templates.problems("{{ asunto }}", "{{ folio }", "{{ text|safe }}")
    assert [(e.part, e.problem) for e in found] == [
        ("subject", "unknown_variable"),
        ("text", "syntax"),
        ("html", "forbidden_filter"),
    ]


# --- escaping ----------------------------------------------------------------------------


def test_the_html_body_escapes_values_and_the_text_body_does_not(demo):
    save_template(
        demo,
        "comment_public",
        "Comentario {{ folio }}: {{ text }}",
        "{{ author }} escribió: {{ text }}",
        "<p>{{ author }} escribió:</p><blockquote>{{ text }}</blockquote>"
        '<a href="{{ link }}">Ver</a>',
    )
    values = {**ACCENTED, "text": "<script>alert('¡hola!')</script>", "author": "Ana & Cía"}
    with in_tenant(demo) as tenant:
        mail = mail_templates.render(tenant, "comment_public", values)
        builtin = mail_templates._render(*mail_templates.builtin("comment_public"), values)
    assert "<script>" not in mail.html
    assert "&lt;script&gt;alert(&#39;¡hola!&#39;)&lt;/script&gt;" in mail.html
    assert "Ana &amp; Cía escribió" in mail.html
    assert "<blockquote>" in mail.html  # the admin's own markup is kept
    assert mail.text == "Ana & Cía escribió: <script>alert('¡hola!')</script>"
    assert "<script>" not in builtin.html and "&lt;script&gt;" in builtin.html


def test_preview_renders_the_sample_request_and_escapes(demo):
    with in_tenant(demo) as tenant:
        mail = mail_templates.preview(
            tenant,
            "comment_public",
            "Nuevo comentario {{ folio }}",
            "{{ author }}: {{ text }}",
            "<p>{{ text }}</p>",
        )
    assert mail.text == (
        "Ricardo Sánchez Flores: ¿Podrían enviarnos el logotipo en alta resolución? Gracias."
    )
    assert mail.html == "<p>¿Podrían enviarnos el logotipo en alta resolución? Gracias.</p>"
    assert mail.subject.startswith("Nuevo comentario CHALCO-P10-")


# --- tenants' templates and notify() -----------------------------------------------------


def _outbox_of(email, kind):
    return db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.recipient == email, OutboxMessage.kind == kind)
        .execution_options(**{ALL_TENANTS: True})
    ).all()


def test_notify_uses_the_tenants_template_and_other_tenants_keep_the_builtin(demo, make_ticket):
    save_template(
        demo,
        "comment_public",
        "{{ tenant }} · nuevo comentario en {{ folio }}",
        "Hola, {{ recipient }}.\n\n{{ author }} escribió: «{{ text }}»\n\n{{ link }}",
        "<h1>{{ folio }}</h1><p>{{ text }}</p>",
    )
    chalco_id = make_ticket("SAMPLE-01")
    sinaloa_id = make_ticket("SAMPLE-01", tenant="sinaloa")
    context = {"text": "¿Ya está el diseño? <b>urge</b>", "author": "Ricardo Sánchez Flores"}
    with in_tenant(demo):
        ticket = db.session.get(Ticket, chalco_id)
        requester = user("solicitante@chalco.example")
        rows = notifications.notify(
            [requester], kind="comment_public", ticket=ticket, context=context
        )
        assert len(rows) == 1
        (message,) = _outbox_of(requester.email, "comment_public")
        assert message.subject == f"Gobierno de Chalco · nuevo comentario en {ticket.folio}"
        assert message.text_body.startswith(f"Hola, {requester.name}.\n\n")
        assert "Ricardo Sánchez Flores escribió: «¿Ya está el diseño? <b>urge</b>»" in (
            message.text_body
        )
        assert f"/chalco/solicitudes/{ticket.folio}" in message.text_body
        assert message.html_body == (
            f"<h1>{ticket.folio}</h1><p>¿Ya está el diseño? &lt;b&gt;urge&lt;/b&gt;</p>"
        )
        assert message.notification_id == rows[0].id
        # The in-app line keeps the built-in wording.
        assert rows[0].message == f"Nuevo comentario en la solicitud {ticket.folio}"
        db.session.rollback()
    with in_tenant(demo, "sinaloa"):
        ticket = db.session.get(Ticket, sinaloa_id)
        requester = user("solicitante@sinaloa.example")
        notifications.notify([requester], kind="comment_public", ticket=ticket, context=context)
        (message,) = _outbox_of(requester.email, "comment_public")
        assert message.subject == f"Nuevo comentario en la solicitud {ticket.folio}"
        assert "Ricardo Sánchez Flores comentó en la solicitud" in message.text_body
        assert "&lt;b&gt;urge&lt;/b&gt;" in message.html_body
        db.session.rollback()


def test_a_broken_stored_template_falls_back_to_the_builtin(demo, make_ticket):
    save_template(demo, "comment_public", "{{ asunto }}", "{{ folio + 1 }}", "<p>{{ text[0] }}</p>")
    ticket_id = make_ticket("SAMPLE-01")
    with in_tenant(demo):
        ticket = db.session.get(Ticket, ticket_id)
        requester = user("solicitante@chalco.example")
        notifications.notify([requester], kind="comment_public", ticket=ticket)
        (message,) = _outbox_of(requester.email, "comment_public")
        assert message.subject == f"Nuevo comentario en la solicitud {ticket.folio}"
        notice = db.session.scalars(
            select(Notification).where(Notification.kind == "comment_public")
        ).one()
        assert notice.user_id == requester.id
        db.session.rollback()


def test_kinds_for_staff_and_requesters(demo):
    with demo.app_context():
        requester = mail_templates.kinds_for(user("solicitante@chalco.example"))
        agent = mail_templates.kinds_for(user("tecnico@chalco.example"))
        superadmin = mail_templates.kinds_for(user("superadmin@mesa.example"))
    assert requester == [k for k in mail_templates.KINDS if k in mail_templates.REQUESTER_KINDS]
    assert agent == [k for k in mail_templates.KINDS if k in mail_templates.STAFF_KINDS]
    assert superadmin == agent
    assert "ticket_filed" in requester and "ticket_filed" not in agent
    assert "comment_internal" in agent and "comment_internal" not in requester


@pytest.mark.parametrize(
    "source", ["{{ 'x' * 10**9 }}", "{{ folio * 100000 }}", "{{ 2 ** 100000 }}"]
)
def test_templates_cannot_build_huge_values(source):
    with pytest.raises(mail_templates.MailTemplateError):
        mail_templates.check(source, "Texto", "")


# --- required variables: the survey's link ------------------------------------------------

SURVEY_KINDS = ("state_changed", "ticket_concluded", "survey_reminder")
SURVEY_LINK = "https://mesa.example/chalco/encuesta/EjemploDeEnlaceDeEncuesta-0123456789abcdefgh"


def test_the_kinds_carrying_the_survey_link_require_it_in_both_bodies():
    requiring = {kind for kind, spec in mail_templates.KINDS.items() if spec.required}
    assert requiring == set(SURVEY_KINDS)
    for kind in SURVEY_KINDS:
        assert mail_templates.KINDS[kind].required == ("survey_link",)
        # Where the built-in wording puts it: the bodies, not the subject.
        assert mail_templates.required_parts(kind) == {
            "text": ("survey_link",),
            "html": ("survey_link",),
        }
    assert mail_templates.required_parts("comment_public") == {}
    for spec in mail_templates.KINDS.values():
        assert set(spec.required) <= set(mail_templates.VARIABLES)


@pytest.mark.parametrize("kind", list(mail_templates.KINDS))
def test_every_builtin_template_passes_the_check_of_its_kind(kind):
    assert mail_templates.problems(*mail_templates.builtin(kind), kind=kind) == []


@pytest.mark.parametrize("kind", SURVEY_KINDS)
@pytest.mark.parametrize(
    "text",
    [
        "Conteste la encuesta, por favor.",
        "{# {{ survey_link }} #}Conteste la encuesta, por favor.",  # a comment is not a use
        "{% set survey_link = '' %}Conteste la encuesta{{ survey_link }}.",  # nor its own value
        "Conteste la encuesta en survey_link.",
    ],
)
def test_a_body_without_the_survey_link_is_refused_for_its_kind(kind, text):
    with pytest.raises(MailTemplateError) as caught:
        mail_templates.check("Encuesta {{ folio }}", text, "", kind=kind)
    error = caught.value
    assert (error.part, error.problem, error.detail) == ("text", "missing_variable", "survey_link")
    # Without a kind (or for another kind) only the shared rules apply.
    mail_templates.check("Encuesta {{ folio }}", text, "")
    mail_templates.check("Encuesta {{ folio }}", text, "", kind="comment_public")


@pytest.mark.parametrize(
    "text",
    [
        "Conteste: {{ survey_link }}",
        "Gracias.{% if survey_link %} Conteste: {{ survey_link }}{% endif %}",
        "{% if survey_link %}Tiene una encuesta pendiente.{% endif %}",
        "Conteste: {{ survey_link|trim }}",
    ],
)
def test_a_body_using_the_survey_link_passes(text):
    assert mail_templates.problems("Asunto {{ folio }}", text, "", kind="survey_reminder") == []


def test_the_html_body_needs_the_link_too_when_there_is_one():
    found = mail_templates.problems(
        "Asunto",
        "Conteste: {{ survey_link }}",
        "<p>Conteste la encuesta.</p>",
        kind="state_changed",
    )
    assert [(e.part, e.problem, e.detail) for e in found] == [
        ("html", "missing_variable", "survey_link")
    ]
    # Only the subject lacking it is fine (the built-in subject has none).
    both = "<p>{{ survey_link }}</p>"
    assert mail_templates.problems("Asunto", "{{ survey_link }}", both, kind="state_changed") == []


def test_other_problems_come_before_the_missing_link():
    (error,) = mail_templates.problems("Asunto", "{{ nombre }}", "", kind="survey_reminder")
    assert error.problem == "unknown_variable"


def test_preview_refuses_a_template_without_the_link(demo):
    with in_tenant(demo) as tenant:
        with pytest.raises(MailTemplateError) as caught:
            mail_templates.preview(tenant, "ticket_concluded", "Asunto", "Concluida.", "")
        assert caught.value.problem == "missing_variable"
        mail = mail_templates.preview(tenant, "ticket_concluded", "Asunto", "{{ survey_link }}", "")
    assert "/chalco/encuesta/" in mail.text


def test_a_stored_template_without_the_link_falls_back_to_the_builtin(demo, caplog):
    """A row saved before the link was required (or behind the check's back) is not used."""
    save_template(demo, "survey_reminder", "Encuesta {{ folio }}", "Conteste, por favor.")
    save_template(
        demo, "ticket_concluded", "Concluida {{ folio }}", "Liga: {{ survey_link }}", "<p>Hola</p>"
    )
    save_template(demo, "state_changed", "Etapa {{ folio }}", "Liga: {{ survey_link }}")
    context = {**ACCENTED, "survey_link": SURVEY_LINK, "survey_until": "lunes 23 de marzo"}
    with in_tenant(demo) as tenant:
        reminder = mail_templates.render(tenant, "survey_reminder", context)
        concluded = mail_templates.render(tenant, "ticket_concluded", context)
        changed = mail_templates.render(tenant, "state_changed", context)
    assert reminder.subject.startswith("Recordatorio: encuesta de satisfacción")
    assert SURVEY_LINK in reminder.text and f'href="{SURVEY_LINK}"' in reminder.html
    assert concluded.subject == "Solicitud CHALCO-P10-2026-000123 concluida"  # its HTML lacked it
    assert SURVEY_LINK in concluded.html
    assert changed.subject == "Etapa CHALCO-P10-2026-000123"  # complete: the tenant's own
    assert changed.text == f"Liga: {SURVEY_LINK}" and changed.html == ""
    warned = [r.getMessage() for r in caplog.records if "lacks survey_link" in r.getMessage()]
    assert warned == [
        "mail template survey_reminder of tenant chalco lacks survey_link in its text; "
        "using the built-in one",
        "mail template ticket_concluded of tenant chalco lacks survey_link in its html; "
        "using the built-in one",
    ]
