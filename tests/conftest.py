"""Fixtures come from helpdesk.testing (the pytest11 plugin); the database and
Redis are chosen there from HELPDESK_TEST_DATABASE_URL / HELPDESK_TEST_REDIS_URL."""
