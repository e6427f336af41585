"""Request forms of P01, P02, P03 and PSDT-06, fed as a browser would (MultiDict)."""

from __future__ import annotations

from datetime import date
from datetime import datetime

import pytest
from werkzeug.datastructures import MultiDict

from plugins.comunicacion import services
from plugins.comunicacion.forms import CoverageForm
from plugins.comunicacion.forms import MediaInformationForm
from plugins.comunicacion.forms import SocialMediaForm
from plugins.comunicacion.forms import SocialNetworksForm
from plugins.comunicacion.material_forms import AudiovisualMaterialForm
from plugins.comunicacion.material_forms import EditorialMaterialForm
from plugins.comunicacion.material_forms import GraphicMaterialForm

P01 = {
    "event_name": "Entrega de luminarias en San Martín Cuautlalpan",
    "event_at": "2026-11-27T10:30",
    "place": "Explanada de la delegación",
    "address": "Av. Hidalgo 12, San Martín Cuautlalpan, Chalco",
    "photo": "y",
    "video": "y",
}
P02 = {
    "information": "Jornada de vacunación antirrábica en las 13 delegaciones.",
    "participants": "Dirección de Salud; Jurisdicción Sanitaria Amecameca",
    "topic": "Vacunación antirrábica",
    "publication_start": "2026-12-01",
    "publication_end": "2026-12-05",
    "place": "Delegaciones del municipio",
    "relevance": "Campaña anual obligatoria; protege a más de 20 000 mascotas.",
}
P02_NETWORKS = ["facebook", "sitio_web"]
P03 = {"research_topics": "Avance de la obra de drenaje en Avenida Cuauhtémoc"}
PSDT06_PUBLICATION = {"kind": "publicacion", "information": "Horario de verano del registro civil."}
PSDT06_QUESTION = {
    "kind": "pregunta",
    "question": "¿Dónde tramito mi acta de nacimiento?",
    "question_network": "facebook",
    "citizen_account": "@vecina_culiacan",
}


def multidict(data: dict[str, str], **lists: list[str]) -> MultiDict:
    pairs = list(data.items())
    for key, values in lists.items():
        pairs.extend((key, value) for value in values)
    return MultiDict(pairs)


def without(data: dict[str, str], key: str) -> dict[str, str]:
    return {k: v for k, v in data.items() if k != key}


def test_every_service_has_its_form() -> None:
    forms = {service.code: service.form for service in services.ALL}
    assert forms == {
        "GCH-CCS-P01": CoverageForm,
        "GCH-CCS-P02": SocialMediaForm,
        "GCH-CCS-P03": MediaInformationForm,
        "GCH-CCS-P04": EditorialMaterialForm,
        "GCH-CCS-P05": AudiovisualMaterialForm,
        "GCH-CCS-P06": GraphicMaterialForm,
        "PSDT-06": SocialNetworksForm,
    }


@pytest.mark.parametrize("service", services.ALL, ids=lambda s: s.code)
def test_lead_time_field_exists_in_the_form(service) -> None:
    if service.lead_time is not None:
        assert service.lead_time.field in service.form()._fields


@pytest.mark.parametrize("service", services.ALL, ids=lambda s: s.code)
def test_forms_leave_out_the_fields_the_core_adds(service) -> None:
    names = set(service.form()._fields)
    assert not names & {"unit", "liaison", "liaison_name", "attachments", "photos", "csrf_token"}


def test_p01_valid_submission() -> None:
    form = CoverageForm(multidict(P01))
    assert form.validate(), form.errors
    assert form.data == {
        "event_name": "Entrega de luminarias en San Martín Cuautlalpan",
        "event_at": datetime(2026, 11, 27, 10, 30),
        "place": "Explanada de la delegación",
        "address": "Av. Hidalgo 12, San Martín Cuautlalpan, Chalco",
        "photo": True,
        "video": True,
    }


def test_p01_labels_are_the_documents() -> None:
    form = CoverageForm()
    assert form.event_name.label.text == "Nombre del evento institucional a cubrir"
    assert form.photo.label.text == "Cobertura fotográfica"
    assert form.video.label.text == "Cobertura videográfica"


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("event_name", "Escriba el nombre del evento institucional a cubrir."),
        ("event_at", "Indique la fecha y la hora del evento."),
        ("place", "Indique el lugar del evento."),
        ("address", "Indique la dirección del evento."),
    ],
)
def test_p01_required_fields(field: str, message: str) -> None:
    form = CoverageForm(multidict(without(P01, field)))
    assert not form.validate()
    assert form.errors == {field: [message]}


def test_p01_blank_text_counts_as_missing() -> None:
    form = CoverageForm(multidict({**P01, "event_name": "   "}))
    assert not form.validate()
    assert form.errors == {"event_name": ["Escriba el nombre del evento institucional a cubrir."]}


def test_p01_photo_and_video_are_each_optional_in_the_form() -> None:
    # At least one of them is the requirement check's job (checks.p01_coverage_kind).
    form = CoverageForm(multidict(without(P01, "video")))
    assert form.validate(), form.errors
    assert (form.photo.data, form.video.data) == (True, False)


def test_p01_event_at_must_be_a_datetime() -> None:
    form = CoverageForm(multidict({**P01, "event_at": "27/11/2026 10:30"}))
    assert not form.validate()
    assert form.errors == {"event_at": ["Escriba una fecha y hora válidas (AAAA-MM-DD HH:MM)."]}


def test_p01_text_length_is_limited() -> None:
    form = CoverageForm(multidict({**P01, "event_name": "x" * 201}))
    assert not form.validate()
    assert form.errors == {"event_name": ["Escriba como máximo 200 caracteres."]}


def test_p02_valid_submission() -> None:
    form = SocialMediaForm(multidict(P02, networks=P02_NETWORKS))
    assert form.validate(), form.errors
    assert form.data == {
        **P02,
        "publication_start": date(2026, 12, 1),
        "publication_end": date(2026, 12, 5),
        "networks": ["facebook", "sitio_web"],
    }


def test_p02_offers_the_documents_networks() -> None:
    labels = [choice.label for choice in SocialMediaForm().networks]
    assert [label.text for label in labels] == [
        "YouTube",
        "Facebook",
        "Twitter/X",
        "Instagram",
        "Sitio web institucional",
    ]


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("information", "Escriba la información que se requiere difundir."),
        (
            "participants",
            "Indique quiénes participan: servidoras o servidores públicos, sociedad civil o "
            "instituciones.",
        ),
        ("topic", "Escriba el tema de la publicación."),
        ("publication_start", "Indique desde qué fecha se publicará."),
        ("publication_end", "Indique hasta qué fecha se publicará."),
        ("place", "Indique el lugar del evento."),
        ("relevance", "Explique la relevancia del evento."),
    ],
)
def test_p02_required_fields(field: str, message: str) -> None:
    form = SocialMediaForm(multidict(without(P02, field), networks=P02_NETWORKS))
    assert not form.validate()
    assert form.errors == {field: [message]}


def test_p02_needs_at_least_one_network() -> None:
    form = SocialMediaForm(multidict(P02))
    assert not form.validate()
    assert form.errors == {"networks": ["Elija al menos una red social."]}


def test_p02_refuses_an_unknown_network() -> None:
    form = SocialMediaForm(multidict(P02, networks=["tiktok"]))
    assert not form.validate()
    assert form.errors == {"networks": ["Elija una de las opciones de la lista."]}


def test_p02_publication_start_must_be_a_date() -> None:
    form = SocialMediaForm(
        multidict({**P02, "publication_start": "1 de diciembre"}, networks=["facebook"])
    )
    assert not form.validate()
    assert form.errors == {"publication_start": ["Escriba una fecha válida (AAAA-MM-DD)."]}


def test_p03_valid_submission_without_interview() -> None:
    form = MediaInformationForm(multidict(P03))
    assert form.validate(), form.errors
    assert form.data == {
        "research_topics": P03["research_topics"],
        "interview_requested": False,
        "interviewee": "",
    }


def test_p03_valid_submission_with_interview() -> None:
    data = {**P03, "interview_requested": "y", "interviewee": "Ing. Laura Méndez, Obras Públicas"}
    form = MediaInformationForm(multidict(data))
    assert form.validate(), form.errors
    assert form.data["interview_requested"] is True
    assert form.data["interviewee"] == "Ing. Laura Méndez, Obras Públicas"


def test_p03_requires_the_research_topics() -> None:
    form = MediaInformationForm(multidict({}))
    assert not form.validate()
    assert form.errors == {"research_topics": ["Especifique el tema o temas de investigación."]}


def test_p03_interview_requires_the_public_servant() -> None:
    form = MediaInformationForm(multidict({**P03, "interview_requested": "y"}))
    assert not form.validate()
    assert form.errors == {
        "interviewee": ["Indique el nombre del servidor(a) público a entrevistar."]
    }


def test_p03_public_servant_is_dropped_without_interview() -> None:
    form = MediaInformationForm(multidict({**P03, "interviewee": "Lic. Pedro Ríos"}))
    assert form.validate(), form.errors
    assert form.data["interviewee"] == ""


def test_psdt06_valid_publication() -> None:
    form = SocialNetworksForm(multidict(PSDT06_PUBLICATION, networks=["facebook", "twitter"]))
    assert form.validate(), form.errors
    assert form.data == {
        "kind": "publicacion",
        "information": "Horario de verano del registro civil.",
        "networks": ["facebook", "twitter"],
        "question": "",
        "question_network": "",
        "citizen_account": "",
    }


def test_psdt06_valid_question() -> None:
    form = SocialNetworksForm(multidict(PSDT06_QUESTION))
    assert form.validate(), form.errors
    assert form.data == {
        "kind": "pregunta",
        "information": "",
        "networks": [],
        "question": "¿Dónde tramito mi acta de nacimiento?",
        "question_network": "facebook",
        "citizen_account": "@vecina_culiacan",
    }


def test_psdt06_kind_labels() -> None:
    assert [choice.label.text for choice in SocialNetworksForm().kind] == [
        "Información a publicar (dependencia)",
        "Duda o pregunta ciudadana",
    ]


def test_psdt06_requires_the_kind() -> None:
    form = SocialNetworksForm(multidict({"question": "¿Hay citas?"}))
    assert not form.validate()
    assert form.errors == {"kind": ["Elija el tipo de solicitud."]}


def test_psdt06_refuses_an_unknown_kind() -> None:
    form = SocialNetworksForm(multidict({"kind": "queja", "question": "¿Hay citas?"}))
    assert not form.validate()
    assert form.errors == {"kind": ["Elija una de las opciones de la lista."]}


def test_psdt06_publication_requires_information_and_networks() -> None:
    form = SocialNetworksForm(multidict({"kind": "publicacion"}))
    assert not form.validate()
    assert form.errors == {
        "information": ["Escriba la información a publicar."],
        "networks": ["Elija al menos una red social."],
    }


def test_psdt06_publication_networks_are_facebook_and_twitter_only() -> None:
    form = SocialNetworksForm(multidict(PSDT06_PUBLICATION, networks=["instagram"]))
    assert not form.validate()
    assert form.errors == {"networks": ["Elija una de las opciones de la lista."]}


def test_psdt06_publication_drops_question_fields() -> None:
    data = {**PSDT06_PUBLICATION, **without(PSDT06_QUESTION, "kind")}
    form = SocialNetworksForm(multidict(data, networks=["facebook"]))
    assert form.validate(), form.errors
    assert (form.data["question"], form.data["question_network"]) == ("", "")
    assert form.data["citizen_account"] == ""


def test_psdt06_question_requires_the_question() -> None:
    form = SocialNetworksForm(multidict({"kind": "pregunta"}))
    assert not form.validate()
    assert form.errors == {"question": ["Escriba la duda, pregunta o comentario."]}


def test_psdt06_question_drops_publication_fields() -> None:
    data = {**PSDT06_QUESTION, "information": "Otra cosa"}
    form = SocialNetworksForm(multidict(data, networks=["twitter"]))
    assert form.validate(), form.errors
    assert (form.data["information"], form.data["networks"]) == ("", [])


def test_psdt06_question_without_network_drops_the_account() -> None:
    # An account means nothing without the network it belongs to.
    data = {**PSDT06_QUESTION, "question_network": ""}
    form = SocialNetworksForm(multidict(data))
    assert form.validate(), form.errors
    assert form.data["citizen_account"] == ""
