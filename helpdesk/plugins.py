"""Builds the plugin manager of one app and wraps every hook call.

Built-in service plugins and third-party packages load the same way, through
the ``helpdesk`` entry-point group; the core keeps no list of them. Views and
commands never call ``pm.hook.*`` directly: they use :class:`PluginHost`.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING
from typing import Any

import pluggy
from flask import current_app

from helpdesk import hookspecs
from helpdesk.catalog import Catalog
from helpdesk.catalog import CatalogError
from helpdesk.catalog import IndicatorDefinition
from helpdesk.catalog import PageLink
from helpdesk.catalog import PeriodicJob
from helpdesk.catalog import RequirementIssue
from helpdesk.catalog import ServiceDefinition
from helpdesk.catalog import SurveyQuestion
from helpdesk.catalog import indicator_index
from helpdesk.catalog import stamp_plugin

if TYPE_CHECKING:
    from flask import Blueprint

ENTRY_POINT_GROUP = "helpdesk"

# Core behaviour written as plugins, registered before the entry points so that
# a plugin's answer to a firstresult hook wins over the core's trylast default.
DEFAULT_PLUGINS: tuple[str, ...] = (
    "helpdesk.defaults.indicators",
    "helpdesk.defaults.folio_pattern",
    "helpdesk.defaults.survey",
)

log = logging.getLogger(__name__)


class PluginLoadError(Exception):
    """A requested plugin does not exist or cannot be loaded."""


@dataclass(frozen=True)
class PluginInfo:
    """What ``helpdesk plugins`` shows about one loaded plugin."""

    name: str
    module: str
    distribution: str | None
    version: str | None
    hooks: tuple[str, ...]
    builtin_default: bool


def build_plugin_manager(config: Mapping[str, Any]) -> pluggy.PluginManager:
    """Create a fresh manager: core defaults, then the ``helpdesk`` entry points.

    ``HELPDESK_LOAD_PLUGINS`` (a list, or None for all) limits which entry points
    load; ``HELPDESK_DISABLE_PLUGINS`` blocks names; ``HELPDESK_TRACE_PLUGINS``
    logs every hook call; ``HELPDESK_PLUGIN_OBJECTS`` ((name, plugin) pairs,
    set in code only) registers plugins that are not installed packages.
    """
    pm = pluggy.PluginManager(ENTRY_POINT_GROUP)
    pm.add_hookspecs(hookspecs)
    for name in config.get("HELPDESK_DISABLE_PLUGINS") or []:
        pm.set_blocked(name)
    for module_name in DEFAULT_PLUGINS:
        if not pm.is_blocked(module_name):
            pm.register(importlib.import_module(module_name), name=module_name)

    wanted = config.get("HELPDESK_LOAD_PLUGINS")
    available = {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}
    if wanted is not None:
        missing = sorted(set(wanted) - set(available))
        if missing:
            raise PluginLoadError(
                f"HELPDESK_LOAD_PLUGINS: no hay complemento instalado llamado {', '.join(missing)}"
            )
    distinfo: dict[str, tuple[str | None, str | None]] = {}
    for name, ep in sorted(available.items()):
        if wanted is not None and name not in wanted:
            continue
        if pm.is_blocked(name):
            continue
        plugin = ep.load()
        pm.register(plugin, name=name)
        dist = ep.dist
        distinfo[name] = (dist.name if dist else None, dist.version if dist else None)
    # Objects registered directly (tests, embedding apps): a fresh manager per
    # app means nothing leaks into the next app, unlike a module-global one.
    for name, plugin in config.get("HELPDESK_PLUGIN_OBJECTS") or []:
        pm.register(plugin, name=name)
    pm.check_pending()
    pm._helpdesk_distinfo = distinfo  # type: ignore[attr-defined]

    if config.get("HELPDESK_TRACE_PLUGINS"):
        pm.trace.root.setwriter(log.info)
        pm.enable_tracing()
    return pm


class PluginHost:
    """The loaded plugins of one app and typed wrappers around their hooks."""

    def __init__(self, pm: pluggy.PluginManager, trace: bool = False) -> None:
        self.pm = pm
        self.trace = trace
        self.catalog = Catalog(self._collect_services())
        self.indicators = indicator_index(self._collect_indicators())
        self.periodic_jobs = self._collect_periodic_jobs()
        self._survey_questions = {
            service.code: self._collect_survey_questions(service) for service in self.catalog
        }

    def _per_plugin(self, hook_name: str) -> list[tuple[str, list]]:
        # Call each implementation on its own so every contribution can be
        # traced back to the plugin that made it (duplicate codes name both).
        hook = getattr(self.pm.hook, hook_name)
        results = []
        for impl in hook.get_hookimpls():
            items = list(impl.function() or [])
            if self.trace:
                log.info("%s from %s: %d item(s)", hook_name, impl.plugin_name, len(items))
            results.append((impl.plugin_name, items))
        return results

    def _collect_services(self) -> list[ServiceDefinition]:
        services: list[ServiceDefinition] = []
        for plugin_name, items in self._per_plugin("helpdesk_services"):
            for item in items:
                if not isinstance(item, ServiceDefinition):
                    raise CatalogError(
                        f"plugin {plugin_name!r} returned {item!r} from helpdesk_services"
                    )
            services.extend(stamp_plugin(items, plugin_name))
        return services

    def _collect_indicators(self) -> list[IndicatorDefinition]:
        indicators: list[IndicatorDefinition] = []
        for plugin_name, items in self._per_plugin("helpdesk_indicators"):
            indicators.extend(stamp_plugin(items, plugin_name))
        return indicators

    def _collect_periodic_jobs(self) -> dict[str, PeriodicJob]:
        jobs: dict[str, PeriodicJob] = {}
        for plugin_name, items in self._per_plugin("helpdesk_periodic_jobs"):
            for found in items:
                if not isinstance(found, PeriodicJob):
                    raise CatalogError(
                        f"plugin {plugin_name!r} returned {found!r} from helpdesk_periodic_jobs"
                    )
                item = stamp_plugin([found], plugin_name)[0]
                if item.name in jobs:
                    raise CatalogError(
                        f"duplicate periodic job {item.name}: declared by plugins "
                        f"{jobs[item.name].plugin!r} and {plugin_name!r}"
                    )
                jobs[item.name] = item
        return dict(sorted(jobs.items()))

    def _collect_survey_questions(self, service: ServiceDefinition) -> tuple[SurveyQuestion, ...]:
        # Called per implementation, like _per_plugin, so a duplicate code names both plugins.
        hook = self.pm.hook.helpdesk_survey_questions
        by_code: dict[str, str] = {}
        found: list[tuple[str, int, SurveyQuestion]] = []
        for impl in hook.get_hookimpls():
            arguments = {"service": service}
            items = list(impl.function(*(arguments[name] for name in impl.argnames)) or [])
            for index, item in enumerate(items):
                if not isinstance(item, SurveyQuestion):
                    raise CatalogError(
                        f"plugin {impl.plugin_name!r} returned {item!r} from "
                        "helpdesk_survey_questions"
                    )
                if item.code in by_code:
                    raise CatalogError(
                        f"duplicate survey question {item.code} for {service.code}: declared by "
                        f"plugins {by_code[item.code]!r} and {impl.plugin_name!r}"
                    )
                by_code[item.code] = impl.plugin_name
                found.append((impl.plugin_name, index, item))
        return tuple(item for _name, _index, item in sorted(found, key=lambda f: f[:2]))

    def survey_questions(self, *, service: ServiceDefinition) -> list[SurveyQuestion]:
        """The questions plugins add to ``service``'s satisfaction survey, in plugin order."""
        if service.code not in self._survey_questions:
            self._survey_questions[service.code] = self._collect_survey_questions(service)
        return list(self._survey_questions[service.code])

    def template_folders(self) -> list[str]:
        """Each loaded plugin's ``templates/`` folder, as datasette plugins bundle theirs.

        A plugin's documents (PDF templates) live there, under a folder named
        after the plugin so two plugins never shadow each other.
        """
        folders = []
        for _name, plugin in sorted(self.pm.list_name_plugin(), key=lambda pair: str(pair[0])):
            module_file = getattr(plugin, "__file__", None)
            if not module_file:
                continue
            folder = Path(module_file).parent / "templates"
            if folder.is_dir():
                folders.append(str(folder))
        return folders

    def blueprints(self) -> list[tuple[str, Blueprint]]:
        """(plugin name, blueprint) pairs, in plugin-name order."""
        pairs = []
        for plugin_name, items in self._per_plugin("helpdesk_blueprints"):
            pairs.extend((plugin_name, bp) for bp in items)
        return sorted(pairs, key=lambda pair: (pair[0], pair[1].name))

    def check_requirements(
        self,
        *,
        service: ServiceDefinition,
        tenant: Any,
        data: Mapping[str, Any],
        ticket: Any | None,
    ) -> list[RequirementIssue]:
        """Every plugin's findings about a request, in plugin order."""
        results = self.pm.hook.helpdesk_check_requirements(
            service=service, tenant=tenant, data=data, ticket=ticket
        )
        return [issue for result in reversed(results) for issue in (result or [])]

    def folio_pattern(self, *, service: ServiceDefinition, tenant: Any) -> str:
        """The folio pattern: a plugin's answer, else the core default."""
        return self.pm.hook.helpdesk_folio_pattern(service=service, tenant=tenant)

    def ticket_links(self, *, ticket: Any, user: Any, audience: str) -> list[PageLink]:
        """Every plugin's links for a ticket's page, in plugin order."""
        results = self.pm.hook.helpdesk_ticket_links(ticket=ticket, user=user, audience=audience)
        found = [link for result in reversed(results) for link in (result or [])]
        for link in found:
            if not isinstance(link, PageLink):
                raise CatalogError(f"helpdesk_ticket_links returned {link!r}, not a PageLink")
        return found

    def ticket_transitioned(self, *, ticket: Any, event: Any) -> None:
        """Tell plugins about a committed step; a failing plugin is logged, never raised."""
        try:
            self.pm.hook.helpdesk_ticket_transitioned(ticket=ticket, event=event)
        except Exception:
            log.exception("a helpdesk_ticket_transitioned implementation failed")

    def plugin_infos(self) -> list[PluginInfo]:
        distinfo = getattr(self.pm, "_helpdesk_distinfo", {})
        infos = []
        for name, plugin in self.pm.list_name_plugin():
            hooks = tuple(sorted(caller.name for caller in self.pm.get_hookcallers(plugin) or []))
            dist, version = distinfo.get(name, (None, None))
            module = plugin.__name__ if isinstance(plugin, ModuleType) else type(plugin).__name__
            infos.append(
                PluginInfo(
                    name=name,
                    module=module,
                    distribution=dist,
                    version=version,
                    hooks=hooks,
                    builtin_default=name in DEFAULT_PLUGINS,
                )
            )
        return sorted(infos, key=lambda info: (not info.builtin_default, info.name))


def init_app(app: Any) -> PluginHost:
    """Build the manager and the catalog for ``app``; kept in app.extensions."""
    host = PluginHost(
        build_plugin_manager(app.config), trace=bool(app.config.get("HELPDESK_TRACE_PLUGINS"))
    )
    app.extensions["helpdesk"] = host
    folders = host.template_folders()
    if folders:
        from jinja2 import ChoiceLoader
        from jinja2 import FileSystemLoader

        # The core's templates first: a plugin adds documents, never replaces pages.
        app.jinja_loader = ChoiceLoader([app.jinja_loader, FileSystemLoader(folders)])
    return host


def host() -> PluginHost:
    """The plugin host of the current app."""
    return current_app.extensions["helpdesk"]
