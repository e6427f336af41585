"""Fixtures come from helpdesk.testing (the pytest11 plugin); the database and
Redis are chosen there from HELPDESK_TEST_DATABASE_URL / HELPDESK_TEST_REDIS_URL."""

import os
from pathlib import Path

import pytest
from hypothesis import settings

# CI must not be flaky: the default profile replays the same examples on every
# run (and keeps no example database in the checkout). `HYPOTHESIS_PROFILE=explore
# pytest` searches new ones on a developer's machine.
settings.register_profile("repeatable", derandomize=True, deadline=None, database=None)
settings.register_profile("explore", deadline=None, max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

# Written by Python and the tools themselves, not by the tests.
_NOT_OURS = {".git", ".venv", ".tools", "__pycache__", ".hypothesis", ".ruff_cache"}


def _files(root: Path) -> set[str]:
    found = set()
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = [name for name in subfolders if name not in _NOT_OURS]
        found.update(str(Path(folder, name).relative_to(root)) for name in names)
    return found


def pytest_sessionstart(session: pytest.Session) -> None:
    session.config.stash[_before] = _files(session.config.rootpath)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # Tests write under tmp_path only (issue 16: ./instance/secret_key was left
    # behind); the controller checks once, after every worker has finished.
    if hasattr(session.config, "workerinput") or _before not in session.config.stash:
        return
    written = sorted(_files(session.config.rootpath) - session.config.stash[_before])
    if written:
        session.config.get_terminal_writer().line(
            "tests wrote into the working directory: " + ", ".join(written[:20]), red=True
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


_before = pytest.StashKey[set]()
