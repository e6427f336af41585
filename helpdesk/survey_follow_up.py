"""The follow-up of the satisfaction surveys' answers (issue 7).

An "Insatisfecho" answer waits here until a coordinator records what was done
about it (once, who and when kept). The list shows the unsatisfied answers
awaiting follow-up first, then the newest, a page at a time; the whole list
downloads as CSV or XLSX with the page's columns and values
(:mod:`helpdesk.exports`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import case
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import selectinload

from helpdesk import exports
from helpdesk import plugins
from helpdesk.extensions import db
from helpdesk.models import Survey
from helpdesk.models import Ticket
from helpdesk.models import User
from helpdesk.models.base import utcnow
from helpdesk.models.surveys import RATINGS
from helpdesk.sla import as_utc
from helpdesk.surveys import RATING_LABELS
from helpdesk.surveys import SurveyError
from helpdesk.surveys import questions_for

MAX_NOTE = 2000

RATING_FILTERS = ("unsatisfied", "regular", "satisfied", "all")
PAGE_SIZE = 50
# Local moments in the list and its files: sortable, the same in every language.
MOMENT_FORMAT = "%Y-%m-%d %H:%M"
PAGE_RE = re.compile(r"[0-9]+")
PAGE_DIGITS = 9
YES_NO_LABELS = {"yes": _l("Yes"), "no": _l("No")}
FOLLOW_UP_LABELS = {
    "done": _l("Followed up"),
    "pending": _l("Awaiting follow-up"),
    "open": _l("Not followed up"),
    "not_needed": _l("Not needed"),
}


def answered(
    rating: str = "unsatisfied", limit: int | None = None, offset: int = 0
) -> list[Survey]:
    """Answered surveys of the current tenant: unsatisfied ones awaiting follow-up first,
    then newest first. ``rating`` is one of :data:`RATING_FILTERS`; every row unless
    ``limit``. The ticket, its unit, the requester and who followed up come in the
    same few queries whatever the number of rows (no query per row)."""
    pending = case(((Survey.rating == "unsatisfied") & Survey.followed_up_at.is_(None), 0), else_=1)
    statement = (
        select(Survey)
        .where(Survey.answered_at.is_not(None))
        .options(
            selectinload(Survey.ticket).selectinload(Ticket.unit),
            selectinload(Survey.requester),
            selectinload(Survey.followed_up_by),
        )
        .order_by(pending, Survey.answered_at.desc(), Survey.id.desc())
        .offset(offset)
    )
    if limit is not None:
        statement = statement.limit(limit)
    if rating != "all":
        statement = statement.where(Survey.rating == rating)
    return list(db.session.scalars(statement))


def _moment(value: datetime | None, zone: str) -> str | None:
    if value is None:
        return None
    return as_utc(value).astimezone(ZoneInfo(zone)).strftime(MOMENT_FORMAT)


def follow_up_status(survey: Survey) -> str:
    """One of :data:`FOLLOW_UP_LABELS`: followed up, an unsatisfied answer awaiting it,
    a regular one that may have it, a satisfied one that needs none."""
    if survey.followed_up_at is not None:
        return "done"
    if survey.rating == "unsatisfied":
        return "pending"
    return "open" if survey.rating == "regular" else "not_needed"


@dataclass(frozen=True)
class FollowUpRow:
    """One answer of the follow-up list as the page shows it and the files write it."""

    survey: Survey
    folio: str
    service: str
    unit: str | None
    requester: str | None
    concluded: str | None
    answered: str | None
    rating: str
    comment: str | None
    other_answers: tuple[tuple[str, str], ...]
    status: str
    followed_up_by: str | None
    followed_up_on: str | None
    note: str | None

    @property
    def status_label(self) -> str:
        return str(FOLLOW_UP_LABELS[self.status])

    def cells(self) -> tuple[str | None, ...]:
        """The row of the files, in the order of :func:`follow_up_columns`."""
        others = "; ".join(f"{question}: {value}" for question, value in self.other_answers)
        return (
            self.folio,
            self.service,
            self.unit,
            self.requester,
            self.concluded,
            self.answered,
            self.rating,
            self.comment,
            others or None,
            self.status_label,
            self.followed_up_by,
            self.followed_up_on,
            self.note,
        )


def _answer_text(value: Any) -> str:
    if value is True or value is False:
        return str(YES_NO_LABELS["yes" if value else "no"])
    return str(RATING_LABELS.get(value, value)) if isinstance(value, str) else str(value)


def _other_answers(
    answers: Mapping[str, Any], questions: Mapping[str, str]
) -> tuple[tuple[str, str], ...]:
    """The answers to the service's own questions in the questions' order (PostgreSQL's
    JSONB keeps an object's keys in its own order), then any no longer asked."""
    codes = [code for code in questions if code in answers]
    codes += sorted(code for code in answers if code not in questions)
    return tuple((questions.get(code, code), _answer_text(answers[code])) for code in codes)


def follow_up_rows(rows: Sequence[Survey], zone: str) -> list[FollowUpRow]:
    """The list's rows, with moments in the tenant's time zone ``zone``; no query."""
    catalog = plugins.host().catalog
    found = []
    for row in rows:
        service = catalog.get(row.service_code)
        questions = {question.code: question.text for question in questions_for(row)}
        found.append(
            FollowUpRow(
                survey=row,
                folio=row.ticket.folio,
                service=service.name if service is not None else row.service_code,
                unit=row.ticket.unit.name if row.ticket.unit else None,
                requester=row.requester.name if row.requester else None,
                concluded=_moment(row.ticket.closed_at, zone),
                answered=_moment(row.answered_at, zone),
                rating=str(RATING_LABELS.get(row.rating or "", row.rating or "")),
                comment=row.comment,
                other_answers=_other_answers(row.answers or {}, questions),
                status=follow_up_status(row),
                followed_up_by=row.followed_up_by.name if row.followed_up_by else None,
                followed_up_on=_moment(row.followed_up_at, zone),
                note=row.follow_up_note,
            )
        )
    return found


def follow_up_columns() -> tuple[exports.Column, ...]:
    return tuple(
        exports.Column(str(label))
        for label in (
            _l("Folio"),
            _l("Service"),
            _l("Requesting unit"),
            _l("Requester"),
            _l("Concluded"),
            _l("Answered"),
            _l("Rating"),
            _l("Comment"),
            _l("Other answers"),
            _l("Follow-up status"),
            _l("Followed up by"),
            _l("Followed up on"),
            _l("What was done"),
        )
    )


def follow_up_table(rows: Sequence[FollowUpRow]) -> exports.Table:
    """The list as an export table: the columns and values of the page."""
    return exports.Table(
        "seguimiento",
        str(_l("Satisfaction surveys")),
        follow_up_columns(),
        [row.cells() for row in rows],
        keys=[row.folio for row in rows],
    )


def page_number(raw: str | None) -> int | None:
    """The page asked for by ``?pagina=``: 1 when absent, None when it is not one."""
    text = (raw or "").strip()
    if not text:
        return 1
    if not PAGE_RE.fullmatch(text):
        return None
    digits = text.lstrip("0")
    if not digits:
        return None
    # Any longer number is past the end; int() would refuse one of thousands of digits.
    return int(digits) if len(digits) <= PAGE_DIGITS else 10**PAGE_DIGITS


@dataclass(frozen=True)
class FollowUpPage:
    """One page of the follow-up list; ``missing`` when the page asked for does not
    exist (not a number, below 1, past the end) and the nearest one is shown instead."""

    rows: list[FollowUpRow]
    number: int
    pages: int
    total: int
    size: int
    missing: bool

    @property
    def first(self) -> int:
        return (self.number - 1) * self.size + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return (self.number - 1) * self.size + len(self.rows)


def follow_up_page(
    rating: str, asked: str | None, counts: Mapping[str, int], zone: str
) -> FollowUpPage:
    """The page ``asked`` of the list filtered by ``rating`` (clamped to the pages there
    are); ``counts`` are :func:`answer_counts`, which hold the list's length."""
    size = PAGE_SIZE
    total = counts["all" if rating == "all" else rating]
    pages = max(1, -(-total // size))
    number = page_number(asked)
    missing = number is None or number > pages
    number = min(number or 1, pages)
    rows = answered(rating, limit=size, offset=(number - 1) * size)
    return FollowUpPage(follow_up_rows(rows, zone), number, pages, total, size, missing)


def answer_counts() -> dict[str, int]:
    """Answered surveys of the current tenant by rating, plus "pending" follow-ups."""
    rows = db.session.execute(
        select(Survey.rating, func.count(Survey.id))
        .where(Survey.answered_at.is_not(None))
        .group_by(Survey.rating)
    ).all()
    counts = {rating: 0 for rating in RATINGS} | {rating: count for rating, count in rows}
    counts["all"] = sum(counts[rating] for rating in RATINGS)
    counts["pending"] = (
        db.session.scalar(
            select(func.count(Survey.id)).where(
                Survey.rating == "unsatisfied", Survey.followed_up_at.is_(None)
            )
        )
        or 0
    )
    return counts


def follow_up(survey: Survey, user: User, note: object, now: datetime | None = None) -> None:
    """Record what the coordination did about an answer, once; commits.

    :raises SurveyError: no note, too long, not answered, or already followed up.
    """
    text = str(note or "").replace("\r\n", "\n").strip()
    if not text:
        raise SurveyError({"note": _l("Write what was done to follow up.")})
    if len(text) > MAX_NOTE:
        raise SurveyError({"note": _l("A note has at most %(max)d characters.", max=MAX_NOTE)})
    if survey.answered_at is None:
        raise SurveyError({"note": _l("The survey has not been answered yet.")})
    claimed = db.session.execute(
        update(Survey)
        .where(Survey.id == survey.id, Survey.followed_up_at.is_(None))
        .values(
            followed_up_at=as_utc(now or utcnow()), followed_up_by_id=user.id, follow_up_note=text
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        db.session.rollback()
        raise SurveyError({"note": _l("Someone already recorded the follow-up of this answer.")})
    db.session.commit()
