"""The plugin interface: every hook a plugin may implement, one docstring each.

Hooks are called only by :mod:`helpdesk.plugins`, always with keyword
arguments; list results are merged and sorted by the core because pluggy calls
implementations last-registered-first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from flask import Blueprint

    from helpdesk.catalog import IndicatorDefinition
    from helpdesk.catalog import PageLink
    from helpdesk.catalog import PeriodicJob
    from helpdesk.catalog import RequirementIssue
    from helpdesk.catalog import ServiceDefinition
    from helpdesk.catalog import SurveyQuestion
    from helpdesk.models import Tenant
    from helpdesk.models import Ticket
    from helpdesk.models import TicketEvent
    from helpdesk.models import User

hookspec = pluggy.HookspecMarker("helpdesk")
hookimpl = pluggy.HookimplMarker("helpdesk")

# -- Registration: called once per app, inside create_app() -------------------


@hookspec
def helpdesk_services() -> list[ServiceDefinition]:
    """Return the services this plugin adds to the catalog.

    Called once while the app is built. Each :class:`~helpdesk.catalog.ServiceDefinition`
    carries its code, name, description, source document and defaults (handling
    department, SLA targets, lead time, office hours). A code declared by two
    plugins stops start-up with an error naming both plugins. Whether a tenant
    offers the service is data (its tenant settings), never plugin blocking.

    :return: a list of service definitions; ``[]`` when the plugin adds none.
    """


@hookspec
def helpdesk_indicators() -> list[IndicatorDefinition]:
    """Return the indicators (KPIs) this plugin declares.

    Called once while the app is built. Each
    :class:`~helpdesk.catalog.IndicatorDefinition` names its formula in words,
    its unit, its periodicity and the office responsible for it, as the source
    documents state them. A code declared twice stops start-up.

    :return: a list of indicator definitions; ``[]`` when the plugin adds none.
    """


@hookspec
def helpdesk_blueprints() -> list[Blueprint]:
    """Return extra Flask blueprints this plugin serves.

    Called once while the app is built. Each blueprint is mounted by the core
    under ``/<tenant>/s/<plugin name>/``; its views receive the tenant already
    resolved (``helpdesk.tenancy.current_tenant()``), require a signed-in member
    of that tenant, and are covered by CSRF protection like every core page.

    :return: a list of blueprints; ``[]`` when the plugin serves no pages.
    """


@hookspec
def helpdesk_survey_questions(service: ServiceDefinition) -> list[SurveyQuestion]:
    """Return the questions this plugin adds to the satisfaction survey of ``service``.

    Called once per service of the catalog while the app is built; the answers
    are kept for the app's life. The survey sent when a request is concluded
    always asks the overall rating (Satisfecho / Regular / Insatisfecho) and an
    optional comment; each :class:`~helpdesk.catalog.SurveyQuestion` adds one
    more, of kind ``"scale"`` (those three levels), ``"yes_no"`` or ``"text"``,
    required or not. Every plugin contributes: questions are asked in plugin
    name order, then in the order returned. A code used twice for one service
    stops start-up with an error naming the plugins.

    :return: a list of survey questions; ``[]`` for a service the plugin asks nothing about.
    """


@hookspec
def helpdesk_periodic_jobs() -> list[PeriodicJob]:
    """Return the work this plugin needs done on a schedule.

    Called once while the app is built. Each :class:`~helpdesk.catalog.PeriodicJob`
    names itself, says how often it runs and gives ``run(tenant)``, which the
    core calls once per active tenant with queries scoped to it: from
    ``helpdesk worker`` (one self-rescheduling rq job each), after responses on
    the embedded default, or from cron with ``helpdesk periodic run``. A failing
    tenant is logged and the others still run. A name declared twice stops
    start-up.

    :return: a list of periodic jobs; ``[]`` when the plugin needs none.
    """


# -- Requests: called before anything is saved; must not write ----------------


@hookspec
def helpdesk_check_requirements(
    service: ServiceDefinition, tenant: Tenant, data: Mapping[str, Any], ticket: Ticket | None
) -> list[RequirementIssue]:
    """Return requirement findings about a request of any service.

    Called when a request is filed (``ticket`` is None) and when it is re-sent
    after completion (``ticket`` is the ticket), after the service's own
    ``checks``. ``data`` is the JSON-ready form data plus ``attachments`` (a list
    of ``{"name", "content_type"}``). A blocking finding refuses the request and
    is shown to the requester; a non-blocking one is a warning for the
    coordinator. Must not write to the database.

    :return: a list of :class:`~helpdesk.catalog.RequirementIssue`; ``[]`` if none.
    """


@hookspec(firstresult=True)
def helpdesk_folio_pattern(service: ServiceDefinition, tenant: Tenant) -> str | None:
    """Return the folio pattern for a service's requests in a tenant, or None.

    Called each time a folio is given. Placeholders: ``{tenant}`` (the tenant's
    short name in capitals), ``{service}`` (the service's folio code, e.g. P10),
    ``{year}`` and ``{seq}`` (the number in the series, with a format spec such
    as ``{seq:06d}``). First non-None answer wins; the core's default (the
    tenant's own pattern, else ``{tenant}-{service}-{year}-{seq:06d}``) answers
    last, so a plugin overrides it just by answering.

    :return: a pattern string, or None to let another plugin (or the core) decide.
    """


# -- After commit: never called on rollback; enqueue work, do no I/O here -----


@hookspec
def helpdesk_ticket_transitioned(ticket: Ticket, event: TicketEvent) -> None:
    """React to a committed step of a ticket (filing included).

    Called after the transaction that wrote ``event`` (and ``ticket``'s new
    state) has committed, never on rollback. ``event.transition`` is ``"file"``
    for a new request. An exception is logged and skips the implementations
    after it, so do no I/O here: enqueue work (notifications, documents).

    :return: nothing.
    """


# -- Pages: called while a page is built; must not write -------------------------


@hookspec
def helpdesk_ticket_links(ticket: Ticket, user: User, audience: str) -> list[PageLink]:
    """Return links to show on a ticket's page, beside the steps.

    Called each time the page of ``ticket`` is shown to ``user``; ``audience``
    is ``"staff"`` (the desk's page) or ``"requester"`` (the requester's own).
    A plugin that keeps a page of its own for part of its work (P11's
    inspection, asset by asset) offers it here to whoever may use it, so
    nobody has to know its address. Return quickly and write nothing.

    :return: a list of :class:`~helpdesk.catalog.PageLink`; ``[]`` for tickets
        the plugin has nothing to add to.
    """
