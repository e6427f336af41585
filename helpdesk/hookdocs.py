"""Render docs/hooks.md from the docstrings in helpdesk/hookspecs.py.

``python -m helpdesk.hookdocs > docs/hooks.md`` regenerates it; a test fails
when the committed file is stale (datasette's documented-hooks check).
"""

from __future__ import annotations

import inspect

from helpdesk import hookspecs

HEADER = """# Plugin hooks

Generated from `helpdesk/hookspecs.py` by `python -m helpdesk.hookdocs > docs/hooks.md`;
do not edit by hand. A plugin implements any of these with `from helpdesk import hookimpl`.
"""


def hook_functions() -> list[tuple[str, object]]:
    """Every hookspec, in the order the module declares them."""
    members = [
        (name, obj)
        for name, obj in vars(hookspecs).items()
        if name.startswith("helpdesk_") and inspect.isfunction(obj)
    ]
    return sorted(members, key=lambda item: item[1].__code__.co_firstlineno)


def render() -> str:
    parts = [HEADER]
    for name, function in hook_functions():
        signature = inspect.signature(function)
        doc = inspect.getdoc(function) or ""
        parts.append(f"\n## `{name}{signature}`\n\n{doc}\n")
    return "".join(parts)


if __name__ == "__main__":
    print(render(), end="")
