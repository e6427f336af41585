"""What plugins contribute: service and indicator definitions, and the catalog.

Contributions are frozen dataclasses; the core validates, merges and sorts
them (pluggy calls implementations LIFO, so order must not depend on it).
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from typing import Any
from typing import Literal

from wtforms import Form

from helpdesk.measures import Measure
from helpdesk.office_hours import WeeklyHours
from helpdesk.workflow.definition import Workflow

DurationUnit = Literal["hours", "days"]
RequesterKind = Literal["unit", "media", "citizen"]
REQUESTER_KINDS: tuple[str, ...] = ("unit", "media", "citizen")


class CatalogError(Exception):
    """The plugin set contributes something inconsistent; start-up must stop."""


@dataclass(frozen=True, kw_only=True)
class BusinessDuration:
    """An amount of business time: business hours or business days."""

    amount: int
    unit: DurationUnit = "hours"

    def __post_init__(self) -> None:
        if self.amount <= 0:
            raise CatalogError(f"a business duration must be positive, got {self.amount}")
        if self.unit not in ("hours", "days"):
            raise CatalogError(f"unknown business duration unit {self.unit!r}")


@dataclass(frozen=True, kw_only=True)
class SlaPolicy:
    """A service's targets: time to turn/respond and time to resolve."""

    respond: BusinessDuration | None = None
    resolve: BusinessDuration | None = None


@dataclass(frozen=True, kw_only=True)
class LeadTime:
    """How long before the event (or the required date) a request must arrive.

    ``unit`` is ``"hours"`` for calendar hours (P01's 72 hours) or ``"days"``
    for business days (P04's 7); ``field`` names the form field holding the date.
    """

    amount: int
    unit: DurationUnit
    field: str
    rule: str


@dataclass(frozen=True, kw_only=True)
class RequirementIssue:
    """A requirement the request does not meet, found by an automatic check.

    ``field`` names the form field concerned (None for the whole request);
    ``message`` is shown to the requester in Spanish, the documents' language.
    A blocking issue refuses the submission; a non-blocking one is a warning
    the coordinator sees while reviewing.
    """

    message: str
    field: str | None = None
    blocking: bool = True


# A requirement check: a pure function of the submitted data (JSON-ready dict).
RequirementCheck = Callable[[Mapping[str, Any]], Iterable[RequirementIssue]]


@dataclass(frozen=True, kw_only=True)
class DocumentDefinition:
    """A PDF a service issues (support form, dictamen, release approval, service order).

    ``template`` is a path in the plugin's ``templates/`` folder, rendered with
    ``ticket``, ``data`` (the ticket's fields), ``service``, ``tenant``,
    ``events`` and ``issued_at``. The document is offered once the ticket has
    taken one of ``after`` (transition names; empty: from filing on), to staff
    and, when ``requester`` is true, to the requester.
    """

    name: str
    title: str
    template: str
    after: tuple[str, ...] = ()
    requester: bool = True

    def __post_init__(self) -> None:
        if not self.name or not self.name.replace("-", "").replace("_", "").isalnum():
            raise CatalogError(f"invalid document name {self.name!r}")


SURVEY_QUESTION_KINDS: tuple[str, ...] = ("scale", "yes_no", "text")


@dataclass(frozen=True, kw_only=True)
class SurveyQuestion:
    """One more question of a service's satisfaction survey (issue 7).

    The survey always asks the overall rating (Satisfecho / Regular /
    Insatisfecho) and a comment; a plugin adds questions of its own. ``code``
    keys the answer in the survey's stored answers (lowercase letters, digits
    and ``_``); ``text`` is the question as the requester reads it (Spanish);
    ``kind`` is ``"scale"`` (the same three levels), ``"yes_no"`` or ``"text"``
    (free text); a ``required`` question must be answered.
    """

    code: str
    text: str
    kind: str = "scale"
    required: bool = False

    def __post_init__(self) -> None:
        code = self.code
        if not (code and len(code) <= 40 and code[0].isalpha() and code.isascii()):
            raise CatalogError(f"invalid survey question code {code!r}")
        if not code.replace("_", "").isalnum() or code.lower() != code:
            raise CatalogError(f"invalid survey question code {code!r}")
        if not self.text.strip():
            raise CatalogError(f"survey question {code!r} has no text")
        if self.kind not in SURVEY_QUESTION_KINDS:
            raise CatalogError(f"survey question {code!r}: unknown kind {self.kind!r}")


@dataclass(frozen=True, kw_only=True)
class PageLink:
    """A link a plugin adds to a ticket's page: a page of its own for work the
    plain step form cannot carry (P11's inspection of each asset)."""

    label: str
    url: str
    hint: str = ""


@dataclass(frozen=True, kw_only=True)
class PeriodicJob:
    """Work a plugin needs done on a schedule, once per active tenant.

    ``run(tenant)`` is called inside the app, with queries scoped to that
    tenant, every ``every_seconds`` by ``helpdesk worker`` (or after responses
    on the embedded default, or from cron with ``helpdesk periodic run``). It
    must be safe to run twice at once and it commits its own work.
    """

    name: str
    title: str
    every_seconds: int
    run: Callable[[Any], Any]
    plugin: str = ""

    def __post_init__(self) -> None:
        if not self.name or not self.name.replace("-", "").replace("_", "").isalnum():
            raise CatalogError(f"invalid periodic job name {self.name!r}")
        if self.every_seconds < 60:
            raise CatalogError(f"periodic job {self.name!r} runs at most once a minute")


@dataclass(frozen=True, kw_only=True)
class IndicatorDefinition:
    """A measured figure, as the source document defines it.

    ``formula`` says it in the document's words; ``measure`` says it to the
    engine (:mod:`helpdesk.measures`). An indicator without a measure (a figure
    nobody records in the help desk) is listed with its formula and no value.
    ``service_code`` limits the count to that service's tickets.
    """

    code: str
    name: str
    formula: str
    unit: str
    periodicity: str
    responsible: str
    service_code: str | None = None
    measure: Measure | None = None
    plugin: str = ""


@dataclass(frozen=True, kw_only=True)
class ServiceDefinition:
    """One documented government service, as a plugin contributes it.

    ``department`` is the code of the department that handles it by default
    (a tenant admin may choose another); ``requester_kinds`` says who may ask:
    people of a requesting unit, media outlets, citizens. ``form`` is a plain
    :class:`wtforms.Form` with the service's own fields (the core adds the
    common ones: unit, liaison, attachments, and CSRF); ``checks`` are pure
    functions over the submitted data; ``checklist`` lists what only a person
    can judge, ticked by the coordinator during the review.
    """

    code: str
    name: str
    description: str
    source_document: str
    area: str
    department: str
    requester_kinds: tuple[str, ...] = ("unit",)
    liaison_required: bool = False
    sla: SlaPolicy = field(default_factory=SlaPolicy)
    # Where the targets depend on what is asked (the CAU's catalog groups each
    # have their own agreement): the request's data → its policy, or None for
    # ``sla``. A tenant admin's override of a target still wins.
    sla_for: Callable[[Mapping[str, Any]], SlaPolicy | None] | None = None
    lead_time: LeadTime | None = None
    # None: the tenant's office hours. A service with hours of its own (a
    # 24-hour line, a Saturday desk) sets them here; a tenant admin may override.
    office_hours: WeeklyHours | None = None
    outputs: tuple[str, ...] = ()
    folio_code: str = ""
    workflow: Workflow | None = None
    form: type[Form] | None = None
    checks: tuple[RequirementCheck, ...] = ()
    checklist: tuple[str, ...] = ()
    documents: tuple[DocumentDefinition, ...] = ()
    # Opened only by another service's hand-off (P10's dictamen técnico
    # interno): never offered in the portal or filed directly.
    internal: bool = False
    plugin: str = ""

    def __post_init__(self) -> None:
        if not self.code or not self.code.replace("-", "").isalnum():
            raise CatalogError(f"invalid service code {self.code!r}")
        if self.workflow is not None:
            object.__setattr__(self, "workflow", self.workflow.for_service(self.code).validate())
        unknown = set(self.requester_kinds) - set(REQUESTER_KINDS)
        if unknown:
            raise CatalogError(f"{self.code}: unknown requester kinds {sorted(unknown)}")
        names = [d.name for d in self.documents]
        if len(names) != len(set(names)):
            raise CatalogError(f"{self.code}: two documents share a name: {names}")
        steps = {t.name for t in workflow_of(self).transitions}
        for document in self.documents:
            if set(document.after) - steps:
                raise CatalogError(
                    f"{self.code}: document {document.name!r} follows unknown steps "
                    f"{sorted(set(document.after) - steps)}"
                )


def folio_code(service: ServiceDefinition) -> str:
    """The service's part of a folio: its own ``folio_code``, else the last part
    of a document code like GCH-CCS-P10 (P10), else the code without hyphens."""
    if service.folio_code:
        return service.folio_code
    parts = service.code.split("-")
    if len(parts) == 3 and parts[-1][:1].isalpha():
        return parts[-1]
    return service.code.replace("-", "")


def workflow_of(service: ServiceDefinition) -> Workflow:
    """The service's workflow, or the common shape of CATALOG.md when it declares none."""
    if service.workflow is not None:
        return service.workflow
    from helpdesk.workflow.skeleton import default_workflow

    return default_workflow(service.code)


class Catalog:
    """Every service the loaded plugins contribute, by code, sorted."""

    def __init__(self, services: Iterable[ServiceDefinition]) -> None:
        self._by_code: dict[str, ServiceDefinition] = {}
        for service in services:
            previous = self._by_code.get(service.code)
            if previous is not None:
                raise CatalogError(
                    f"duplicate service code {service.code}: declared by plugins "
                    f"{previous.plugin!r} and {service.plugin!r}"
                )
            self._by_code[service.code] = service
        self._by_code = dict(sorted(self._by_code.items()))

    def __iter__(self) -> Iterator[ServiceDefinition]:
        return iter(self._by_code.values())

    def __len__(self) -> int:
        return len(self._by_code)

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def get(self, code: str) -> ServiceDefinition | None:
        return self._by_code.get(code)

    def codes(self) -> list[str]:
        return list(self._by_code)


def stamp_plugin(items: Iterable[Any], plugin: str) -> list[Any]:
    """Record which plugin contributed each definition."""
    return [replace(item, plugin=plugin) for item in items]


def indicator_index(indicators: Iterable[IndicatorDefinition]) -> dict[str, IndicatorDefinition]:
    """Index indicators by code, refusing a code declared twice."""
    index: dict[str, IndicatorDefinition] = {}
    for indicator in indicators:
        previous = index.get(indicator.code)
        if previous is not None:
            raise CatalogError(
                f"duplicate indicator code {indicator.code}: declared by plugins "
                f"{previous.plugin!r} and {indicator.plugin!r}"
            )
        index[indicator.code] = indicator
    return dict(sorted(index.items()))
