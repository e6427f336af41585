"""The two build steps pyproject.toml cannot declare.

A wheel must work on its own, outside this repository (issue 16): it carries the
translations compiled from the committed ``.po`` catalogs (the ``.mo`` files are
never committed) and the Alembic migrations, which live at the top of the
repository but are copied into the package as ``helpdesk/migrations``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


class BuildPyWithCatalogsAndMigrations(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            # An editable install reads the tree itself (`make translations`).
            return
        package = Path(self.build_lib) / "helpdesk"
        compile_catalogs(ROOT / "helpdesk" / "translations", package / "translations")
        copy_migrations(ROOT / "migrations", package / "migrations")


def compile_catalogs(source: Path, target: Path) -> None:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po_path in sorted(source.glob("*/LC_MESSAGES/*.po")):
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        mo_path = target / po_path.relative_to(source).with_suffix(".mo")
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        with mo_path.open("wb") as mo_file:
            # Fuzzy entries are used, as `make translations` does (--use-fuzzy).
            write_mo(mo_file, catalog, use_fuzzy=True)


def copy_migrations(source: Path, target: Path) -> None:
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


setup(cmdclass={"build_py": BuildPyWithCatalogsAndMigrations})
