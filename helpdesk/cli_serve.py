"""`helpdesk serve`: the app under gunicorn with production defaults (issue 16).

gunicorn runs in this process through its custom application API
(``gunicorn.app.base.BaseApplication``): ``load_config`` hands it the options
built by :func:`gunicorn_options` and ``load`` builds the app with the factory.
``make run`` and ``helpdesk run`` stay on Flask's development server.

The app is built in each worker, after the fork (``preload_app`` off): no
database pool, Redis connection or rate-limit store is shared between
processes, and a recycled worker starts from the factory like the first one.
The command's own app, built by the CLI before gunicorn starts, has already
read the same environment, so a malformed setting still stops start-up with
one line before any worker is forked.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from collections.abc import Mapping
from typing import Any

import click
from flask import Flask
from flask import current_app
from flask.cli import with_appcontext

from helpdesk.config.kinds import valid_bind

DEFAULT_BIND = "127.0.0.1:8000"
DEFAULT_TIMEOUT = 60
# Threaded workers (gthread): a kept-alive connection waits in the worker's
# poller instead of holding a process, and the in-process jobs of the embedded
# default (SLA sweep, outbox flush, run after a response) occupy one thread,
# not the whole worker. Two threads keep a host's database connections near
# 2 x workers.
WORKER_CLASS = "gthread"
THREADS = 2
# Longer than the idle timeout proxies keep on upstream connections (nginx's
# keepalive_timeout and most load balancers: 60 s): the proxy closes an idle
# connection first, so it never sends a request on one gunicorn is closing.
KEEPALIVE = 75
# What a request in flight gets to finish on SIGTERM or a restart.
GRACEFUL_TIMEOUT = 30
# Recycle a worker after about this many requests to bound memory growth; the
# jitter keeps the workers from restarting together.
MAX_REQUESTS = 1000
MAX_REQUESTS_JITTER = 100


class BindError(ValueError):
    """A listening address that is not ``host:port`` or ``unix:/path``; the message names it."""


def check_bind(raw: str, source: str) -> str:
    """Return the address gunicorn should bind, stripped.

    :param raw: ``host:port``, ``[ipv6]:port`` or ``unix:/absolute/path``.
    :param source: the setting or option it came from, for the message.
    :raises BindError: with a one-line Spanish message naming ``source``.
    """
    value = raw.strip()
    if valid_bind(value):
        return value
    # The wording of HELPDESK_BIND's own check in helpdesk.config.
    raise BindError(
        f"{source}: «{raw}» debe ser host:puerto o unix:/ruta (ejemplo: 127.0.0.1:8000)"
    )


def cpu_count() -> int:
    """The CPUs this process may run on: a container's or taskset's set, not the host's."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def default_workers(cpus: int) -> int:
    """gunicorn's rule of thumb: two workers per CPU, plus one."""
    return 2 * max(cpus, 1) + 1


def gunicorn_options(
    config: Mapping[str, Any],
    *,
    bind: str | None = None,
    workers: int | None = None,
    timeout: int | None = None,
    cpus: int | None = None,
) -> dict[str, Any]:
    """gunicorn's settings for the app's config; the command's options win over it.

    :param config: the app's config (``HELPDESK_BIND``, ``HELPDESK_WORKERS``,
        ``HELPDESK_WORKER_TIMEOUT``, ``HELPDESK_REDIS_URL``).
    :param workers: processes; ``0`` (like ``HELPDESK_WORKERS=0``) is
        :func:`default_workers` of ``cpus`` (:func:`cpu_count` when omitted).
    :raises BindError: when the address is malformed.
    """
    if bind is not None:
        address = check_bind(bind, "--bind")
    else:
        address = check_bind(str(config.get("HELPDESK_BIND") or DEFAULT_BIND), "HELPDESK_BIND")
    count = workers if workers is not None else int(config.get("HELPDESK_WORKERS") or 0)
    if count <= 0:
        count = default_workers(cpu_count() if cpus is None else cpus)
    seconds = timeout if timeout is not None else config.get("HELPDESK_WORKER_TIMEOUT")
    # Without Redis a worker keeps the sign-in counters and the in-process jobs'
    # last runs in its memory: recycling it would hand an attacker a fresh
    # budget of attempts and run every job again, so it is left running.
    recycle = bool(config.get("HELPDESK_REDIS_URL"))
    options: dict[str, Any] = {
        "bind": [address],
        "workers": count,
        "worker_class": WORKER_CLASS,
        "threads": THREADS,
        "timeout": int(seconds if seconds is not None else DEFAULT_TIMEOUT),
        "graceful_timeout": GRACEFUL_TIMEOUT,
        "keepalive": KEEPALIVE,
        "max_requests": MAX_REQUESTS if recycle else 0,
        "max_requests_jitter": MAX_REQUESTS_JITTER if recycle else 0,
        "preload_app": False,
        "accesslog": "-",
        "errorlog": "-",
        # HELPDESK_PROXY_HOPS (ProxyFix, in create_app) is the one place that
        # trusts forwarded headers; gunicorn's own trust of 127.0.0.1, and of
        # anything on a unix socket, would read them a second way.
        "forwarded_allow_ips": "",
        "secure_scheme_headers": {},
        "forwarder_headers": "",
        # Its default path is shared by every gunicorn of the user, and a second
        # server removes the first one's socket; we do not use gunicornc.
        "control_socket_disable": True,
        "proc_name": "helpdesk",
    }
    if os.path.isdir("/dev/shm"):
        # The heartbeat file in memory: on a container's overlay disk its
        # updates can stall and get healthy workers killed (gunicorn's FAQ).
        options["worker_tmp_dir"] = "/dev/shm"
    return options


def shared_state_warning(config: Mapping[str, Any], workers: int) -> str | None:
    """The warning for several workers without Redis (None when it does not apply)."""
    if workers <= 1 or config.get("HELPDESK_REDIS_URL"):
        return None
    return (
        f"Aviso: sin HELPDESK_REDIS_URL cada uno de los {workers} procesos lleva su propio "
        "límite de intentos de inicio de sesión y ejecuta por su cuenta el barrido de plazos, "
        "el envío de correos y los trabajos periódicos; configure Redis y `helpdesk worker`, "
        "o use --workers 1."
    )


def build_server(options: Mapping[str, Any], factory: Callable[[], Flask]) -> Any:
    """gunicorn's application for ``options``, building the app with ``factory`` per worker."""
    # Imported here: gunicorn needs fcntl (Unix only), and every create_app()
    # imports this module to register the command.
    from gunicorn.app.base import BaseApplication

    class HelpdeskServer(BaseApplication):
        def __init__(self) -> None:
            self.options = dict(options)
            super().__init__()

        def load_config(self) -> None:
            for key, value in self.options.items():
                # Settings newer than the installed gunicorn (the control socket
                # came in 25.1; pyproject allows 23) are left out.
                if key in self.cfg.settings:
                    self.cfg.set(key, value)

        def load(self) -> Flask:
            return factory()

    return HelpdeskServer()


def worker_app() -> Flask:
    """Each worker's app, from the environment as the command's own was.

    An exception (not the CLI's ``sys.exit``) makes gunicorn stop with "Worker
    failed to boot" instead of forking a replacement forever.
    """
    from helpdesk import create_app

    return create_app()


@click.command("serve")
@click.option("--bind", help="host:port or unix:/path [HELPDESK_BIND, 127.0.0.1:8000].")
@click.option(
    "--workers",
    type=click.IntRange(min=0),
    help="Worker processes; 0 is 2 x CPUs + 1 [HELPDESK_WORKERS, 0].",
)
@click.option(
    "--timeout",
    type=click.IntRange(min=1),
    help="Seconds a silent worker lives before it is restarted [HELPDESK_WORKER_TIMEOUT, 60].",
)
@with_appcontext
def serve_command(bind: str | None, workers: int | None, timeout: int | None) -> None:
    """Serve the app under gunicorn (production): access log on stdout, errors on stderr.

    Behind a reverse proxy set HELPDESK_PROXY_HOPS; `helpdesk run` stays the
    development server.
    """
    config = current_app.config
    try:
        options = gunicorn_options(config, bind=bind, workers=workers, timeout=timeout)
    except BindError as exc:
        # One line and the same exit status as a malformed setting at start-up.
        click.echo(f"Error de configuración: {exc}", err=True)
        sys.exit(2)
    warning = shared_state_warning(config, options["workers"])
    if warning:
        click.echo(warning, err=True)
    build_server(options, worker_app).run()
