"""The automatic requirement checks of Medios Interactivos."""

from __future__ import annotations

import datetime

import pytest
from werkzeug.datastructures import MultiDict

from plugins.medios_interactivos.checks import chat_schedule
from plugins.medios_interactivos.checks import chat_single_topic
from plugins.medios_interactivos.checks import forum_duration
from plugins.medios_interactivos.forms import CHAT_DATE_REQUIRED
from plugins.medios_interactivos.forms import CHAT_SLOT_REQUIRED
from plugins.medios_interactivos.forms import CHAT_WEEKDAY
from plugins.medios_interactivos.forms import FORUM_DURATION
from plugins.medios_interactivos.forms import FORUM_END_BEFORE_START
from plugins.medios_interactivos.forms import FORUM_END_REQUIRED
from plugins.medios_interactivos.forms import FORUM_START_REQUIRED
from plugins.medios_interactivos.services import MEDIOS_INTERACTIVOS

from .test_forms import CHAT_VALID
from .test_forms import FORUM_VALID


def issues_of(issues):
    return [(issue.field, issue.message, issue.blocking) for issue in issues]


# -- Chat schedule --------------------------------------------------------------


@pytest.mark.parametrize("slot", ["11:00-13:00", "16:00-18:00"])
def test_chat_on_a_weekday_in_a_window_passes(slot):
    assert chat_schedule({**CHAT_VALID, "chat_slot": slot}) == []


@pytest.mark.parametrize("day", ["2026-12-05", "2026-12-06"])
def test_chat_on_a_weekend_blocks(day):
    assert issues_of(chat_schedule({**CHAT_VALID, "chat_date": day})) == [
        ("chat_date", CHAT_WEEKDAY, True)
    ]


@pytest.mark.parametrize("day", [None, "", "2026-13-01", "el lunes"])
def test_chat_without_a_readable_date_blocks(day):
    assert issues_of(chat_schedule({**CHAT_VALID, "chat_date": day})) == [
        ("chat_date", CHAT_DATE_REQUIRED, True)
    ]


@pytest.mark.parametrize("slot", [None, "", "13:00-15:00"])
def test_chat_outside_the_windows_blocks(slot):
    assert issues_of(chat_schedule({**CHAT_VALID, "chat_slot": slot})) == [
        ("chat_slot", CHAT_SLOT_REQUIRED, True)
    ]


def test_chat_schedule_ignores_forums():
    assert chat_schedule({"event_kind": "forum", "chat_date": "2026-12-05"}) == []


# -- One topic per chat ---------------------------------------------------------


@pytest.mark.parametrize("topics", ["Divorcio administrativo", "Divorcio administrativo\n\n  "])
def test_chat_with_one_topic_passes(topics):
    assert chat_single_topic({**CHAT_VALID, "topics": topics}) == []


def test_chat_with_several_topics_warns():
    issues = chat_single_topic({**CHAT_VALID, "topics": "Divorcio\nPensión alimenticia\nCustodia"})
    assert len(issues) == 1
    assert issues[0].field == "topics"
    assert not issues[0].blocking
    assert issues[0].message.startswith("Se proponen 3 temas")


def test_forum_with_several_topics_passes():
    assert chat_single_topic(FORUM_VALID) == []


# -- Forum duration ------------------------------------------------------------


@pytest.mark.parametrize("end", ["2026-12-13", "2026-12-20", "2027-01-03"])
def test_forum_from_one_to_four_weeks_passes(end):
    assert forum_duration({**FORUM_VALID, "forum_end": end}) == []


@pytest.mark.parametrize("end", ["2026-12-12", "2027-01-04"])
def test_forum_too_short_or_too_long_blocks(end):
    assert issues_of(forum_duration({**FORUM_VALID, "forum_end": end})) == [
        ("forum_end", FORUM_DURATION, True)
    ]


def test_forum_ending_before_it_starts_blocks():
    assert issues_of(forum_duration({**FORUM_VALID, "forum_end": "2026-12-01"})) == [
        ("forum_end", FORUM_END_BEFORE_START, True)
    ]


def test_forum_without_dates_blocks():
    data = {**FORUM_VALID, "forum_start": None, "forum_end": "pronto"}
    assert issues_of(forum_duration(data)) == [
        ("forum_start", FORUM_START_REQUIRED, True),
        ("forum_end", FORUM_END_REQUIRED, True),
    ]


def test_forum_duration_ignores_chats():
    assert forum_duration(CHAT_VALID) == []


# -- Form and checks agree -----------------------------------------------------


@pytest.mark.parametrize("valid", [CHAT_VALID, FORUM_VALID], ids=["chat", "forum"])
def test_valid_form_data_raises_no_issue(valid):
    form = MEDIOS_INTERACTIVOS.form(MultiDict(valid))
    assert form.validate(), form.errors
    data = {
        key: value.isoformat() if isinstance(value, datetime.date) else value
        for key, value in form.data.items()
    }
    data["attachments"] = [{"name": "oficio.pdf", "content_type": "application/pdf"}]
    assert [issue for check in MEDIOS_INTERACTIVOS.checks for issue in check(data)] == []
