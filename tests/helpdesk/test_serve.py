"""`helpdesk serve` (helpdesk/cli_serve.py) and the proxy hops of create_app (issue 16)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from werkzeug.middleware.proxy_fix import ProxyFix

from helpdesk import cli_serve
from helpdesk.cli_serve import BindError
from helpdesk.cli_serve import build_server
from helpdesk.cli_serve import check_bind
from helpdesk.cli_serve import gunicorn_options
from helpdesk.cli_serve import shared_state_warning

WRONG = {"email": "nadie@chalco.example", "password": "wrong-password-1"}
LIMITED = {"HELPDESK_LOGIN_RATE_LIMIT": "3/minute"}


@pytest.fixture
def app_config(request):
    """Settings of the ``app`` fixture: a test's ``indirect`` parameter, or none."""
    return getattr(request, "param", {})


# --- gunicorn's options ----------------------------------------------------------------


def test_defaults_take_the_workers_from_the_cpus():
    options = gunicorn_options({}, cpus=4)
    assert options["workers"] == 9
    assert options["bind"] == ["127.0.0.1:8000"]
    assert options["timeout"] == 60
    assert options["accesslog"] == "-"
    assert options["errorlog"] == "-"
    assert options["preload_app"] is False
    assert options["worker_class"] == "gthread"
    assert options["keepalive"] > 60
    assert options["graceful_timeout"] == 30
    # Only ProxyFix reads forwarded headers.
    assert options["forwarded_allow_ips"] == ""
    assert options["secure_scheme_headers"] == {}


def test_cpu_count_is_the_cpus_this_process_may_use(monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2}, raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 64)
    assert cli_serve.cpu_count() == 3
    assert gunicorn_options({})["workers"] == 7
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)
    assert cli_serve.cpu_count() == 64


def test_settings_set_the_options():
    config = {
        "HELPDESK_BIND": "0.0.0.0:8080",
        "HELPDESK_WORKERS": 3,
        "HELPDESK_WORKER_TIMEOUT": 120,
    }
    options = gunicorn_options(config, cpus=8)
    assert (options["bind"], options["workers"], options["timeout"]) == (["0.0.0.0:8080"], 3, 120)


def test_command_options_win_over_the_settings():
    config = {
        "HELPDESK_BIND": "0.0.0.0:8080",
        "HELPDESK_WORKERS": 3,
        "HELPDESK_WORKER_TIMEOUT": 120,
    }
    options = gunicorn_options(config, bind="unix:/run/helpdesk.sock", workers=5, timeout=30)
    assert options["bind"] == ["unix:/run/helpdesk.sock"]
    assert (options["workers"], options["timeout"]) == (5, 30)
    # --workers 0 means "from the CPUs", like the setting.
    assert gunicorn_options(config, workers=0, cpus=2)["workers"] == 5


def test_workers_are_recycled_only_when_their_state_lives_in_redis():
    alone = gunicorn_options({}, cpus=1)
    assert (alone["max_requests"], alone["max_requests_jitter"]) == (0, 0)
    shared = gunicorn_options({"HELPDESK_REDIS_URL": "redis://127.0.0.1:6379/0"}, cpus=1)
    assert shared["max_requests"] == cli_serve.MAX_REQUESTS
    assert 0 < shared["max_requests_jitter"] < shared["max_requests"]


def test_several_workers_without_redis_are_warned_about():
    assert shared_state_warning({}, 1) is None
    assert shared_state_warning({"HELPDESK_REDIS_URL": "redis://127.0.0.1:6379/0"}, 5) is None
    warning = shared_state_warning({}, 5)
    assert warning.startswith("Aviso: sin HELPDESK_REDIS_URL") and "5 procesos" in warning
    assert "\n" not in warning


@pytest.mark.parametrize(
    "value",
    ["127.0.0.1:8000", "0.0.0.0:80", "localhost:65535", "[::1]:8000", "unix:/run/helpdesk.sock"],
)
def test_well_formed_binds_pass(value):
    assert check_bind(f" {value} ", "--bind") == value


@pytest.mark.parametrize(
    "value",
    [
        "",
        "localhost",
        "127.0.0.1:",
        ":8000",
        "127.0.0.1:0",
        "127.0.0.1:70000",
        "999.1.1.1:8000",
        "::1:8000",
        "[::zz]:8000",
        "unix:",
        "unix:relative.sock",
        "http://127.0.0.1:8000",
    ],
)
def test_malformed_binds_are_refused_naming_the_source(value):
    with pytest.raises(BindError) as raised:
        check_bind(value, "HELPDESK_BIND")
    assert str(raised.value).startswith(f"HELPDESK_BIND: «{value}» debe ser host:puerto")


def test_the_server_carries_the_options_and_builds_the_app_on_load():
    built = []

    def factory():
        built.append(object())
        return built[-1]

    server = build_server(gunicorn_options({}, cpus=1, timeout=45), factory)
    cfg = server.cfg
    assert cfg.bind == ["127.0.0.1:8000"]
    assert (cfg.workers, cfg.threads, cfg.timeout) == (3, 2, 45)
    assert (cfg.accesslog, cfg.errorlog) == ("-", "-")
    assert cfg.preload_app is False
    assert cfg.forwarded_allow_ips == []
    assert built == []  # nothing until a worker asks
    assert server.wsgi() is built[0]
    assert server.wsgi() is built[0] and len(built) == 1


# --- the command ------------------------------------------------------------------------


def test_serve_passes_its_options_to_gunicorn(runner, monkeypatch):
    started = []

    class FakeServer:
        def __init__(self, options, factory):
            self.options, self.factory = options, factory

        def run(self):
            started.append(self)

    monkeypatch.setattr(cli_serve, "build_server", FakeServer)
    result = runner.invoke(
        args=["serve", "--bind", "127.0.0.1:9001", "--workers", "1", "--timeout", "90"]
    )
    assert result.exit_code == 0, result.output
    [server] = started
    assert server.options["bind"] == ["127.0.0.1:9001"]
    assert (server.options["workers"], server.options["timeout"]) == (1, 90)
    assert server.factory is cli_serve.worker_app
    assert result.stderr == ""


def test_serve_refuses_a_malformed_bind_in_one_line(runner, monkeypatch):
    monkeypatch.setattr(cli_serve, "build_server", pytest.fail)
    result = runner.invoke(args=["serve", "--bind", "localhost"])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "Error de configuración: --bind: «localhost» debe ser host:puerto o unix:/ruta "
        "(ejemplo: 127.0.0.1:8000)"
    ]


@pytest.mark.parametrize("app_config", [{"HELPDESK_BIND": "8000"}], indirect=True)
def test_serve_refuses_a_malformed_bind_setting(runner, monkeypatch):
    monkeypatch.setattr(cli_serve, "build_server", pytest.fail)
    result = runner.invoke(args=["serve"])
    assert result.exit_code == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("Error de configuración: HELPDESK_BIND: «8000»")


# --- ProxyFix and the sign-in limit ------------------------------------------------------


def sign_in_statuses(browser, times, forwarded_for=None):
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return [browser.post("/login", WRONG, headers=headers).status_code for _ in range(times)]


@pytest.mark.parametrize("app_config", [{**LIMITED, "HELPDESK_PROXY_HOPS": 1}], indirect=True)
def test_behind_one_proxy_each_client_has_its_own_sign_in_limit(browser):
    assert sign_in_statuses(browser, 4, "203.0.113.10") == [200, 200, 200, 429]
    assert sign_in_statuses(browser, 1, "203.0.113.20") == [200]
    # What the client wrote before the proxy's own entry is not believed.
    assert sign_in_statuses(browser, 1, "198.51.100.9, 203.0.113.10") == [429]
    # The proxy's address (no header) is a client of its own.
    assert sign_in_statuses(browser, 1) == [200]


@pytest.mark.parametrize("app_config", [LIMITED], indirect=True)
def test_without_trusted_proxies_a_forged_header_does_not_dodge_the_limit(app, browser):
    assert not isinstance(app.wsgi_app, ProxyFix)
    addresses = ["203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.4"]
    statuses = [sign_in_statuses(browser, 1, address)[0] for address in addresses]
    assert statuses == [200, 200, 200, 429]


@pytest.mark.parametrize("app_config", [{"HELPDESK_PROXY_HOPS": 2}], indirect=True)
def test_the_hops_apply_to_every_forwarded_header(app):
    fix = app.wsgi_app
    assert isinstance(fix, ProxyFix)
    assert (fix.x_for, fix.x_proto, fix.x_host, fix.x_port, fix.x_prefix) == (2, 2, 2, 2, 2)


# --- the real server ---------------------------------------------------------------------


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(predicate, seconds, server, what):
    """Poll ``predicate`` until it returns a value; fail if the server dies or time runs out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        if server.poll() is not None:
            pytest.fail(f"helpdesk serve exited ({server.returncode}) before {what}")
        time.sleep(0.2)
    pytest.fail(f"no {what} within {seconds} s")


def test_serve_answers_over_http_logs_to_stdout_and_stops_on_sigterm(tmp_path):
    script = os.path.join(os.path.dirname(sys.executable), "helpdesk")
    env = {key: value for key, value in os.environ.items() if not key.startswith("HELPDESK_")}
    env.update(
        HELPDESK_DATABASE_URL=f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        HELPDESK_INSTANCE_PATH=str(tmp_path / "instance"),
        HELPDESK_SECRET_KEY="serve-test-secret-0123456789",
        HELPDESK_PROXY_HOPS="1",
    )
    init = subprocess.run([script, "init-db"], env=env, capture_output=True, text=True, timeout=120)
    assert init.returncode == 0, init.stderr
    port = free_port()
    out_path, err_path = tmp_path / "stdout.log", tmp_path / "stderr.log"
    with out_path.open("w") as out, err_path.open("w") as err:
        server = subprocess.Popen(
            [script, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
            env=env,
            stdout=out,
            stderr=err,
            # Its own process group: whatever happens, the master and its
            # worker are killed together below.
            start_new_session=True,
        )
    try:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/login", headers={"X-Forwarded-For": "203.0.113.7"}
        )

        def fetch():
            try:
                with urllib.request.urlopen(request, timeout=5) as response:
                    return response.status, response.read().decode()
            except urllib.error.HTTPError as exc:
                exc.close()
                pytest.fail(f"GET /login answered {exc.code}")
            except OSError:  # not listening yet
                return None

        status, page = wait_until(fetch, 60, server, "answer on /login")
        assert status == 200 and 'name="password"' in page

        def access_line():
            lines = out_path.read_text().splitlines()
            return next((line for line in lines if '"GET /login HTTP/1.1" 200' in line), None)

        line = wait_until(access_line, 10, server, "access-log line on stdout")
        # ProxyFix ran before gunicorn wrote the line: the client, not the proxy.
        assert line.startswith("203.0.113.7 ")

        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0
        log = err_path.read_text()
        assert "Listening at: http://127.0.0.1:" in log and "Shutting down" in log
    finally:
        # Also reaches a worker left behind by a master that died.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)
