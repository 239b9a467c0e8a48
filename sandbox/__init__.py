"""The regulatory sandbox workflow engine.

``create_app`` is the only place where things are wired together.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from .adapters.db import make_engine, session_factory
from .config import load_config
from .domain.clock import Clock, system_clock
from .engine.runtime import load_engine
from .routing import RowIdConverter
from .services.runtime import Runtime

__all__ = ["create_app"]


def create_app(config: Mapping[str, Any] | None = None, *, clock: Clock | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True,
                template_folder="../templates", static_folder="../static")
    app.config.update(load_config(config, app.instance_path))
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.url_map.converters["int"] = RowIdConverter  # before any route is added
    proxies = int(app.config["SANDBOX_PROXIES"])
    if proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # The client's address as the proxies saw it (config.py, SANDBOX_PROXIES).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]

    db_engine = make_engine(app.config["DATABASE_URL"])
    rt = Runtime(
        engine=load_engine(),
        session_factory=session_factory(db_engine),
        clock=clock or system_clock,
        rule_set=app.config["SANDBOX_RULE_SET"],
    )
    app.extensions["sandbox"] = rt
    app.extensions["sandbox.db"] = db_engine

    from .api import init_api
    from .cli import register_cli
    from .web import init_web

    init_api(app)
    init_web(app)  # after the API: its error pages answer /api/ paths with problem+json
    from .input_guard import init_input_guard

    init_input_guard(app)
    register_cli(app)
    from .wiring import wire_delivery

    wire_delivery(app)  # outbox delivery: Celery, in-process thread, or drained by tests
    if app.config["SANDBOX_TIMER_LOOP"] == "1":
        from .timer_loop import start_timer_loop

        start_timer_loop(app)
    return app
