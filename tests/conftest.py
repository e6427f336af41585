"""Fixtures come from helpdesk.testing (the pytest11 plugin); the database and
Redis are chosen there from HELPDESK_TEST_DATABASE_URL / HELPDESK_TEST_REDIS_URL."""

import os

from hypothesis import settings

# CI must not be flaky: the default profile replays the same examples on every
# run. `HYPOTHESIS_PROFILE=explore pytest` searches new ones on a developer's machine.
settings.register_profile("repeatable", derandomize=True, deadline=None)
settings.register_profile("explore", deadline=None, max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))
