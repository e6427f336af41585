"""``python -m helpdesk.config``: print or rewrite README.md's configuration table.

It needs no app (and so no valid environment), which is why it is not a
``helpdesk`` subcommand: those build the app first.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from helpdesk.config.markdown import markdown_table
from helpdesk.config.markdown import replace_table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m helpdesk.config",
        description="The HELPDESK_* settings as README.md's configuration table.",
    )
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--markdown", action="store_true", help="print the table")
    action.add_argument(
        "--readme", type=Path, metavar="PATH", help="rewrite the table inside this README"
    )
    options = parser.parse_args(argv)
    if options.markdown:
        sys.stdout.write(markdown_table())
        return 0
    text = options.readme.read_text(encoding="utf-8")
    try:
        updated = replace_table(text)
    except ValueError as exc:
        print(f"{options.readme}: {exc}", file=sys.stderr)
        return 1
    if updated != text:
        options.readme.write_text(updated, encoding="utf-8")
        print(f"{options.readme}: tabla de configuración actualizada")
    return 0


if __name__ == "__main__":
    sys.exit(main())
