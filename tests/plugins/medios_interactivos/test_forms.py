"""The request form of Medios Interactivos (FO-SASTI-UDPCC-33): chats and forums."""

from __future__ import annotations

import datetime

import pytest
from werkzeug.datastructures import MultiDict

from plugins.medios_interactivos import checks
from plugins.medios_interactivos.forms import CHAT_DATE_REQUIRED
from plugins.medios_interactivos.forms import CHAT_SLOT_REQUIRED
from plugins.medios_interactivos.forms import CHAT_WEEKDAY
from plugins.medios_interactivos.forms import FORUM_DURATION
from plugins.medios_interactivos.forms import FORUM_END_BEFORE_START
from plugins.medios_interactivos.forms import FORUM_END_REQUIRED
from plugins.medios_interactivos.forms import FORUM_START_REQUIRED
from plugins.medios_interactivos.forms import InteractiveMediaForm
from plugins.medios_interactivos.forms import forum_days
from plugins.medios_interactivos.services import MEDIOS_INTERACTIVOS

EXPERT = {
    "expert_name": "Lic. Ana María Hernández Ruiz",
    "expert_email": "ana.hernandez@edomex.gob.mx",
    "expert_phone": "722 276 9600 ext. 60163",
}
CHAT_VALID = {
    "event_kind": "chat",
    **EXPERT,
    "topics": "Trámite de divorcio administrativo",
    "chat_date": "2026-12-07",  # a Monday
    "chat_slot": "16:00-18:00",
}
FORUM_VALID = {
    "event_kind": "forum",
    **EXPERT,
    "topics": "Derechos laborales\nSeguridad social",
    "forum_start": "2026-12-07",
    "forum_end": "2026-12-20",
}
REQUIRED = ["Este campo es obligatorio."]


def build(valid, drop=(), **changes):
    data = {k: v for k, v in valid.items() if k not in drop}
    data.update(changes)
    return InteractiveMediaForm(MultiDict(data))


def test_chat_valid():
    form = build(CHAT_VALID)
    assert form.validate(), form.errors
    assert form.data == {
        "event_kind": "chat",
        **EXPERT,
        "topics": "Trámite de divorcio administrativo",
        "chat_date": datetime.date(2026, 12, 7),
        "chat_slot": "16:00-18:00",
        "forum_start": None,
        "forum_end": None,
    }


def test_forum_valid():
    form = build(FORUM_VALID)
    assert form.validate(), form.errors
    assert form.data["forum_start"] == datetime.date(2026, 12, 7)
    assert form.data["forum_end"] == datetime.date(2026, 12, 20)
    assert form.data["chat_date"] is None
    assert form.data["chat_slot"] is None


def test_chat_slots_are_the_documents():
    labels = [choice.label for choice in InteractiveMediaForm().chat_slot.iter_choices()]
    assert labels == ["De 11:00 a 13:00 horas", "De 16:00 a 18:00 horas"]


@pytest.mark.parametrize(
    "field", ["event_kind", "expert_name", "expert_email", "expert_phone", "topics"]
)
@pytest.mark.parametrize("valid", [CHAT_VALID, FORUM_VALID], ids=["chat", "forum"])
def test_required_fields(valid, field):
    form = build(valid, drop=[field])
    assert not form.validate()
    assert form.errors[field] == REQUIRED


def test_expert_email_must_be_an_address():
    form = build(CHAT_VALID, expert_email="ana.hernandez")
    assert not form.validate()
    assert form.errors == {
        "expert_email": ["Escriba una dirección válida, como nombre@edomex.gob.mx."]
    }


def test_unknown_event_kind():
    form = build(CHAT_VALID, event_kind="webinar")
    assert not form.validate()
    assert form.errors == {"event_kind": ["Elija una de las opciones de la lista."]}


# -- A chat: a weekday and one of two windows ----------------------------------


@pytest.mark.parametrize(
    ("field", "message"), [("chat_date", CHAT_DATE_REQUIRED), ("chat_slot", CHAT_SLOT_REQUIRED)]
)
def test_chat_requires_date_and_slot(field, message):
    form = build(CHAT_VALID, drop=[field])
    assert not form.validate()
    assert form.errors == {field: [message]}


@pytest.mark.parametrize("day", ["2026-12-05", "2026-12-06"])  # Saturday, Sunday
def test_chat_on_a_weekend_is_refused(day):
    form = build(CHAT_VALID, chat_date=day)
    assert not form.validate()
    assert form.errors == {"chat_date": [CHAT_WEEKDAY]}


@pytest.mark.parametrize(
    ("day", "slot"), [("2026-12-07", "11:00-13:00"), ("2026-12-11", "16:00-18:00")]
)
def test_chat_monday_to_friday_in_either_window(day, slot):
    form = build(CHAT_VALID, chat_date=day, chat_slot=slot)
    assert form.validate(), form.errors


def test_chat_outside_the_windows_is_refused():
    form = build(CHAT_VALID, chat_slot="13:00-15:00")
    assert not form.validate()
    assert form.errors == {"chat_slot": ["Elija una de las opciones de la lista."]}


def test_chat_with_an_unreadable_date_says_so_once():
    form = build(CHAT_VALID, chat_date="7 de diciembre")
    assert not form.validate()
    assert form.errors == {"chat_date": ["Escriba una fecha válida con el formato AAAA-MM-DD."]}


def test_chat_ignores_forum_dates():
    form = build(CHAT_VALID, forum_start="2026-12-07", forum_end="2026-12-08")
    assert form.validate(), form.errors


# -- A forum: from 1 to 4 weeks -------------------------------------------------


@pytest.mark.parametrize(
    ("field", "message"),
    [("forum_start", FORUM_START_REQUIRED), ("forum_end", FORUM_END_REQUIRED)],
)
def test_forum_requires_both_dates(field, message):
    form = build(FORUM_VALID, drop=[field])
    assert not form.validate()
    assert form.errors == {field: [message]}


@pytest.mark.parametrize(
    "end",
    [
        "2026-12-13",  # 7 days counting both ends: one week
        "2027-01-03",  # 28 days: four weeks
    ],
)
def test_forum_from_one_to_four_weeks(end):
    form = build(FORUM_VALID, forum_end=end)
    assert form.validate(), form.errors


@pytest.mark.parametrize("end", ["2026-12-12", "2027-01-04"])  # 6 and 29 days
def test_forum_shorter_or_longer_is_refused(end):
    form = build(FORUM_VALID, forum_end=end)
    assert not form.validate()
    assert form.errors == {"forum_end": [FORUM_DURATION]}


@pytest.mark.parametrize("end", ["2026-12-07", "2026-11-30"])
def test_forum_ending_before_it_starts_is_refused(end):
    form = build(FORUM_VALID, forum_end=end)
    assert not form.validate()
    assert form.errors == {"forum_end": [FORUM_END_BEFORE_START]}


def test_forum_ignores_chat_fields():
    form = build(FORUM_VALID, chat_date="2026-12-05")
    assert form.validate(), form.errors


def test_forum_days_counts_both_ends():
    assert forum_days(datetime.date(2026, 12, 7), datetime.date(2026, 12, 13)) == 7


# -- Wiring --------------------------------------------------------------------


def test_service_carries_form_checks_and_checklist():
    assert MEDIOS_INTERACTIVOS.form is InteractiveMediaForm
    assert MEDIOS_INTERACTIVOS.checks == (
        checks.chat_schedule,
        checks.chat_single_topic,
        checks.forum_duration,
    )
    assert "La propuesta de temas es de interés ciudadano" in MEDIOS_INTERACTIVOS.checklist
