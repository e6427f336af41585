"""Satisfaction surveys after a request is concluded (issue 7): the link, answers, reminders.

A survey is created in the transaction of the step that concludes a ticket
(outcome "concluded": never for a rejected or withdrawn one), once per ticket:
a ticket reopened and concluded again keeps its first survey. Its link
carries a token that is never stored: the token is the HMAC-SHA256 of
``"survey:" + nonce`` under the app's ``SECRET_KEY`` (URL-safe base64), the row
keeps the nonce (so the reminder can rebuild the same link) and the token's
SHA-256 (so a visit finds the row by an indexed, unique lookup). A changed
secret key therefore retires every link still open.

The survey stays open ``HELPDESK_SURVEY_EXPIRY_DAYS`` calendar days; an
unanswered one is recalled once, ``HELPDESK_SURVEY_REMINDER_DAYS`` business
days (the tenant's calendar) after it was created, by :func:`remind_due`, which
runs with the SLA sweep and claims each row with a conditional UPDATE so two
runs at once send one reminder. An answer is taken whole or not at all, once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping
from collections.abc import Sequence
from datetime import datetime
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy import update

from helpdesk import notifications
from helpdesk import plugins
from helpdesk import tallies
from helpdesk.business_time import add_business_days
from helpdesk.catalog import SurveyQuestion
from helpdesk.extensions import db
from helpdesk.lead_times import spanish_date
from helpdesk.models import Survey
from helpdesk.models import Tenant
from helpdesk.models import Ticket
from helpdesk.models import TicketEvent
from helpdesk.models import User
from helpdesk.models.base import utcnow
from helpdesk.models.surveys import RATINGS
from helpdesk.sla import as_utc
from helpdesk.tenancy import scoped_to
from helpdesk.tenant_calendar import calendar_for
from helpdesk.workflow.definition import Outcome
from helpdesk.workflow.definition import Workflow

MAX_COMMENT = 2000
MAX_TEXT_ANSWER = 1000
YES_NO = {"yes": True, "no": False}
# 32 bytes of HMAC in URL-safe base64 without padding.
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{43}")

RATING_LABELS = {
    "satisfied": _l("Satisfied"),
    "regular": _l("Regular"),
    "unsatisfied": _l("Unsatisfied"),
}
ALREADY_ANSWERED = _l("This survey was already answered; thank you.")
EXPIRED = _l("This survey is closed: the time to answer it has passed.")


class SurveyError(Exception):
    """An answer or a follow-up note was refused; nothing was saved.

    ``errors`` maps a field (``"rating"``, ``"comment"``, ``"q_<code>"``,
    ``"note"``) to its message (lazily translated); ``closed`` is
    ``"answered"`` or ``"expired"`` when the survey cannot be answered at all.
    """

    def __init__(self, errors: Mapping[str, object], closed: str | None = None) -> None:
        self.errors = dict(errors)
        self.closed = closed
        super().__init__("; ".join(str(message) for message in self.errors.values()))


# --- the link -----------------------------------------------------------------------------


def token_for(nonce: str) -> str:
    """The survey's token: rebuilt from its nonce with the app's secret key."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    digest = hmac.new(key, b"survey:" + nonce.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def find_by_token(token: str) -> Survey | None:
    """The survey of this token in the current tenant (scoped), or None.

    A malformed, altered or foreign token finds nothing; the comparison of the
    rebuilt token runs in constant time.
    """
    if not TOKEN_RE.fullmatch(token or ""):
        return None
    survey = db.session.scalar(select(Survey).where(Survey.token_hash == hash_token(token)))
    if survey is None or not hmac.compare_digest(token_for(survey.nonce), token):
        return None
    return survey


def link(survey: Survey) -> str:
    """The absolute address of the survey's anonymous page (for e-mails)."""
    tenant = db.session.get(Tenant, survey.tenant_id)
    path = current_app.url_map.bind("").build(
        "surveys.answer", {"tenant": tenant.slug, "token": token_for(survey.nonce)}
    )
    return current_app.config["HELPDESK_BASE_URL"] + path


def follow_up_link(tenant: Tenant) -> str:
    path = current_app.url_map.bind("").build("surveys.follow_up", {"tenant": tenant.slug})
    return current_app.config["HELPDESK_BASE_URL"] + path


def mail_context(survey: Survey) -> dict[str, str]:
    """The e-mail variables of the survey: its link and, in Spanish, until when it is open."""
    tenant = db.session.get(Tenant, survey.tenant_id)
    until = as_utc(survey.expires_at).astimezone(ZoneInfo(tenant.timezone))
    return {"survey_link": link(survey), "survey_until": spanish_date(until)}


# --- creation -----------------------------------------------------------------------------


def reminder_moment(tenant: Tenant, start: datetime, expires_at: datetime) -> datetime | None:
    """When an unanswered survey is recalled: N business days after ``start``; None if never."""
    days = int(current_app.config.get("HELPDESK_SURVEY_REMINDER_DAYS", 3))
    if days <= 0:
        return None
    moment = add_business_days(calendar_for(tenant, around=start.date()), start, days)
    return moment if moment < expires_at else None


def open_for(ticket: Ticket, event: TicketEvent, workflow: Workflow) -> Survey | None:
    """Create the ticket's survey if ``event`` concluded it (the caller commits).

    Only a step into a closed state whose outcome is "concluded"; never twice
    for one ticket; never for an internal service (opened by another
    service's hand-off, whose requester answers the first one's survey).
    """
    if ticket.outcome != Outcome.CONCLUDED.value or event.from_state == event.to_state:
        return None
    state = workflow.states.get(event.to_state)
    if state is None or state.closing_outcome is not Outcome.CONCLUDED:
        return None
    service = plugins.host().catalog.get(ticket.service_code)
    if service is not None and service.internal:
        return None
    if db.session.scalar(select(Survey.id).where(Survey.ticket_id == ticket.id)) is not None:
        return None
    tenant = db.session.get(Tenant, ticket.tenant_id)
    now = utcnow()
    expires_at = now + timedelta(
        days=int(current_app.config.get("HELPDESK_SURVEY_EXPIRY_DAYS", 30))
    )
    nonce = secrets.token_urlsafe(32)
    survey = Survey(
        tenant_id=ticket.tenant_id,
        ticket_id=ticket.id,
        requester_id=ticket.requester_id,
        service_code=ticket.service_code,
        token_hash=hash_token(token_for(nonce)),
        nonce=nonce,
        created_at=now,
        expires_at=expires_at,
        remind_at=reminder_moment(tenant, now, expires_at),
        answers={},
    )
    db.session.add(survey)
    db.session.flush()
    return survey


# --- answering ----------------------------------------------------------------------------


def status(survey: Survey, now: datetime | None = None) -> str:
    """The survey's state: ``"open"``, ``"answered"`` or ``"expired"``."""
    if survey.answered_at is not None:
        return "answered"
    if as_utc(survey.expires_at) <= as_utc(now or utcnow()):
        return "expired"
    return "open"


def questions_for(survey: Survey) -> list[SurveyQuestion]:
    """The questions the loaded plugins add to this survey's service."""
    service = plugins.host().catalog.get(survey.service_code)
    return plugins.host().survey_questions(service=service) if service is not None else []


def _clean_answer(question: SurveyQuestion, raw: object) -> tuple[Any, object | None]:
    """(value or None when unanswered, error message or None)."""
    value = str(raw or "").strip()
    if not value:
        return None, _l("Answer this question.") if question.required else None
    if question.kind == "scale":
        if value not in RATINGS:
            return None, _l("Choose one of the options.")
        return value, None
    if question.kind == "yes_no":
        if value not in YES_NO:
            return None, _l("Choose yes or no.")
        return YES_NO[value], None
    if len(value) > MAX_TEXT_ANSWER:
        return None, _l("An answer has at most %(max)d characters.", max=MAX_TEXT_ANSWER)
    return value, None


def check_answer(
    rating: object,
    comment: object,
    answers: Mapping[str, object],
    questions: Sequence[SurveyQuestion],
) -> tuple[str, str | None, dict[str, Any]]:
    """The clean (rating, comment, answers); :class:`SurveyError` naming every wrong field."""
    errors: dict[str, object] = {}
    value = str(rating or "").strip()
    if not value:
        errors["rating"] = _l("Choose how satisfied you are with the service.")
    elif value not in RATINGS:
        errors["rating"] = _l("Choose one of the options.")
    text = str(comment or "").replace("\r\n", "\n").strip()
    if len(text) > MAX_COMMENT:
        errors["comment"] = _l("A comment has at most %(max)d characters.", max=MAX_COMMENT)
    clean: dict[str, Any] = {}
    for question in questions:
        answer, error = _clean_answer(question, answers.get(question.code))
        if error is not None:
            errors[f"q_{question.code}"] = error
        elif answer is not None:
            clean[question.code] = answer
    if errors:
        raise SurveyError(errors)
    return value, text or None, clean


def answer(
    survey: Survey,
    *,
    rating: object,
    comment: object = None,
    answers: Mapping[str, object] | None = None,
    now: datetime | None = None,
) -> None:
    """Record the answer and commit, or raise :class:`SurveyError` having saved nothing.

    The UPDATE claims the row only while it is unanswered, so two answers
    sent at once record one. An "unsatisfied" answer tells the tenant's
    coordinators in the same transaction.
    """
    now = as_utc(now or utcnow())
    state = status(survey, now)
    if state != "open":
        raise SurveyError({"": ALREADY_ANSWERED if state == "answered" else EXPIRED}, state)
    value, text, clean = check_answer(rating, comment, answers or {}, questions_for(survey))
    claimed = db.session.execute(
        update(Survey)
        .where(Survey.id == survey.id, Survey.answered_at.is_(None))
        .values(answered_at=now, rating=value, comment=text, answers=clean)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        db.session.rollback()
        raise SurveyError({"": ALREADY_ANSWERED}, "answered")
    # The ORM does not see a bulk UPDATE: the tally counts the answer by hand.
    tallies.touch(db.session, survey.ticket_id)
    if value == "unsatisfied":
        tenant = db.session.get(Tenant, survey.tenant_id)
        requester = db.session.get(User, survey.requester_id) if survey.requester_id else None
        notifications.notify(
            notifications.coordinators(survey.tenant_id),
            kind="survey_unsatisfied",
            ticket=db.session.get(Ticket, survey.ticket_id),
            context={
                "author": requester.name if requester else "",
                "text": text or "",
                "survey_link": follow_up_link(tenant),
            },
        )
    db.session.commit()


# --- the requester's pages ----------------------------------------------------------------


def open_surveys(user: User, ticket_ids: Sequence[int]) -> dict[int, Survey]:
    """The open (unanswered, unexpired) surveys of ``user``'s own tickets, by ticket id."""
    if not ticket_ids or not getattr(user, "is_authenticated", False):
        return {}
    rows = db.session.scalars(
        select(Survey).where(
            Survey.ticket_id.in_(list(ticket_ids)),
            Survey.requester_id == user.id,
            Survey.answered_at.is_(None),
            Survey.expires_at > utcnow(),
        )
    )
    return {row.ticket_id: row for row in rows}


def answer_of(ticket: Ticket) -> Survey | None:
    """The ticket's answered survey, for the staff's page (None if unanswered or none)."""
    return db.session.scalar(
        select(Survey).where(Survey.ticket_id == ticket.id, Survey.answered_at.is_not(None))
    )


def open_survey(ticket: Ticket, user: User) -> Survey | None:
    return open_surveys(user, [ticket.id]).get(ticket.id)


# --- the reminder -------------------------------------------------------------------------


def _due(now: datetime) -> list[Survey]:
    return list(
        db.session.scalars(
            select(Survey)
            .where(
                Survey.answered_at.is_(None),
                Survey.reminded_at.is_(None),
                Survey.remind_at.is_not(None),
                Survey.remind_at <= now,
                Survey.expires_at > now,
            )
            .order_by(Survey.remind_at, Survey.id)
        )
    )


def remind_tenant(tenant: Tenant, now: datetime) -> list[str]:
    """Send this tenant's due reminders; the folios reminded."""
    reminded = []
    with scoped_to(tenant):
        for survey in _due(now):
            claimed = db.session.execute(
                update(Survey)
                .where(
                    Survey.id == survey.id,
                    Survey.reminded_at.is_(None),
                    Survey.answered_at.is_(None),
                )
                .values(reminded_at=now)
                .execution_options(synchronize_session=False)
            ).rowcount
            if claimed != 1:
                continue  # another run sent it, or the requester just answered
            ticket = db.session.get(Ticket, survey.ticket_id)
            requester = db.session.get(User, survey.requester_id) if survey.requester_id else None
            notifications.notify(
                [requester], kind="survey_reminder", ticket=ticket, context=mail_context(survey)
            )
            reminded.append(ticket.folio)
        db.session.commit()
    return reminded


def remind_due(now: datetime | None = None) -> list[str]:
    """Recall every due, unanswered, open survey once, in every active tenant; the folios."""
    now = as_utc(now or utcnow())
    tenants = db.session.scalars(select(Tenant).where(Tenant.active.is_(True))).all()
    return [folio for tenant in tenants for folio in remind_tenant(tenant, now)]
