"""Automatic requirement checks of the communication services, on JSON-ready data."""

from __future__ import annotations

import pytest

from helpdesk.catalog import RequirementIssue
from plugins.comunicacion import checks
from plugins.comunicacion import services

PRINT_SIZE_WIDTH = RequirementIssue(
    field="print_width_cm",
    message="Indique el ancho real de impresión en centímetros, mayor que cero.",
)
PRINT_SIZE_HEIGHT = RequirementIssue(
    field="print_height_cm",
    message="Indique el alto real de impresión en centímetros, mayor que cero.",
)
WEBSITE_HANDOFF = RequirementIssue(
    field="networks",
    message=(
        "La publicación en el sitio web institucional la realizará el Departamento de "
        "Gobierno Digital (GCH-CCS-P08): se le turnará la solicitud una vez que el "
        "Departamento de Comunicación e Imagen Institucional apruebe las fotografías, "
        "videos y redacción."
    ),
    blocking=False,
)
NO_ARTWORK = RequirementIssue(
    field="attachments",
    message=(
        "No se adjuntaron logotipos ni imágenes. Si el material los lleva, adjúntelos para su "
        "elaboración."
    ),
    blocking=False,
)
NO_PRINTING = RequirementIssue(
    field="medium",
    message=(
        "La Coordinación de Comunicación Social no realiza impresiones de ningún tipo: "
        "entregará el diseño para que la dependencia lo imprima."
    ),
    blocking=False,
)


def test_services_wire_their_checks_and_checklists() -> None:
    wired = {service.code: service.checks for service in services.ALL}
    assert wired == {
        "GCH-CCS-P01": (checks.p01_coverage_kind,),
        "GCH-CCS-P02": (checks.p02_publication_period, checks.p02_website_handoff),
        "GCH-CCS-P03": (),
        "GCH-CCS-P04": (checks.print_size, checks.material_artwork),
        "GCH-CCS-P05": (),
        "GCH-CCS-P06": (checks.print_size, checks.material_artwork, checks.p06_no_printing),
        "PSDT-06": (checks.psdt06_external_links,),
    }
    for service in services.ALL:
        assert service.checklist, service.code
        assert all(isinstance(item, str) and item for item in service.checklist)


def test_checklists_carry_the_documents_judgements() -> None:
    by_code = {service.code: service.checklist for service in services.ALL}
    assert "La información es útil, verídica y oportuna" in by_code["GCH-CCS-P02"]
    assert (
        "El medio contactó previamente a la Coordinación para plantear el tema"
        in by_code["GCH-CCS-P03"]
    )
    assert (
        "Los datos del material (eslogan, texto, logotipos, fecha e imagen) son suficientes"
        in by_code["GCH-CCS-P04"]
    )


@pytest.mark.parametrize(
    ("photo", "video"), [(True, False), (False, True), (True, True)], ids=["foto", "video", "ambos"]
)
def test_p01_coverage_kind_passes(photo: bool, video: bool) -> None:
    assert checks.p01_coverage_kind({"photo": photo, "video": video, "attachments": []}) == []


@pytest.mark.parametrize("data", [{"photo": False, "video": False}, {}], ids=["unticked", "absent"])
def test_p01_coverage_kind_fails(data: dict) -> None:
    assert checks.p01_coverage_kind(data) == [
        RequirementIssue(
            field="photo",
            message="Especifique la cobertura requerida: fotográfica y/o videográfica.",
        )
    ]


@pytest.mark.parametrize(
    ("start", "end"), [("2026-12-01", "2026-12-05"), ("2026-12-01", "2026-12-01")]
)
def test_p02_publication_period_passes(start: str, end: str) -> None:
    data = {"publication_start": start, "publication_end": end}
    assert checks.p02_publication_period(data) == []


def test_p02_publication_period_must_not_end_before_it_starts() -> None:
    data = {"publication_start": "2026-12-05", "publication_end": "2026-12-01"}
    assert checks.p02_publication_period(data) == [
        RequirementIssue(
            field="publication_end",
            message="La publicación debe terminar el mismo día o después de su inicio.",
        )
    ]


def test_p02_publication_period_needs_both_dates() -> None:
    data = {"publication_start": None, "publication_end": "5 de diciembre"}
    assert checks.p02_publication_period(data) == [
        RequirementIssue(
            field="publication_start", message="Indique la fecha de inicio de la publicación."
        ),
        RequirementIssue(
            field="publication_end", message="Indique la fecha de fin de la publicación."
        ),
    ]


def test_p02_website_handoff_is_announced_without_blocking() -> None:
    issues = checks.p02_website_handoff({"networks": ["facebook", "sitio_web"]})
    assert issues == [WEBSITE_HANDOFF]
    assert not issues[0].blocking


@pytest.mark.parametrize("networks", [["facebook", "instagram"], [], None])
def test_p02_website_handoff_only_for_the_web_site(networks) -> None:
    assert checks.p02_website_handoff({"networks": networks}) == []


@pytest.mark.parametrize("medium", ["impresion", "ambos"])
def test_print_size_passes_with_both_dimensions(medium: str) -> None:
    data = {"medium": medium, "print_width_cm": "28.0", "print_height_cm": "21.5"}
    assert checks.print_size(data) == []


def test_print_size_is_not_asked_of_digital_material() -> None:
    data = {"medium": "digital", "print_width_cm": None, "print_height_cm": None}
    assert checks.print_size(data) == []


@pytest.mark.parametrize(
    ("width", "height", "expected"),
    [
        (None, "21.5", [PRINT_SIZE_WIDTH]),
        ("28", "0", [PRINT_SIZE_HEIGHT]),
        ("-3", "abc", [PRINT_SIZE_WIDTH, PRINT_SIZE_HEIGHT]),
        ("NaN", "Infinity", [PRINT_SIZE_WIDTH, PRINT_SIZE_HEIGHT]),
    ],
)
def test_print_size_fails(width, height, expected) -> None:
    data = {"medium": "impresion", "print_width_cm": width, "print_height_cm": height}
    assert checks.print_size(data) == expected
    assert all(issue.blocking for issue in checks.print_size(data))


def test_print_size_with_both_dimensions_missing() -> None:
    assert checks.print_size({"medium": "ambos"}) == [PRINT_SIZE_WIDTH, PRINT_SIZE_HEIGHT]


@pytest.mark.parametrize(
    "content_type", ["image/png", "image/svg+xml", "application/pdf", "application/postscript"]
)
def test_material_artwork_passes_with_a_logo_or_image(content_type: str) -> None:
    attachments = [
        {"name": "texto.docx", "content_type": "application/msword"},
        {"name": "logo", "content_type": content_type},
    ]
    assert checks.material_artwork({"attachments": attachments}) == []


@pytest.mark.parametrize(
    "attachments",
    [[], None, [{"name": "texto.docx", "content_type": "application/msword"}], ["logo.png"]],
    ids=["none", "absent", "only-text", "malformed"],
)
def test_material_artwork_warns_without_images(attachments) -> None:
    assert checks.material_artwork({"attachments": attachments}) == [NO_ARTWORK]


@pytest.mark.parametrize("medium", ["impresion", "ambos"])
def test_p06_no_printing_is_told_for_print(medium: str) -> None:
    assert checks.p06_no_printing({"medium": medium}) == [NO_PRINTING]


def test_p06_no_printing_is_silent_for_digital() -> None:
    assert checks.p06_no_printing({"medium": "digital"}) == []


@pytest.mark.parametrize(
    "information",
    [
        "Consulte los requisitos en https://sinaloa.gob.mx/tramites.",
        "Más información en www.gob.mx/curp",
        "Horario de 8:00 a 15:00 horas.",
        "",
    ],
)
def test_psdt06_external_links_allows_government_sites(information: str) -> None:
    data = {"kind": "publicacion", "information": information, "networks": ["facebook"]}
    assert checks.psdt06_external_links(data) == []


def test_psdt06_external_links_blocks_a_publication_with_other_sites() -> None:
    data = {
        "kind": "publicacion",
        "information": "Inscríbete en https://promo.example.com/x. O en www.fakegob.mx.",
    }
    assert checks.psdt06_external_links(data) == [
        RequirementIssue(
            field="information",
            message=(
                "La política de moderación de las redes sociales del Gobierno del Estado no "
                "permite ligas a otros sitios: https://promo.example.com/x, www.fakegob.mx."
            ),
        )
    ]


def test_psdt06_external_links_only_warns_on_a_citizen_question() -> None:
    data = {"kind": "pregunta", "question": "¿Es cierto lo de http://bit.ly/abc?"}
    assert checks.psdt06_external_links(data) == [
        RequirementIssue(
            field="question",
            message=(
                "La política de moderación de las redes sociales del Gobierno del Estado no "
                "permite ligas a otros sitios: http://bit.ly/abc."
            ),
            blocking=False,
        )
    ]


def test_psdt06_external_links_ignores_an_unknown_kind() -> None:
    assert checks.psdt06_external_links({"information": "https://example.com"}) == []
