"""Settings read from the environment, with embedded defaults that need no set-up.

Every ``HELPDESK_*`` variable is declared once in :mod:`helpdesk.config.declaration`
(issue 16) and validated by its kind (:mod:`helpdesk.config.kinds`), so a
malformed value stops start-up with one line naming the setting and the reason
(issue #3). README.md's configuration table is generated from the same
declaration: ``python -m helpdesk.config --readme README.md``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from helpdesk.config.declaration import SETTINGS
from helpdesk.config.declaration import Setting
from helpdesk.config.kinds import DEFAULT_INSTANCE
from helpdesk.config.kinds import SUPPORTED_LOCALES
from helpdesk.config.kinds import ConfigError
from helpdesk.config.kinds import Context
from helpdesk.config.kinds import database_url as _database_url
from helpdesk.config.kinds import resolve_instance

__all__ = [
    "DEFAULT_INSTANCE",
    "SETTINGS",
    "SUPPORTED_LOCALES",
    "ConfigError",
    "Setting",
    "_database_url",
    "from_environment",
]


def _fixed() -> dict[str, Any]:
    """Flask settings that are not the operator's to change (fresh dicts each time)."""
    return {
        "RATELIMIT_HEADERS_ENABLED": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "MAX_CONTENT_LENGTH": 25 * 1024 * 1024,
    }


def from_environment(
    environ: Mapping[str, str] | None = None, overrides: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Build the Flask config mapping from the declared ``HELPDESK_*`` variables.

    :param environ: the variables to read (``os.environ`` when omitted).
    :param overrides: Flask settings that win over the environment (tests pass
        theirs). Their ``INSTANCE_PATH``, when given, is the folder the derived
        defaults go under; with a ``SECRET_KEY`` among them no key file is
        generated (issue 16: tests left ``./instance/secret_key`` behind).
    :return: a dict ready for ``app.config.update``, the overrides included.
    :raises ConfigError: when one setting is malformed.
    """
    env = os.environ if environ is None else environ
    given = dict(overrides or {})
    instance = given.get("INSTANCE_PATH") or env.get("HELPDESK_INSTANCE_PATH")
    context = Context(
        instance=resolve_instance(instance), make_secret_key="SECRET_KEY" not in given
    )
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        if setting.read_by is None:
            value = setting.read(env, context)
            values.update((key, value) for key in setting.keys)
    # Rate limits are counted in Redis when there is one, else in memory.
    values["RATELIMIT_STORAGE_URI"] = values["HELPDESK_REDIS_URL"] or "memory://"
    values.update(_fixed())
    values.update(given)
    return values
