"""Translations: the catalogs are complete and current, and pages speak the user's language.

Spanish of Mexico (es_MX) is the default; English (en) is the second catalog.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "helpdesk" / "translations"
POT = TRANSLATIONS / "messages.pot"
LOCALES = ("es_MX", "en")
PYBABEL = Path(sys.executable).with_name("pybabel")
# The same options as the README's (and the catalogs') extraction command.
EXTRACT_OPTIONS = [
    "-F",
    "babel.cfg",
    "-k",
    "_l",
    "-k",
    "N_",
    "--no-location",
    "--sort-output",
    "--project",
    "mesa-ayuda-gob",
]
PLACEHOLDER_RE = re.compile(r"%\(([^)]+)\)")
BAD_EMAIL = {"email": "no-es-un-correo", "password": "cualquiera123"}


def po_path(locale: str) -> Path:
    return TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"


def load(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh, locale=locale)


def texts(value: str | tuple[str, ...]) -> tuple[str, ...]:
    """A message's id or translation as a tuple (plural forms give several)."""
    return (value,) if isinstance(value, str) else tuple(value)


def placeholders(value: str | tuple[str, ...]) -> set[str]:
    return {name for text in texts(value) for name in PLACEHOLDER_RE.findall(text)}


def msgids(catalog: Catalog) -> set[str | tuple[str, ...]]:
    return {message.id for message in catalog if message.id}


def run_pybabel(*args: str) -> None:
    assert PYBABEL.exists(), f"pybabel is not installed next to {sys.executable}"
    result = subprocess.run(
        [str(PYBABEL), *args], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def compiled_catalogs() -> None:
    """Compiles the .mo files (git-ignored) when missing or older than their .po."""
    for locale in LOCALES:
        po = po_path(locale)
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            run_pybabel("compile", "-d", str(TRANSLATIONS), "-D", "messages", "-l", locale)


# -- the catalogs -----------------------------------------------------------------


@pytest.mark.parametrize("locale", LOCALES)
def test_catalog_header(locale):
    catalog = load(po_path(locale))
    assert str(catalog.locale) == locale
    assert catalog.charset.lower() == "utf-8"
    headers = dict(catalog.mime_headers)
    assert headers["Plural-Forms"] == "nplurals=2; plural=(n != 1);"


@pytest.mark.parametrize("locale", LOCALES)
def test_every_message_is_translated_with_the_same_placeholders(locale):
    template = load(POT)
    catalog = load(po_path(locale), locale=locale)
    problems = []
    for source in template:
        if not source.id:
            continue
        message = catalog.get(source.id)
        if message is None:
            problems.append(f"missing: {source.id!r}")
        elif message.fuzzy:
            problems.append(f"fuzzy: {source.id!r}")
        elif not all(text.strip() for text in texts(message.string or "")):
            problems.append(f"empty: {source.id!r}")
        elif placeholders(message.string) != placeholders(source.id):
            problems.append(f"placeholders differ: {source.id!r} -> {message.string!r}")
    assert not problems, f"{locale} catalog:\n" + "\n".join(problems)


def test_spanish_catalog_really_is_spanish():
    """A few fixed terms of the glossary (/work/shared/GLOSSARY.md)."""
    catalog = load(po_path("es_MX"), locale="es_MX")
    expected = {
        "Help desk": "Mesa de ayuda",
        "Requesting unit": "Unidad solicitante",
        "Liaison": "Enlace",
        "Turned to my department": "Turnadas a mi departamento",
        "Receipt (PDF)": "Acuse de recibo (PDF)",
        "business days": "días hábiles",
        "business hours": "horas hábiles",
        "Tenant": "Gobierno",
        "Monday": "lunes",
    }
    for msgid, msgstr in expected.items():
        message = catalog.get(msgid)
        if message is not None:  # a string removed from the code is not this test's concern
            assert message.string == msgstr


def test_template_is_up_to_date(tmp_path):
    """Fails when a message was added to or removed from the code without updating the catalogs.

    To fix it, run the commands of README.md's "Translations" section.
    """
    fresh = tmp_path / "messages.pot"
    run_pybabel("extract", *EXTRACT_OPTIONS, "-o", str(fresh), ".")
    extracted, committed = msgids(load(fresh)), msgids(load(POT))
    assert not extracted - committed, f"new messages not in messages.pot: {extracted - committed}"
    assert not committed - extracted, f"messages.pot has stale messages: {committed - extracted}"


# -- pages in the user's language ---------------------------------------------------------


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def switch_to_english(browser) -> None:
    response = browser.post("/idioma", {"locale": "en", "next": "/login"})
    assert response.status_code == 302


def test_pages_are_in_spanish_by_default(compiled_catalogs, demo, browser):
    login = html(browser.get("/login"))
    assert '<html lang="es-MX"' in login
    assert "Iniciar sesión" in login
    assert "Contraseña" in login
    assert "Sign in" not in login

    catalog = html(browser.get("/chalco/"))
    assert "Catálogo de servicios" in catalog
    assert "Buscar un servicio" in catalog
    assert "Service catalog" not in catalog


def test_pages_are_in_english_after_switching(compiled_catalogs, demo, browser):
    browser.get("/login")
    switch_to_english(browser)

    login = html(browser.get("/login"))
    assert '<html lang="en"' in login
    assert "Sign in" in login
    assert "Password" in login
    assert "Iniciar sesión" not in login

    catalog = html(browser.get("/chalco/"))
    assert "Service catalog" in catalog
    assert "Search a service" in catalog
    assert "Catálogo de servicios" not in catalog


def test_form_errors_are_in_spanish_by_default(compiled_catalogs, demo, browser):
    page = html(browser.post("/login", BAD_EMAIL))
    assert "Escriba un correo electrónico válido" in page
    assert "Enter a valid e-mail address" not in page


def test_form_errors_follow_the_language_switch(compiled_catalogs, demo, browser):
    browser.get("/login")
    switch_to_english(browser)
    browser.get("/login")  # a fresh CSRF token in the new session
    page = html(browser.post("/login", BAD_EMAIL))
    assert "Enter a valid e-mail address" in page
    assert "Escriba un correo electrónico válido" not in page
