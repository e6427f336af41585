"""The help desk's pytest plugin: fixtures for the core's tests and any plugin's.

Registered through the ``pytest11`` entry point, so a third-party service
package tests exactly like the built-in ones. The database and Redis come from
``HELPDESK_TEST_DATABASE_URL`` and ``HELPDESK_TEST_REDIS_URL``; when those are
set and the service cannot be reached, the tests fail, they never skip.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask.testing import FlaskCliRunner
from sqlalchemy import text
from sqlalchemy.engine import make_url
from werkzeug.test import TestResponse

from helpdesk import create_app
from helpdesk import testing_snapshots as snapshots
from helpdesk.extensions import db

CSRF_RE = re.compile(r'name="csrf-token" content="([^"]+)"')
TEST_PASSWORD_METHOD = "pbkdf2:sha256:1000"  # fast hashing; production uses scrypt


def database_url() -> str | None:
    """The test database: the variable's, or under pytest-xdist one per worker beside it."""
    url = os.environ.get("HELPDESK_TEST_DATABASE_URL") or None
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if url and worker and url.startswith("postgresql"):
        parsed = make_url(url)
        # Workers run at once: each gets its own database (created on first use).
        return parsed.set(database=f"{parsed.database}_{worker}").render_as_string(
            hide_password=False
        )
    return url


def redis_url() -> str | None:
    return os.environ.get("HELPDESK_TEST_REDIS_URL") or None


def uses_postgresql() -> bool:
    url = database_url()
    return bool(url and url.startswith("postgresql"))


def reset_postgresql_schema(connection: Any) -> None:
    connection.execute(text("DROP SCHEMA public CASCADE"))
    connection.execute(text("CREATE SCHEMA public"))


def mark_postgresql_schema_dirty() -> None:
    """Tests that rebuild the schema themselves (migrations) call this afterwards."""
    snapshots.schema_ready = False


def make_test_config(tmp_path: Any, **overrides: Any) -> dict[str, Any]:
    """Settings for a test app: its own database, fast hashing, real CSRF."""
    instance = tmp_path / "instance"
    config: dict[str, Any] = {
        "TESTING": True,
        "INSTANCE_PATH": str(instance),
        "SECRET_KEY": "test-secret-key-0123456789",
        "SQLALCHEMY_DATABASE_URI": database_url() or f"sqlite:///{tmp_path / 'test.sqlite3'}",
        "HELPDESK_PASSWORD_METHOD": TEST_PASSWORD_METHOD,
        "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        # Tests sign in hundreds of times from one address; the rate-limit test
        # sets its own low limit.
        "HELPDESK_LOGIN_RATE_LIMIT": "10000/minute",
        # Tests run the sweep themselves, at the moments they choose.
        "HELPDESK_SLA_SWEEP_SECONDS": 0,
        # Likewise the outbox flush (a test flushes when it means to).
        "HELPDESK_OUTBOX_FLUSH_SECONDS": 0,
        # And the plugins' periodic jobs (a test runs them itself).
        "HELPDESK_PERIODIC_JOBS": False,
        "HELPDESK_QUEUE": f"test-{uuid.uuid4().hex}",
        "HELPDESK_MAIL_FOLDER": str(instance / "mail"),
    }
    if database_url():
        from helpdesk.config import _database_url

        config["SQLALCHEMY_DATABASE_URI"] = _database_url(database_url(), instance)
        # A test database is thrown away: its commits need not wait for the disk.
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            "pool_pre_ping": True,
            "connect_args": {"options": "-c synchronous_commit=off"},
        }
    if redis_url():
        import redis

        # Fails (never skips) when the variable is set and Redis is down.
        redis.Redis.from_url(redis_url()).ping()
        config["HELPDESK_REDIS_URL"] = redis_url()
        config["RATELIMIT_STORAGE_URI"] = redis_url()
    config.update(overrides)
    return config


def build_test_app(tmp_path: Any, **overrides: Any) -> Flask:
    from helpdesk.extensions import limiter

    app = create_app(make_test_config(tmp_path, **overrides))
    snapshots.prepare(app)
    with app.app_context():
        # Counters in Redis outlive an app: start every test from zero.
        limiter.reset()
    return app


def reuse_database(app: Flask, name: str, build: Callable[[], Any]) -> Any:
    """Run ``build()`` once per test process; later tests get a copy of what it wrote.

    For read-only data many tests share (the demo, a book of tickets): see
    :func:`helpdesk.testing_snapshots.reuse`. ``build`` returns plain values.
    """
    return snapshots.reuse(app, name, build)


def dispose(app: Flask) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    forget_queue(app)


def forget_queue(app: Flask) -> None:
    """Remove the Redis keys of the test app's own rq queue (jobs, registries, records)."""
    url = app.config.get("HELPDESK_REDIS_URL")
    queue_name = app.config.get("HELPDESK_QUEUE", "")
    if not url or not queue_name.startswith("test-"):
        return
    import redis

    try:
        connection = redis.Redis.from_url(url, socket_timeout=2)
        keys = list(connection.scan_iter(match=f"rq:*{queue_name}*", count=1000))
        if keys:
            connection.delete(*keys)
    except redis.RedisError:
        pass  # an app pointed at a closed port on purpose


class Browser:
    """A test client that signs in and sends forms with their CSRF token, as a person would."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.token: str | None = None

    def get(self, url: str, **kwargs: Any) -> TestResponse:
        response = self.client.get(url, **kwargs)
        if response.mimetype != "text/html":
            return response
        match = CSRF_RE.search(response.get_data(as_text=True))
        if match:
            self.token = match.group(1)
        return response

    def post(self, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> TestResponse:
        if self.token is None:
            self.get("/login")
        payload = {"csrf_token": self.token, **(data or {})}
        return self.client.post(url, data=payload, **kwargs)

    def login(self, email: str, password: str) -> TestResponse:
        self.get("/login")
        return self.post("/login", {"email": email, "password": password})

    def logout(self) -> TestResponse:
        return self.post("/logout")


@pytest.fixture(scope="session", autouse=True)
def _worker_database() -> None:
    """Under pytest-xdist, create this worker's PostgreSQL database beside the given one."""
    url = database_url()
    given = os.environ.get("HELPDESK_TEST_DATABASE_URL")
    if not url or url == given or not uses_postgresql():
        return
    import psycopg

    name = make_url(url).database
    server = make_url(given).set(drivername="postgresql").render_as_string(hide_password=False)
    # Fails (never skips) when the variable is set and PostgreSQL is down.
    with psycopg.connect(server, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


@pytest.fixture
def app_config(tmp_path: Any) -> dict[str, Any]:
    """Override in a conftest to change settings of the ``app`` fixture."""
    return {}


@pytest.fixture
def app(tmp_path: Any, app_config: dict[str, Any]) -> Iterator[Flask]:
    """An app with every installed plugin, on an empty database."""
    application = build_test_app(tmp_path, **app_config)
    yield application
    dispose(application)


@pytest.fixture
def bare_app(tmp_path: Any) -> Iterator[Flask]:
    """An app with no service plugin at all: the core must still work."""
    application = build_test_app(tmp_path, HELPDESK_LOAD_PLUGINS=[])
    yield application
    dispose(application)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def browser(client: FlaskClient) -> Browser:
    return Browser(client)


@pytest.fixture
def demo(app: Flask) -> Flask:
    """The app with the demo tenants, offices, users and services loaded."""
    from helpdesk import demo as demo_data
    from helpdesk import plugins

    def load() -> None:
        with app.app_context():
            demo_data.load(plugins.host().catalog)

    reuse_database(app, "demo", load)
    return app


@pytest.fixture
def login_as(demo: Flask) -> Any:
    """``login_as("coordinator", tenant="chalco")`` -> a signed-in :class:`Browser`."""
    from helpdesk import demo as demo_data

    def _login(role: str, tenant: str = "chalco") -> Browser:
        if role == "superadmin":
            email = demo_data.SUPERADMIN_EMAIL
        else:
            spec = next(t for t in demo_data.DEMO_TENANTS if t.slug == tenant)
            email = next(u.email for u in spec.users if u.role == role)
        browser = Browser(demo.test_client())
        response = browser.login(email, demo_data.DEMO_PASSWORD)
        assert response.status_code == 302, response.get_data(as_text=True)
        return browser

    return _login


@pytest.fixture
def make_ticket(demo: Flask) -> Any:
    """``make_ticket("GCH-CCS-P10", requester="solicitante@chalco.example", data={...})``.

    Files through :func:`helpdesk.tickets.file_request`, exactly as the portal does.
    """
    from sqlalchemy import select

    from helpdesk import plugins
    from helpdesk import service_settings
    from helpdesk import tickets
    from helpdesk.models import Tenant
    from helpdesk.models import User
    from helpdesk.tenancy import scoped_to

    def _make(
        service: str,
        *,
        tenant: str = "chalco",
        requester: str | None = None,
        data: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> Any:
        with demo.app_context():
            row = db.session.scalar(select(Tenant).where(Tenant.slug == tenant))
            with scoped_to(row):
                email = requester or f"solicitante@{tenant}.example"
                user = db.session.scalar(select(User).where(User.email == email))
                catalog = plugins.host().catalog
                rows = service_settings.ensure_rows(row, catalog)
                rows[service].enabled = True
                db.session.commit()
                effective = service_settings.effective(catalog.get(service), rows[service], row)
                ticket = tickets.file_request(
                    tenant=row,
                    service=effective,
                    requester=user,
                    filed_by=kwargs.pop("filed_by", user),
                    data=data or {},
                    unit_id=user.unit_id,
                    **kwargs,
                )
                return ticket.id

    return _make
