"""Automatic requirement checks of Medios Interactivos (FO-SASTI-UDPCC-33).

Pure functions of the submitted data (the JSON-ready form data plus
"attachments", dates as "YYYY-MM-DD"). The scheduling rules the form enforces
are checked again here because data can also arrive through the API.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from helpdesk.catalog import RequirementIssue
from plugins.medios_interactivos.forms import CHAT
from plugins.medios_interactivos.forms import CHAT_DATE_REQUIRED
from plugins.medios_interactivos.forms import CHAT_SLOT_REQUIRED
from plugins.medios_interactivos.forms import CHAT_SLOTS
from plugins.medios_interactivos.forms import CHAT_WEEKDAY
from plugins.medios_interactivos.forms import FORUM
from plugins.medios_interactivos.forms import FORUM_DURATION
from plugins.medios_interactivos.forms import FORUM_END_BEFORE_START
from plugins.medios_interactivos.forms import FORUM_END_REQUIRED
from plugins.medios_interactivos.forms import FORUM_MAX_DAYS
from plugins.medios_interactivos.forms import FORUM_MIN_DAYS
from plugins.medios_interactivos.forms import FORUM_START_REQUIRED
from plugins.medios_interactivos.forms import forum_days
from plugins.medios_interactivos.forms import is_weekday


def _date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


def chat_schedule(data: Mapping[str, Any]) -> list[RequirementIssue]:
    """A chat takes place Monday to Friday, 11:00-13:00 or 16:00-18:00."""
    if data.get("event_kind") != CHAT:
        return []
    issues: list[RequirementIssue] = []
    day = _date(data.get("chat_date"))
    if day is None:
        issues.append(RequirementIssue(field="chat_date", message=CHAT_DATE_REQUIRED))
    elif not is_weekday(day):
        issues.append(RequirementIssue(field="chat_date", message=CHAT_WEEKDAY))
    if data.get("chat_slot") not in CHAT_SLOTS:
        issues.append(RequirementIssue(field="chat_slot", message=CHAT_SLOT_REQUIRED))
    return issues


def chat_single_topic(data: Mapping[str, Any]) -> list[RequirementIssue]:
    """Warn when a chat proposes several topics (one per line).

    Not blocking: the Ficha only suggests "un tema por evento único de chat";
    Contenidos may agree with the expert to adjust the proposal.
    """
    if data.get("event_kind") != CHAT:
        return []
    topics = data.get("topics")
    text = topics if isinstance(topics, str) else ""
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) <= 1:
        return []
    return [
        RequirementIssue(
            field="topics",
            message=(
                f"Se proponen {len(lines)} temas: para un chat se sugiere un solo tema por "
                "evento; los demás pueden programarse en otros chats."
            ),
            blocking=False,
        )
    ]


def forum_duration(data: Mapping[str, Any]) -> list[RequirementIssue]:
    """A forum lasts at least 1 week and at most 4 weeks."""
    if data.get("event_kind") != FORUM:
        return []
    start = _date(data.get("forum_start"))
    end = _date(data.get("forum_end"))
    issues: list[RequirementIssue] = []
    if start is None:
        issues.append(RequirementIssue(field="forum_start", message=FORUM_START_REQUIRED))
    if end is None:
        issues.append(RequirementIssue(field="forum_end", message=FORUM_END_REQUIRED))
    if start is None or end is None:
        return issues
    if end <= start:
        return [RequirementIssue(field="forum_end", message=FORUM_END_BEFORE_START)]
    if not FORUM_MIN_DAYS <= forum_days(start, end) <= FORUM_MAX_DAYS:
        return [RequirementIssue(field="forum_end", message=FORUM_DURATION)]
    return []
