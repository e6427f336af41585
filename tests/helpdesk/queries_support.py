"""How many SQL statements a page costs: for the tests that a page's queries
do not grow with its rows (no query per row)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from helpdesk.extensions import db


def count_queries(app: Any, browser: Any, address: str) -> int:
    """The statements the app runs to answer ``browser.get(address)`` (which must be 200)."""
    count = 0

    def counter(*args: Any) -> None:
        nonlocal count
        count += 1

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", counter)
        try:
            assert browser.get(address).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", counter)
    return count
