"""Request forms of P04 (editorial), P05 (audiovisual) and P06 (graphic material)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from werkzeug.datastructures import MultiDict

from plugins.comunicacion.material_forms import AudiovisualMaterialForm
from plugins.comunicacion.material_forms import EditorialMaterialForm
from plugins.comunicacion.material_forms import GraphicMaterialForm

P04 = {
    "justification": "Difundir el programa de bacheo 2026 entre los vecinos.",
    "file_format": ".pdf",
    "medium": "ambos",
    "platform": "Facebook institucional",
    "print_material": "Papel couché de 150 g",
    "print_width_cm": "28",
    "print_height_cm": "21.5",
    "slogan": "Chalco avanza contigo",
    "content_text": "Calendario de bacheo por delegación.",
    "content_date": "Enero a marzo de 2026",
    "required_date": "2026-12-15",
}
P05 = {
    "justification": "Invitar a la feria del empleo.",
    "topic": "Feria municipal del empleo",
    "audience": "Jóvenes de 18 a 29 años buscando empleo",
    "media_kind": "audio",
    "duration_seconds": "30",
    "platform": "Perifoneo y Facebook",
    "required_date": "2026-12-10",
}
P06 = {
    "justification": "Reconocer a las y los participantes del maratón.",
    "material_type": "reconocimiento",
    "file_format": ".pdf",
    "medium": "impresion",
    "print_material": "Papel opalina",
    "print_width_cm": "27.9",
    "print_height_cm": "21.6",
    "content_text": "Otorga el presente reconocimiento a …",
    "required_date": "2026-12-04",
}
MATERIAL_FORMS = [(EditorialMaterialForm, P04), (GraphicMaterialForm, P06)]
MATERIAL_IDS = ["P04", "P06"]


def without(data: dict[str, str], *keys: str) -> dict[str, str]:
    return {k: v for k, v in data.items() if k not in keys}


def test_p04_valid_submission() -> None:
    form = EditorialMaterialForm(MultiDict(P04))
    assert form.validate(), form.errors
    assert form.data == {
        **P04,
        "print_width_cm": Decimal("28"),
        "print_height_cm": Decimal("21.5"),
        "required_date": date(2026, 12, 15),
    }


def test_p05_valid_submission() -> None:
    form = AudiovisualMaterialForm(MultiDict(P05))
    assert form.validate(), form.errors
    assert form.data == {**P05, "duration_seconds": 30, "required_date": date(2026, 12, 10)}


def test_p06_valid_submission() -> None:
    form = GraphicMaterialForm(MultiDict(P06))
    assert form.validate(), form.errors
    assert form.data == {
        **P06,
        "platform": "",
        "print_width_cm": Decimal("27.9"),
        "print_height_cm": Decimal("21.6"),
        "slogan": None,
        "content_date": None,
        "required_date": date(2026, 12, 4),
    }


def test_medium_labels() -> None:
    labels = [choice.label.text for choice in EditorialMaterialForm().medium]
    assert labels == ["Digital", "Para impresión", "Digital y para impresión"]


def test_p06_offers_the_documents_graphic_materials() -> None:
    labels = [choice.label for choice in GraphicMaterialForm().material_type.choices]
    assert labels[1:] == [
        "Logotipo",
        "Imagen institucional",
        "Invitación",
        "Tarjeta de presentación",
        "Diploma",
        "Constancia",
        "Reconocimiento",
        "Personificador",
        "Señalética",
        "Banner digital",
        "Banner impreso",
        "Fotomontaje",
        "Mampara",
        "Lona",
    ]


@pytest.mark.parametrize(
    ("form_class", "data", "field", "message"),
    [
        (
            EditorialMaterialForm,
            P04,
            "justification",
            "Justifique brevemente la elaboración del material editorial.",
        ),
        (EditorialMaterialForm, P04, "file_format", "Especifique el formato requerido."),
        (
            EditorialMaterialForm,
            P04,
            "medium",
            "Indique si el material será digital, para impresión o ambos.",
        ),
        (
            EditorialMaterialForm,
            P04,
            "content_text",
            "Escriba el texto que llevará el material editorial.",
        ),
        (
            EditorialMaterialForm,
            P04,
            "required_date",
            "Indique la fecha en que requiere el material.",
        ),
        (
            AudiovisualMaterialForm,
            P05,
            "justification",
            "Justifique brevemente el desarrollo del material audiovisual.",
        ),
        (
            AudiovisualMaterialForm,
            P05,
            "topic",
            "Indique el tema sobre el que se desarrollará el contenido.",
        ),
        (
            AudiovisualMaterialForm,
            P05,
            "audience",
            "Indique hacia quién está dirigida la información.",
        ),
        (
            AudiovisualMaterialForm,
            P05,
            "media_kind",
            "Especifique si el material es visual o de audio.",
        ),
        (AudiovisualMaterialForm, P05, "duration_seconds", "Especifique la duración requerida."),
        (
            AudiovisualMaterialForm,
            P05,
            "platform",
            "Especifique en qué medio o plataforma será reproducido el material.",
        ),
        (
            AudiovisualMaterialForm,
            P05,
            "required_date",
            "Indique la fecha en que requiere el material.",
        ),
        (
            GraphicMaterialForm,
            P06,
            "justification",
            "Justifique brevemente el desarrollo del material gráfico.",
        ),
        (
            GraphicMaterialForm,
            P06,
            "material_type",
            "Especifique el tipo de material gráfico requerido.",
        ),
        (GraphicMaterialForm, P06, "file_format", "Especifique el formato requerido."),
        (
            GraphicMaterialForm,
            P06,
            "medium",
            "Indique si el material será digital, para impresión o ambos.",
        ),
        (
            GraphicMaterialForm,
            P06,
            "content_text",
            "Escriba el texto que llevará el material gráfico.",
        ),
        (
            GraphicMaterialForm,
            P06,
            "required_date",
            "Indique la fecha en que requiere el material.",
        ),
    ],
)
def test_required_fields(form_class, data, field: str, message: str) -> None:
    form = form_class(MultiDict(without(data, field)))
    assert not form.validate()
    assert form.errors[field] == [message]
    if field != "medium":  # without a medium, the print and platform data are dropped, not wrong
        assert set(form.errors) == {field}


@pytest.mark.parametrize(("form_class", "data"), MATERIAL_FORMS, ids=MATERIAL_IDS)
def test_slogan_and_date_of_the_material_are_optional(form_class, data) -> None:
    form = form_class(MultiDict(without(data, "slogan", "content_date")))
    assert form.validate(), form.errors


@pytest.mark.parametrize(("form_class", "data"), MATERIAL_FORMS, ids=MATERIAL_IDS)
def test_digital_requires_the_platform_and_drops_print_data(form_class, data) -> None:
    form = form_class(MultiDict({**without(data, "platform"), "medium": "digital"}))
    assert not form.validate()
    assert form.errors == {"platform": ["Indique la plataforma en la que será utilizado."]}
    assert form.print_material.data == ""
    assert (form.print_width_cm.data, form.print_height_cm.data) == (None, None)


@pytest.mark.parametrize(("form_class", "data"), MATERIAL_FORMS, ids=MATERIAL_IDS)
def test_digital_with_platform_is_valid(form_class, data) -> None:
    form = form_class(MultiDict({**data, "medium": "digital", "platform": "Sitio web"}))
    assert form.validate(), form.errors
    assert form.data["platform"] == "Sitio web"
    assert form.data["print_material"] == ""
    assert form.data["print_width_cm"] is None


@pytest.mark.parametrize(("form_class", "data"), MATERIAL_FORMS, ids=MATERIAL_IDS)
def test_print_requires_material_and_real_size_and_drops_platform(form_class, data) -> None:
    keys = ("print_material", "print_width_cm", "print_height_cm")
    form = form_class(
        MultiDict({**without(data, *keys), "medium": "impresion", "platform": "Facebook"})
    )
    assert not form.validate()
    assert form.errors == {
        "print_material": ["Indique el tipo de material en el que se imprimirá."],
        "print_width_cm": ["Indique el ancho real en centímetros."],
        "print_height_cm": ["Indique el alto real en centímetros."],
    }
    assert form.platform.data == ""


@pytest.mark.parametrize(("form_class", "data"), MATERIAL_FORMS, ids=MATERIAL_IDS)
def test_both_requires_platform_and_print_data(form_class, data) -> None:
    keys = ("platform", "print_material", "print_width_cm", "print_height_cm")
    form = form_class(MultiDict({**without(data, *keys), "medium": "ambos"}))
    assert not form.validate()
    assert set(form.errors) == set(keys)


@pytest.mark.parametrize(("form_class", "data"), MATERIAL_FORMS, ids=MATERIAL_IDS)
@pytest.mark.parametrize("value", ["0", "-5", "10000.1"])
def test_real_size_must_be_a_sensible_number_of_cm(form_class, data, value: str) -> None:
    form = form_class(MultiDict({**data, "print_width_cm": value}))
    assert not form.validate()
    assert form.errors == {
        "print_width_cm": ["Escriba una medida en centímetros entre 0.1 y 10000."]
    }


@pytest.mark.parametrize(("form_class", "data"), MATERIAL_FORMS, ids=MATERIAL_IDS)
def test_unreadable_size_gets_a_single_message(form_class, data) -> None:
    form = form_class(MultiDict({**data, "print_height_cm": "21 cm"}))
    assert not form.validate()
    assert form.errors == {
        "print_height_cm": ["Escriba la medida en centímetros, por ejemplo 21.5."]
    }


@pytest.mark.parametrize(("form_class", "data"), MATERIAL_FORMS, ids=MATERIAL_IDS)
def test_unknown_medium_is_refused(form_class, data) -> None:
    form = form_class(MultiDict({**data, "medium": "holograma"}))
    assert not form.validate()
    assert form.errors["medium"] == ["Elija una de las opciones de la lista."]


def test_p06_refuses_an_unknown_material_type() -> None:
    form = GraphicMaterialForm(MultiDict({**P06, "material_type": "espectacular"}))
    assert not form.validate()
    assert form.errors == {"material_type": ["Elija una de las opciones de la lista."]}


def test_p05_refuses_an_unknown_media_kind() -> None:
    form = AudiovisualMaterialForm(MultiDict({**P05, "media_kind": "holograma"}))
    assert not form.validate()
    assert form.errors == {"media_kind": ["Elija una de las opciones de la lista."]}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "Escriba una duración entre 1 y 10800 segundos."),
        ("10801", "Escriba una duración entre 1 y 10800 segundos."),
        ("medio minuto", "Escriba la duración en segundos, por ejemplo 30."),
    ],
)
def test_p05_duration_is_checked(value: str, message: str) -> None:
    form = AudiovisualMaterialForm(MultiDict({**P05, "duration_seconds": value}))
    assert not form.validate()
    assert form.errors == {"duration_seconds": [message]}


def test_required_date_must_be_a_date() -> None:
    form = AudiovisualMaterialForm(MultiDict({**P05, "required_date": "mañana"}))
    assert not form.validate()
    assert form.errors == {"required_date": ["Escriba una fecha válida (AAAA-MM-DD)."]}
