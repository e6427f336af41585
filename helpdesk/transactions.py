"""Run a unit of work in its own transaction, retrying when the database is busy.

SQLite answers "database is locked" when two writers meet, and PostgreSQL
may report a serialization failure or a deadlock: in each case nothing was
written, so the whole unit is safe to run again.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import OperationalError

from helpdesk.extensions import db

T = TypeVar("T")

RETRYABLE_PGCODES = {"40001", "40P01"}  # serialization_failure, deadlock_detected


def is_retryable(exc: BaseException) -> bool:
    if isinstance(exc, OperationalError) and "locked" in str(exc.orig).lower():
        return True
    if isinstance(exc, DBAPIError):
        return getattr(exc.orig, "sqlstate", None) in RETRYABLE_PGCODES
    return False


def run(unit: Callable[[], T], attempts: int = 30) -> T:
    """Call ``unit`` and commit; on a retryable error roll back and try again.

    ``unit`` must do all its database work through ``db.session`` and have no
    other side effect that a retry would repeat.
    """
    for attempt in range(1, attempts + 1):
        try:
            result = unit()
            db.session.commit()
            return result
        except Exception as exc:
            db.session.rollback()
            if attempt == attempts or not is_retryable(exc):
                raise
            time.sleep(min(0.5, 0.01 * attempt) * (1 + random.random()))
    raise AssertionError("unreachable")
