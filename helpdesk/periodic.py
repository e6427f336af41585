"""Running the plugins' periodic jobs, once per active tenant.

Scheduling lives in :mod:`helpdesk.jobs` (rq, or after responses on the
embedded default) and in cron (``helpdesk periodic run``); this module only
runs a job over the tenants, so a failure in one tenant never keeps the next
one from its run.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from dataclasses import field

from sqlalchemy import select

from helpdesk import plugins
from helpdesk.catalog import PeriodicJob
from helpdesk.extensions import db
from helpdesk.models import Tenant
from helpdesk.tenancy import scoped_to

log = logging.getLogger(__name__)


@dataclass
class JobRun:
    """What one run of a job did: the tenants it ran for and those that failed."""

    name: str
    done: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


def jobs() -> dict[str, PeriodicJob]:
    return plugins.host().periodic_jobs


def run(job: PeriodicJob, tenants: list[Tenant] | None = None) -> JobRun:
    """Run ``job`` for each active tenant (or the given ones), each in its own scope."""
    if tenants is None:
        tenants = list(
            db.session.scalars(select(Tenant).where(Tenant.active.is_(True)).order_by(Tenant.slug))
        )
    result = JobRun(job.name)
    for tenant in tenants:
        slug = tenant.slug
        try:
            with scoped_to(tenant):
                job.run(tenant)
            result.done.append(slug)
        except Exception as exc:  # noqa: BLE001 - one tenant's failure is logged, not fatal
            db.session.rollback()
            log.exception("periodic job %s failed for %s", job.name, slug)
            result.failed[slug] = f"{type(exc).__name__}: {exc}"
    return result


def run_named(name: str) -> JobRun:
    found = jobs().get(name)
    if found is None:
        raise KeyError(name)
    return run(found)
