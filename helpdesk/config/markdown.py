"""README.md's configuration table, rendered from the declaration (issue 16).

The table sits between two HTML comments in the README's "Configuration"
section; :func:`replace_table` rewrites only what lies between them, so the
rest of the file (edited by hand) is never touched.
"""

from __future__ import annotations

from collections.abc import Iterable

from helpdesk.config.declaration import SETTINGS
from helpdesk.config.declaration import Setting

BEGIN = "<!-- settings table: begin (generated, see helpdesk/config/declaration.py) -->"
END = "<!-- settings table: end -->"
COMMAND = ".venv/bin/python -m helpdesk.config --readme README.md"
"""What regenerates the README's table; named by the test that compares them."""


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def markdown_table(settings: Iterable[Setting] = SETTINGS) -> str:
    """The table, one row per variable, ending with a newline."""
    rows = [
        "| variable | default | accepts | meaning |",
        "|---|---|---|---|",
    ]
    for setting in settings:
        cells = (
            f"`{setting.name}`",
            setting.shown_default(),
            setting.kind.accepts(),
            setting.description,
        )
        rows.append("| " + " | ".join(_cell(cell) for cell in cells) + " |")
    return "\n".join(rows) + "\n"


def _bounds(text: str) -> tuple[int, int]:
    start = text.find(BEGIN)
    end = text.find(END, start + len(BEGIN)) if start >= 0 else -1
    if start < 0 or end < 0:
        raise ValueError(f"the README has no «{BEGIN}» … «{END}» block")
    return start + len(BEGIN), end


def table_in(text: str) -> str:
    """The table currently written between the markers (without blank edges)."""
    start, end = _bounds(text)
    return text[start:end].strip("\n") + "\n"


def replace_table(text: str) -> str:
    """``text`` with the generated table between the markers."""
    start, end = _bounds(text)
    return f"{text[:start]}\n{markdown_table()}{text[end:]}"
