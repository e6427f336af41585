"""The survey follow-up list's pages and its CSV and XLSX files (helpdesk/views/surveys.py).

The list is paged (``?pagina=N``) in its own order, unsatisfied answers awaiting
follow-up first, then newest first; the files hold the whole list of the
filter with the page's columns and values. Pages are read in English (the
msgids) unless a test checks the Spanish.
"""

from __future__ import annotations

import csv
import io
import re
from html import unescape
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from helpdesk import exports
from helpdesk import survey_follow_up
from helpdesk.extensions import db
from helpdesk.models import Tenant
from helpdesk.models import User
from helpdesk.testing import reuse_database
from tests.helpdesk import notification_rules_support as rules
from tests.helpdesk import surveys_support as support
from tests.helpdesk.notification_rules_support import COORD
from tests.helpdesk.notification_rules_support import folio_of
from tests.helpdesk.queries_support import count_queries
from tests.helpdesk.surveys_support import ASK
from tests.helpdesk.surveys_support import english
from tests.helpdesk.surveys_support import in_tenant
from tests.helpdesk.surveys_support import survey_of
from tests.helpdesk.surveys_support import survey_row
from tests.helpdesk.surveys_support import travel

app_config = support.app_config
file = rules.file
move = rules.move
conclude = support.conclude

FOLLOW_UP = "/chalco/encuestas/seguimiento"
CSV_URL = "/chalco/encuestas/seguimiento/exportar.csv"
XLSX_URL = "/chalco/encuestas/seguimiento/exportar.xlsx"
FORMULA = '=HYPERLINK("http://example.com","clic")'
NOTE = "Se habló con la titular de la unidad."
# Every request of a test at one frozen moment: a session signed in the future does not load.
TODAY = (2026, 3, 23, 9, 0)
HEADER = [
    "Folio",
    "Service",
    "Requesting unit",
    "Requester",
    "Concluded",
    "Answered",
    "Rating",
    "Comment",
    "Other answers",
    "Follow-up status",
    "Followed up by",
    "Followed up on",
    "What was done",
]


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(survey_follow_up, "PAGE_SIZE", 2)


def follow_up(app, ticket_id: int, note: str = NOTE) -> None:
    with in_tenant(app):
        coordinator = db.session.scalar(select(User).where(User.email == COORD))
        survey_follow_up.follow_up(survey_row(ticket_id), coordinator, note)


@pytest.fixture
def answers(demo, conclude):
    """Five answers, by name, made on different days; in the list's order they are
    e, a (unsatisfied awaiting follow-up, newest first), then d, c, b (newest first).

    Built once per test process, then copied into each test's database.
    """
    return reuse_database(
        demo,
        "tests.helpdesk.views.test_surveys_follow_up.answers",
        lambda: _answers(demo, conclude),
    )


def _answers(demo, conclude):
    made = {}
    for minute, (name, service) in enumerate(
        [("a", None), ("b", None), ("c", ASK), ("d", None), ("e", None)]
    ):
        with travel(2026, 3, 12, 12, minute):
            made[name] = conclude(**({"service": service} if service else {}))
    with travel(2026, 3, 16, 10, 0):
        support.answer(demo, made["a"], "unsatisfied", comment=FORMULA)
    with travel(2026, 3, 17, 10, 0):
        support.answer(demo, made["b"], "unsatisfied", comment="Tardaron dos semanas.")
    with travel(2026, 3, 18, 10, 0):
        support.answer(
            demo,
            made["c"],
            "regular",
            comment="Llegaron tarde.",
            answers={"on_time": "no", "staff": "satisfied", "suggestion": "Avisar antes."},
        )
    with travel(2026, 3, 19, 10, 0):
        support.answer(demo, made["d"], "satisfied", comment="Todo bien.")
    with travel(2026, 3, 20, 10, 0):
        support.answer(demo, made["e"], "unsatisfied", comment="No resolvieron la falla.")
    with travel(2026, 3, 20, 11, 30):
        follow_up(demo, made["b"])
    return made


def coordinator(login_as, role="coordinator", tenant="chalco"):
    return english(login_as(role, tenant=tenant))


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def text(fragment: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def page_rows(page: str) -> list[dict[str, object]]:
    """Each row of the follow-up table: its survey id and the text of its cells."""
    body = re.search(r'<table class="survey-answers">.*?<tbody>(.*?)</tbody>', page, re.S).group(1)
    return [
        {
            "id": int(row_id),
            "cells": [text(cell) for cell in re.findall(r"<td>(.*?)</td>", row, re.S)],
        }
        for row_id, row in re.findall(r'<tr id="survey-(\d+)"[^>]*>(.*?)</tr>', body, re.S)
    ]


def ids_of(demo, answers, rows) -> list[str]:
    """The answers' names of the page rows, in order."""
    names = {survey_of(demo, ticket)["id"]: name for name, ticket in answers.items()}
    return [names[row["id"]] for row in rows]


def links(page: str, rel: str) -> list[str]:
    return [
        address.replace("&amp;", "&")
        for address in re.findall(rf'<a rel="{rel}" href="([^"]+)"', page)
    ]


def query(address: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(address).query)


def demo_tenant_name(app, slug: str = "chalco") -> str:
    with app.app_context():
        return db.session.scalar(select(Tenant.name).where(Tenant.slug == slug))


def csv_rows(response) -> list[list[str]]:
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def xlsx_sheet(response):
    book = load_workbook(io.BytesIO(response.get_data()))
    (sheet,) = book.worksheets
    return sheet


def xlsx_rows(sheet) -> list[list[object]]:
    """The table of the sheet: from its header row ("Folio" in the first column) on."""
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    start = next(index for index, row in enumerate(rows) if row[0] == "Folio")
    return rows[start:]


# --- paging -------------------------------------------------------------------------------


def test_the_list_pages_in_its_order_keeping_the_filter(demo, login_as, answers, small_pages):
    with travel(*TODAY):
        browser = coordinator(login_as)
        first = html(browser.get(f"{FOLLOW_UP}?calificacion=all"))
        second = html(browser.get(f"{FOLLOW_UP}?calificacion=all&pagina=2"))
        third = html(browser.get(f"{FOLLOW_UP}?calificacion=all&pagina=3"))
    assert ids_of(demo, answers, page_rows(first)) == ["e", "a"]
    assert ids_of(demo, answers, page_rows(second)) == ["d", "c"]
    assert ids_of(demo, answers, page_rows(third)) == ["b"]
    assert "Showing 1–2 of 5" in text(first)
    assert "Showing 3–4 of 5" in text(second) and "Page 2 of 3" in text(second)
    assert "Showing 5–5 of 5" in text(third)
    assert links(first, "prev") == [] and links(third, "next") == []
    (back,), (forward,) = links(second, "prev"), links(second, "next")
    assert query(back) == {"calificacion": ["all"], "pagina": ["1"]}
    assert query(forward) == {"calificacion": ["all"], "pagina": ["3"]}
    assert 'id="page-missing"' not in second
    # The default filter (unsatisfied) counts only its own rows.
    with travel(*TODAY):
        unsatisfied = html(browser.get(f"{FOLLOW_UP}?pagina=2"))
    assert ids_of(demo, answers, page_rows(unsatisfied)) == ["b"]
    assert "Showing 3–3 of 3" in text(unsatisfied)
    assert query(links(unsatisfied, "prev")[0]) == {
        "calificacion": ["unsatisfied"],
        "pagina": ["1"],
    }


def test_fifty_answers_a_page_by_default():
    assert survey_follow_up.PAGE_SIZE == 50


@pytest.mark.parametrize(
    ("asked", "shown", "notice"),
    [
        ("", 1, False),
        ("2", 2, False),
        ("0", 1, True),
        ("-1", 1, True),
        ("dos", 1, True),
        ("1.5", 1, True),
        ("２", 1, True),  # a full-width digit is not a page number
        ("4", 3, True),
        ("9" * 40, 3, True),
        ("9" * 5000, 3, True),
        ("0002", 2, False),
    ],
)
def test_a_page_that_does_not_exist_shows_the_nearest(
    demo, login_as, answers, small_pages, asked, shown, notice
):
    with travel(*TODAY):
        page = html(
            coordinator(login_as).get(
                FOLLOW_UP, query_string={"calificacion": "all", "pagina": asked}
            )
        )
    expected = {1: ["e", "a"], 2: ["d", "c"], 3: ["b"]}[shown]
    assert ids_of(demo, answers, page_rows(page)) == expected
    assert f"Page {shown} of 3" in text(page)
    message = f"That page does not exist; showing page {shown} of 3."
    assert (message in text(page)) is notice


def test_an_empty_list_has_one_page(demo, login_as):
    browser = coordinator(login_as)
    page = html(browser.get(FOLLOW_UP))
    assert page_rows(page) == [] and "No answers to show." in page
    assert "Showing" not in page and 'class="pager"' not in page
    past = html(browser.get(f"{FOLLOW_UP}?pagina=3"))
    assert "That page does not exist; showing page 1 of 1." in text(past)


def test_the_paging_speaks_spanish(demo, login_as, answers, small_pages):
    with travel(*TODAY):
        browser = login_as("coordinator")
        page = text(html(browser.get(f"{FOLLOW_UP}?calificacion=all&pagina=7")))
        rows = csv_rows(browser.get(f"{CSV_URL}?calificacion=all"))
    assert "Mostrando 5–5 de 5" in page
    assert "Esa página no existe; se muestra la página 3 de 3." in page
    assert rows[0][:3] == ["Folio", "Servicio", "Unidad solicitante"]
    assert rows[1][6] == "Insatisfecho"


def test_recording_a_follow_up_comes_back_to_the_same_page(demo, login_as, answers, small_pages):
    survey_id = survey_of(demo, answers["c"])["id"]
    with travel(*TODAY):
        browser = coordinator(login_as)
        page = html(browser.get(f"{FOLLOW_UP}?calificacion=all&pagina=2"))
        assert 'name="pagina" value="2"' in page
        done = browser.post(
            f"/chalco/encuestas/{survey_id}/seguimiento",
            {"note": "Se les llamó.", "calificacion": "all", "pagina": "2"},
        )
        refused = browser.post(
            f"/chalco/encuestas/{survey_id}/seguimiento",
            {"note": "Otra vez.", "calificacion": "all", "pagina": "2"},
        )
    assert done.status_code == 302
    assert query(done.headers["Location"]) == {"calificacion": ["all"], "pagina": ["2"]}
    assert refused.status_code == 400
    assert ids_of(demo, answers, page_rows(refused.get_data(as_text=True))) == ["d", "c"]
    assert survey_of(demo, answers["c"])["follow_up_note"] == "Se les llamó."


# --- the files ----------------------------------------------------------------------------


def test_the_files_hold_the_whole_list_as_the_pages_show_it(demo, login_as, answers, small_pages):
    with travel(*TODAY):
        browser = coordinator(login_as)
        pages = [html(browser.get(f"{FOLLOW_UP}?calificacion=all&pagina={n}")) for n in (1, 2, 3)]
        as_csv = browser.get(f"{CSV_URL}?calificacion=all")
        as_xlsx = browser.get(f"{XLSX_URL}?calificacion=all")
    assert f'href="{CSV_URL}?calificacion=all"' in pages[0]
    assert f'href="{XLSX_URL}?calificacion=all"' in pages[0]
    assert as_csv.status_code == 200 and as_csv.mimetype == "text/csv"
    assert as_csv.headers["Content-Disposition"] == (
        'attachment; filename="encuestas-chalco-todas-2026-03-23.csv"'
    )
    assert as_xlsx.status_code == 200 and as_xlsx.mimetype == exports.XLSX_MIMETYPE
    assert as_xlsx.headers["Content-Disposition"] == (
        'attachment; filename="encuestas-chalco-todas-2026-03-23.xlsx"'
    )

    header, *rows = csv_rows(as_csv)
    assert header == HEADER
    shown = [row for page in pages for row in page_rows(page)]
    assert [row[0] for row in rows] == [folio_of(demo, answers[n]) for n in "eadcb"]
    assert len(rows) == len(shown) == 5
    for row, on_page in zip(rows, shown, strict=True):
        cells = on_page["cells"]
        values = dict(zip(HEADER, row, strict=True))
        # The first six columns are the page's first six cells ("—" for nothing).
        assert [values[name] or "—" for name in HEADER[:6]] == cells[:6]
        comment = values["Comment"].removeprefix("'") if values["Comment"] else ""
        assert cells[6].startswith(values["Rating"]) and comment in cells[6]
        for pair in filter(None, values["Other answers"].split("; ")):
            assert pair.replace(": ", " ") in cells[6]
        assert cells[7].startswith(values["Follow-up status"])
        for name in ("Followed up by", "Followed up on", "What was done"):
            assert values[name] in cells[7]

    by_folio = {row[0]: dict(zip(HEADER, row, strict=True)) for row in rows}
    followed = by_folio[folio_of(demo, answers["b"])]
    assert followed == {
        "Folio": folio_of(demo, answers["b"]),
        "Service": "Préstamo de proyector",
        "Requesting unit": "Dirección de la Mujer",
        "Requester": "Laura Méndez Ortiz",
        "Concluded": "2026-03-12 12:01",
        "Answered": "2026-03-17 10:00",
        "Rating": "Unsatisfied",
        "Comment": "Tardaron dos semanas.",
        "Other answers": "",
        "Follow-up status": "Followed up",
        "Followed up by": "Ricardo Sánchez Flores",
        "Followed up on": "2026-03-20 11:30",
        "What was done": NOTE,
    }
    regular = by_folio[folio_of(demo, answers["c"])]
    assert regular["Service"] == "Servicio con preguntas propias"
    assert regular["Other answers"] == (
        "¿El servicio llegó a tiempo?: No; ¿Cómo le atendió el personal?: Satisfied; "
        "¿Qué mejoraría?: Avisar antes."
    )
    assert regular["Follow-up status"] == "Not followed up"
    assert by_folio[folio_of(demo, answers["d"])]["Follow-up status"] == "Not needed"
    assert by_folio[folio_of(demo, answers["e"])]["Follow-up status"] == "Awaiting follow-up"

    sheet = xlsx_sheet(as_xlsx)
    assert [sheet.cell(row=n, column=1).value for n in (1, 2, 3)] == [
        demo_tenant_name(demo),
        "Answers shown: All answers",
        "Downloaded on 2026-03-23 09:00",
    ]
    table = xlsx_rows(sheet)
    # The same rows as the CSV: empty cells are empty, text is text (never a formula).
    assert [[exports.safe_text(v) if v else "" for v in row] for row in table] == [
        header,
        *rows,
    ]


def test_a_formula_in_a_comment_stays_text(demo, login_as, answers):
    with travel(*TODAY):
        browser = coordinator(login_as)
        rows = csv_rows(browser.get(f"{CSV_URL}?calificacion=unsatisfied"))
        sheet = xlsx_sheet(browser.get(f"{XLSX_URL}?calificacion=unsatisfied"))
    folio = folio_of(demo, answers["a"])
    (row,) = [row for row in rows if row[0] == folio]
    assert row[HEADER.index("Comment")] == "'" + FORMULA
    (cell,) = [r[HEADER.index("Comment")] for r in sheet.iter_rows() if r[0].value == folio]
    assert cell.value == FORMULA and cell.data_type == "s"


def test_the_files_keep_the_filter(demo, login_as, answers, small_pages):
    with travel(*TODAY):
        browser = coordinator(login_as)
        page = html(browser.get(f"{FOLLOW_UP}?calificacion=regular"))
        regular = browser.get(f"{CSV_URL}?calificacion=regular")
        default = browser.get(CSV_URL)
        unknown = browser.get(f"{XLSX_URL}?calificacion=nada")
    assert f'href="{CSV_URL}?calificacion=regular"' in page
    assert regular.headers["Content-Disposition"].endswith('-regulares-2026-03-23.csv"')
    assert [row[0] for row in csv_rows(regular)[1:]] == [folio_of(demo, answers["c"])]
    assert default.headers["Content-Disposition"].endswith('-insatisfechas-2026-03-23.csv"')
    # All three unsatisfied answers, on more than one page of the screen.
    assert [row[0] for row in csv_rows(default)[1:]] == [folio_of(demo, answers[n]) for n in "eab"]
    assert [row[0] for row in xlsx_rows(xlsx_sheet(unknown))[1:]] == [
        folio_of(demo, answers[n]) for n in "eab"
    ]


def test_the_files_are_for_whom_the_page_is(demo, login_as, answers, client):
    for address in (FOLLOW_UP, CSV_URL, XLSX_URL):
        for role in ("requester", "agent"):
            assert coordinator(login_as, role).get(address).status_code == 403, (address, role)
        other = coordinator(login_as, "coordinator", "sinaloa")
        assert other.get(address).status_code == 404, address
        assert coordinator(login_as, "tenant_admin").get(address).status_code == 200, address
        assert coordinator(login_as, "superadmin").get(address).status_code == 200, address
        anonymous = client.get(address)
        assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    # Sinaloa's own file holds none of Chalco's answers.
    other = coordinator(login_as, "coordinator", "sinaloa")
    own = other.get("/sinaloa/encuestas/seguimiento/exportar.csv?calificacion=all")
    assert own.status_code == 200 and csv_rows(own) == [HEADER]
    assert xlsx_rows(xlsx_sheet(other.get("/sinaloa/encuestas/seguimiento/exportar.xlsx"))) == [
        HEADER
    ]
    assert (
        coordinator(login_as).get("/chalco/encuestas/seguimiento/exportar.pdf").status_code == 404
    )


# --- cost ---------------------------------------------------------------------------------


def test_the_page_and_the_files_cost_the_same_queries_for_few_or_many_rows(
    demo, login_as, conclude
):
    with travel(2026, 3, 12, 12, 0):
        first, second = conclude(), conclude()
        support.answer(demo, first, "unsatisfied", comment="Mal.")
        support.answer(demo, second, "unsatisfied", comment="Peor.")
        follow_up(demo, second)
    addresses = (f"{FOLLOW_UP}?calificacion=all", f"{CSV_URL}?calificacion=all", XLSX_URL)
    browser = coordinator(login_as)
    few = [count_queries(demo, browser, address) for address in addresses]
    with travel(2026, 3, 13, 12, 0):
        for rating in ("unsatisfied", "regular", "satisfied", "unsatisfied", "regular"):
            ticket_id = conclude()
            support.answer(demo, ticket_id, rating, comment="Otra.")
            if rating == "regular":
                follow_up(demo, ticket_id)
    many = [count_queries(demo, browser, address) for address in addresses]
    assert many == few
    assert len(csv_rows(browser.get(f"{CSV_URL}?calificacion=all"))) == 1 + 7
