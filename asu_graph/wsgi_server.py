"""Production serving under gunicorn, embedded so ``asu-graph serve`` is one command."""

from __future__ import annotations

from flask import Flask
from gunicorn.app.base import BaseApplication

from .config import Settings


class _Gunicorn(BaseApplication):
    def __init__(self, app: Flask, options: dict) -> None:
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.application


def gunicorn_options(settings: Settings) -> dict:
    return {
        "bind": f"{settings.host}:{settings.port}",
        "workers": settings.workers,
        "threads": settings.threads,
        "worker_class": "gthread",
        # The graph is built once in the arbiter, then shared by the forked workers.
        "preload_app": True,
        "timeout": int(settings.query_timeout) + 30,
        "graceful_timeout": 10,
        # Room for SPARQL queries sent with GET (percent-encoded, so about three
        # times their length); 8190 is gunicorn's maximum. Longer ones go by POST.
        "limit_request_line": 8190,
        "accesslog": None,
        "loglevel": settings.log_level.lower(),
        # Several instances may run side by side (replicas, tests): no shared
        # control socket in $HOME.
        "control_socket_disable": True,
        # Forwarding headers (X-Forwarded-Proto, a SCRIPT_NAME header) are believed
        # only from ASU_TRUSTED_PROXIES (gunicorn's default trusts every loopback
        # client); the app applies them itself (web/security.py ProxyHeaders).
        "forwarded_allow_ips": ",".join(settings.trusted_proxies),
    }


def run_gunicorn(app: Flask, settings: Settings) -> None:
    _Gunicorn(app, gunicorn_options(settings)).run()
