"""The tenant's notification e-mails page (helpdesk/views/admin/mail_templates.py).

Pages are read in English (the msgids), so the assertions hold whatever the
Spanish catalog says; the e-mails themselves are Spanish.
"""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from helpdesk import mail_templates
from helpdesk.extensions import db
from helpdesk.models import MailTemplate
from helpdesk.models import Tenant
from helpdesk.testing import Browser

LIST = "/chalco/admin/mail"
KIND = "comment_public"
EDIT = f"/chalco/admin/mail/{KIND}"
RESTORE = f"/chalco/admin/mail/{KIND}/restore"
GOOD = {
    "subject": "{{ tenant }}: comentario en {{ folio }}",
    "text_body": "Hola, {{ recipient }}.\r\n\r\n{{ author }} escribió: {{ text }}\r\n{{ link }}",
    "html_body": "<p>Hola, {{ recipient }}.</p><blockquote>{{ text }}</blockquote>",
}


# --- helpers ------------------------------------------------------------------------------


def admin(login_as, role="tenant_admin", tenant="chalco"):
    """A signed-in browser reading the pages in English."""
    browser = login_as(role, tenant=tenant)
    browser.post("/idioma", {"locale": "en", "next": "/"})
    return browser


def html_of(response):
    return response.get_data(as_text=True)


def stored(app, slug="chalco"):
    """{kind: (subject, text, html)} of the tenant's own templates."""
    with app.app_context():
        rows = db.session.scalars(
            select(MailTemplate)
            .join(Tenant, Tenant.id == MailTemplate.tenant_id)
            .where(Tenant.slug == slug)
        )
        return {row.kind: (row.subject, row.text_body, row.html_body) for row in rows}


def save(browser, data=GOOD, url=EDIT, action="save"):
    browser.get(url)
    return browser.post(url, {**data, "action": action})


def errors_of(page):
    return [html.unescape(e) for e in re.findall(r'<p class="error" role="alert">(.*?)</p>', page)]


def preview_of(page):
    found = re.search(r'<section id="preview">(.*?)</section>', page, re.S)
    return found.group(1) if found else None


# --- who may enter ------------------------------------------------------------------------


@pytest.mark.parametrize("url", [LIST, EDIT])
@pytest.mark.parametrize(
    "role, status",
    [
        (None, 302),
        ("requester", 403),
        ("coordinator", 403),
        ("agent", 403),
        ("tenant_admin", 200),
        ("superadmin", 200),
    ],
)
def test_the_pages_check_the_role(login_as, demo, url, role, status):
    browser = login_as(role) if role else Browser(demo.test_client())
    response = browser.get(url)
    assert response.status_code == status, html_of(response)[:300]
    if role is None:
        assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("role, status", [(None, 302), ("requester", 403), ("agent", 403)])
def test_changes_need_the_admin_role(login_as, demo, role, status):
    browser = login_as(role) if role else Browser(demo.test_client())
    browser.get("/chalco/")
    assert browser.post(EDIT, {**GOOD, "action": "save"}).status_code == status
    assert browser.post(RESTORE).status_code == status
    assert stored(demo) == {}


def test_another_tenants_admin_can_neither_see_nor_edit(login_as, demo):
    chalco = admin(login_as)
    assert save(chalco).status_code == 302
    before = stored(demo)
    sinaloa = admin(login_as, tenant="sinaloa")
    for url in (LIST, EDIT):
        assert sinaloa.get(url).status_code == 404
    assert sinaloa.post(EDIT, {**GOOD, "subject": "Otro", "action": "save"}).status_code == 404
    assert sinaloa.post(EDIT, {**GOOD, "action": "preview"}).status_code == 404
    assert sinaloa.post(RESTORE).status_code == 404
    assert stored(demo) == before
    # Their own page shows their own (built-in) wording only.
    own = html_of(sinaloa.get(f"/sinaloa/admin/mail/{KIND}"))
    assert "comentario en {{ folio }}" not in html.unescape(own)
    assert stored(demo, "sinaloa") == {}


def test_an_unknown_kind_is_404(login_as, demo):
    browser = admin(login_as)
    assert browser.get("/chalco/admin/mail/no_such_kind").status_code == 404
    assert browser.post("/chalco/admin/mail/no_such_kind", {**GOOD}).status_code == 404
    assert browser.post("/chalco/admin/mail/no_such_kind/restore").status_code == 404


# --- the list and the editor --------------------------------------------------------------


def test_the_list_shows_every_kind_and_whether_it_is_customised(login_as, demo):
    browser = admin(login_as)
    page = html_of(browser.get(LIST))
    for kind, spec in mail_templates.KINDS.items():
        row = re.search(rf'<tr id="kind-{kind}">(.*?)</tr>', page, re.S).group(1)
        assert str(spec.label) in html.unescape(row)
        assert html.unescape(spec.subject) in html.unescape(row)
        assert "Built-in" in row and "Customised" not in row
        assert f'href="/chalco/admin/mail/{kind}"' in row
    assert 'href="/chalco/admin/mail">Notification e-mails</a>' in page  # the admin nav
    save(browser)
    page = html_of(browser.get(LIST))
    row = re.search(rf'<tr id="kind-{KIND}">(.*?)</tr>', page, re.S).group(1)
    assert "Customised" in row and GOOD["subject"] in html.unescape(row)


def test_the_editor_shows_the_template_the_variables_and_a_preview(login_as, demo):
    page = html_of(admin(login_as).get(EDIT))
    spec = mail_templates.KINDS[KIND]
    text = html.unescape(page)
    assert spec.subject in text and spec.text in text
    for name, meaning in mail_templates.VARIABLE_HELP.items():
        assert "{{ " + name + " }}" in text
        assert str(meaning) in text
    assert "Built-in wording" in page and "Restore the built-in wording" not in page
    preview = html.unescape(preview_of(page))
    assert "Nuevo comentario en la solicitud CHALCO-P10-" in preview
    assert "Ricardo Sánchez Flores comentó en la solicitud" in preview
    assert "¿Podrían enviarnos el logotipo en alta resolución? Gracias." in preview
    assert 'sandbox=""' in preview_of(page)


# --- saving -------------------------------------------------------------------------------


def test_a_valid_template_is_saved_and_used(login_as, demo):
    browser = admin(login_as)
    response = save(browser)
    assert response.status_code == 302
    assert response.headers["Location"] == EDIT
    assert stored(demo) == {
        KIND: (
            GOOD["subject"],
            "Hola, {{ recipient }}.\n\n{{ author }} escribió: {{ text }}\n{{ link }}",
            GOOD["html_body"],
        )
    }
    page = html_of(browser.get(EDIT))
    assert "was saved" in page and "Customised" in page
    assert "Restore the built-in wording" in page
    assert "Gobierno de Chalco: comentario en CHALCO-P10-" in html.unescape(preview_of(page))
    # Saving again changes the same row.
    assert save(browser, {**GOOD, "subject": "Comentario {{ folio }}"}).status_code == 302
    assert stored(demo)[KIND][0] == "Comentario {{ folio }}"
    assert len(stored(demo)) == 1


def test_a_superadmin_may_save(login_as, demo):
    assert save(admin(login_as, "superadmin")).status_code == 302
    assert stored(demo)[KIND][0] == GOOD["subject"]


def test_the_html_body_may_be_empty(login_as, demo):
    assert save(admin(login_as), {**GOOD, "html_body": ""}).status_code == 302
    assert stored(demo)[KIND][2] == ""


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"text_body": "Hola\n{{ folio }\n"}, "text_body", "Syntax error on line 2:"),
        ({"subject": "{% if folio %}sin cierre"}, "subject", "Syntax error"),
        (
            {"text_body": "Hola {{ nombre }}, folio {{ folio }}"},
            "text_body",
            "Unknown variable: nombre. Use only the variables listed on this page.",
        ),
        (
            {"html_body": "<p>{{ estado }} {{ fecha }}</p>"},
            "html_body",
            "Unknown variables: estado, fecha.",
        ),
        (
            {"html_body": "{{ ''.__class__.__mro__ }}"},
            "html_body",
            "Not allowed in a mail template: access to attribute '__class__'",
        ),
        ({"html_body": "<p>{{ text|safe }}</p>"}, "html_body", "The filter “safe” is not allowed"),
        ({"text_body": "{% include 'base.html' %}"}, "text_body", "The tag “include” (line 1)"),
        ({"text_body": "{{ folio + 1 }}"}, "text_body", "fails when filled in"),
        ({"subject": ""}, "subject", "This field is required."),
    ],
)
def test_a_bad_template_is_refused_and_the_old_one_kept(login_as, demo, changes, field, message):
    browser = admin(login_as)
    save(browser)
    before = stored(demo)
    response = save(browser, {**GOOD, **changes})
    assert response.status_code == 200
    page = html_of(response)
    assert any(message in error for error in errors_of(page)), errors_of(page)
    assert re.search(rf'<div class="field has-error">\s*<label for="{field}"', page)
    assert stored(demo) == before
    # What was typed is shown again, to be corrected.
    typed = next(iter(changes.values()))
    assert typed in html.unescape(page)


def test_nothing_is_half_saved(login_as, demo):
    """A good subject and text with a bad HTML body: no part is written."""
    browser = admin(login_as)
    response = save(browser, {**GOOD, "html_body": "<p>{{ no_existe }}</p>"})
    assert response.status_code == 200
    assert stored(demo) == {}


# --- preview ------------------------------------------------------------------------------


def test_preview_renders_the_form_without_saving(login_as, demo):
    browser = admin(login_as)
    response = save(browser, action="preview")
    assert response.status_code == 200
    preview = preview_of(html_of(response))
    text = html.unescape(preview)
    assert "Gobierno de Chalco: comentario en CHALCO-P10-" in text
    assert "Hola, María Fernanda Núñez Peña." in text
    assert "Ricardo Sánchez Flores escribió: ¿Podrían enviarnos el logotipo" in text
    assert stored(demo) == {}


def test_preview_never_runs_the_admins_markup_in_the_page(login_as, demo):
    browser = admin(login_as)
    markup = "<script>alert('x')</script><p onclick=\"alert(1)\">{{ summary }}</p>"
    response = save(browser, {**GOOD, "html_body": markup}, action="preview")
    page = html_of(response)
    assert "<script>alert" not in page and "<p onclick" not in page
    preview = preview_of(page)
    # Shown inside a sandboxed frame (no scripts) and as source text.
    assert re.search(
        r'<iframe class="preview-html" sandbox="" [^>]*srcdoc="&lt;script&gt;', preview
    )
    assert "&lt;p onclick=" in preview


def test_preview_of_a_bad_template_shows_the_problem(login_as, demo):
    browser = admin(login_as)
    response = save(browser, {**GOOD, "subject": "{{ asunto }}"}, action="preview")
    page = html_of(response)
    assert preview_of(page) is None
    assert any("Unknown variable: asunto." in error for error in errors_of(page))
    assert stored(demo) == {}


# --- restoring ----------------------------------------------------------------------------


def test_restore_deletes_the_tenants_wording(login_as, demo):
    browser = admin(login_as)
    save(browser)
    assert stored(demo) != {}
    browser.get(EDIT)
    response = browser.post(RESTORE)
    assert response.status_code == 302
    assert response.headers["Location"] == EDIT
    assert stored(demo) == {}
    page = html_of(browser.get(EDIT))
    assert "uses the built-in wording again" in page
    assert "Restore the built-in wording" not in page
    assert mail_templates.KINDS[KIND].subject in html.unescape(page)
    # Restoring the built-in wording again is harmless.
    assert browser.post(RESTORE).status_code == 302


def test_restore_leaves_other_kinds_and_tenants_alone(login_as, demo):
    browser = admin(login_as)
    save(browser)
    save(browser, url="/chalco/admin/mail/ticket_filed")
    sinaloa = admin(login_as, tenant="sinaloa")
    save(sinaloa, url=f"/sinaloa/admin/mail/{KIND}")
    browser.get(EDIT)
    browser.post(RESTORE)
    assert set(stored(demo)) == {"ticket_filed"}
    assert set(stored(demo, "sinaloa")) == {KIND}


# --- CSRF ---------------------------------------------------------------------------------


def test_every_post_needs_the_csrf_token(login_as, demo):
    browser = admin(login_as)
    save(browser)
    before = stored(demo)
    for url, data in (
        (EDIT, {**GOOD, "subject": "Sin token", "action": "save"}),
        (EDIT, {**GOOD, "action": "preview"}),
        (RESTORE, {}),
    ):
        assert browser.client.post(url, data=data).status_code == 400
        forged = browser.client.post(url, data={**data, "csrf_token": "not-the-token"})
        assert forged.status_code == 400
    assert stored(demo) == before


# --- the survey's link (required where the e-mail carries it) -----------------------------

SURVEY_KINDS = ("survey_reminder", "ticket_concluded", "state_changed")
NO_LINK = {
    "subject": "Encuesta de su solicitud {{ folio }}",
    "text_body": "Conteste la encuesta, por favor.",
    "html_body": "",
}
MISSING_LINK_ES = (
    "La plantilla debe incluir {{ survey_link }}: sin él, el solicitante no recibe el enlace "
    "de la encuesta."
)
MISSING_LINK_EN = "The template must include {{ survey_link }}: without it, the requester"


def field_errors(page, field):
    """The errors shown under one field of the editor."""
    found = re.search(rf'<div class="field has-error">\s*<label for="{field}".*?</div>', page, re.S)
    return errors_of(found.group(0)) if found else []


@pytest.mark.parametrize("kind", SURVEY_KINDS)
def test_a_template_without_the_survey_link_is_refused_in_spanish(login_as, demo, kind):
    """The reviewer's case: the admin, reading Spanish, drops the link; nothing is written."""
    browser = login_as("tenant_admin")  # admin@chalco.example, pages in Spanish
    url = f"/chalco/admin/mail/{kind}"
    response = save(browser, NO_LINK, url=url)
    assert response.status_code == 200
    page = html_of(response)
    assert field_errors(page, "text_body") == [MISSING_LINK_ES]
    assert field_errors(page, "subject") == []  # the built-in subject has no link either
    assert stored(demo) == {}
    assert "Conteste la encuesta, por favor." in html.unescape(page)  # typed, shown again


@pytest.mark.parametrize("kind", ["survey_reminder", "ticket_concluded"])
def test_a_refused_template_leaves_the_stored_one_as_it_was(login_as, demo, kind):
    browser = admin(login_as)
    url = f"/chalco/admin/mail/{kind}"
    first = {
        "subject": "Encuesta {{ folio }}",
        "text_body": "Conteste: {{ survey_link }}",
        "html_body": '<p><a href="{{ survey_link }}">Conteste</a></p>',
    }
    assert save(browser, first, url=url).status_code == 302
    before = stored(demo)
    assert before == {kind: (first["subject"], first["text_body"], first["html_body"])}
    # Dropped from the text, or from the HTML body only: refused all the same.
    for changes, field in (
        ({"text_body": "Conteste la encuesta, por favor."}, "text_body"),
        ({"html_body": "<p>Conteste la encuesta, por favor.</p>"}, "html_body"),
        ({"text_body": "{# {{ survey_link }} #}Conteste, por favor."}, "text_body"),
    ):
        response = save(browser, {**first, **changes}, url=url)
        assert response.status_code == 200
        page = html_of(response)
        assert [e for e in field_errors(page, field) if MISSING_LINK_EN in e], errors_of(page)
        assert stored(demo) == before


@pytest.mark.parametrize("kind", SURVEY_KINDS)
@pytest.mark.parametrize(
    "text",
    [
        "Conteste la encuesta: {{ survey_link }}",
        "Gracias.{% if survey_link %} Conteste la encuesta: {{ survey_link }}{% endif %}",
        "Gracias.{% if survey_link %} Hay una encuesta para usted.{% endif %}",
    ],
)
def test_a_template_with_the_survey_link_is_saved(login_as, demo, kind, text):
    browser = admin(login_as)
    url = f"/chalco/admin/mail/{kind}"
    response = save(browser, {**NO_LINK, "text_body": text}, url=url)
    assert response.status_code == 302, errors_of(html_of(response))
    assert stored(demo) == {kind: (NO_LINK["subject"], text, "")}


@pytest.mark.parametrize("kind", ["comment_public", "ticket_rejected", "survey_unsatisfied"])
def test_kinds_that_do_not_require_the_link_save_without_it(login_as, demo, kind):
    browser = admin(login_as)
    response = save(browser, NO_LINK, url=f"/chalco/admin/mail/{kind}")
    assert response.status_code == 302, errors_of(html_of(response))
    assert stored(demo) == {kind: (NO_LINK["subject"], NO_LINK["text_body"], "")}


def test_preview_without_the_survey_link_shows_the_same_problem(login_as, demo):
    browser = login_as("tenant_admin")
    response = save(browser, NO_LINK, url="/chalco/admin/mail/survey_reminder", action="preview")
    assert response.status_code == 200
    page = html_of(response)
    assert preview_of(page) is None
    assert field_errors(page, "text_body") == [MISSING_LINK_ES]
    assert stored(demo) == {}


def test_the_editor_marks_the_required_variable(login_as, demo):
    browser = admin(login_as)
    page = html_of(browser.get("/chalco/admin/mail/survey_reminder"))
    row = re.search(r'<tr class="required">(.*?)</tr>', page, re.S).group(1)
    assert "{{ survey_link }}" in html.unescape(row) and "Required in this e-mail" in row
    assert len(re.findall(r'<tr class="required">', page)) == 1
    assert "Required in this e-mail" not in html_of(browser.get(EDIT))
