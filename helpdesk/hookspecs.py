"""The plugin interface: every hook a plugin may implement, one docstring each.

Hooks are called only by :mod:`helpdesk.plugins`, always with keyword
arguments; list results are merged and sorted by the core because pluggy calls
implementations last-registered-first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from flask import Blueprint

    from helpdesk.catalog import IndicatorDefinition
    from helpdesk.catalog import ServiceDefinition

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
