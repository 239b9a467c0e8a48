"""Flask commands (API.md "Commands"): db, users, timers, audit, demo."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup, FlaskGroup

from .domain.errors import DomainError, Invalid
from .services import people
from .services.audit_check import verify_all
from .services.timers import fire_due_timers

__all__ = ["register_cli", "main", "alembic_config"]

ROOT = Path(__file__).resolve().parents[1]


def alembic_config(url: str):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.attributes["url"] = url
    return cfg


def _rt():  # type: ignore[no-untyped-def]
    return current_app.extensions["sandbox"]


# Said when a command finds no tables: a new install whose schema was never built.
NO_SCHEMA = ("no such table", "does not exist")


def told_database_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """A command that cannot use its database says why in one line and exits 1: the
    schema not built yet (with the command that builds it) or the server out of reach,
    not a driver's traceback."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import OperationalError, ProgrammingError

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (OperationalError, ProgrammingError) as exc:
            where = make_url(current_app.config["DATABASE_URL"]).render_as_string(hide_password=True)
            said = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
            if any(sign in said for sign in NO_SCHEMA):
                click.echo(f"the database {where} has no schema yet ({said}): "
                           "run `flask --app wsgi db upgrade` first", err=True)
            else:
                click.echo(f"the database {where} cannot be used: {said}", err=True)
            sys.exit(1)

    return run


def register_cli(app: Flask) -> None:
    db = AppGroup("db", help="Database schema.")
    users = AppGroup("users", help="Users and API tokens.")
    timers = AppGroup("timers", help="Durable timers.")
    audit = AppGroup("audit", help="The audit trail.")

    @db.command("upgrade")
    @click.option("--revision", default="head")
    @told_database_errors
    def db_upgrade(revision: str) -> None:
        """Apply migrations, then load the seed organisations."""
        from alembic import command

        command.upgrade(alembic_config(current_app.config["DATABASE_URL"]), revision)
        added = people.seed_organisations(_rt())
        click.echo(f"schema at {revision}; {added} seed organisations added")

    @users.command("create")
    @click.option("--email", required=True)
    @click.option("--role", required=True)
    @click.option("--org", required=True)
    @click.option("--name", required=True)
    @click.option("--password", required=True)
    @click.option("--org-name", help="an applicant's new company: its name (documents use it)")
    @click.option("--org-name-en", help="the company's name in English (default: --org-name)")
    @told_database_errors
    def users_create(email: str, role: str, org: str, name: str, password: str,
                     org_name: str | None, org_name_en: str | None) -> None:
        """Create a user (roles: applicant, local_government, agency, committee_member,
        secretariat)."""
        try:
            user = people.create_user(_rt(), email=email, role=role, org=org, name=name,
                                      password=password, org_name=org_name,
                                      org_name_en=org_name_en)
        except Invalid as exc:
            for field, messages in exc.errors.items():
                click.echo(f"{field}: {'; '.join(messages)}", err=True)
            sys.exit(2)
        click.echo(f"user {user.id} {user.email} ({user.role}, {user.org_code})")

    @users.command("token")
    @click.option("--email", required=True)
    @told_database_errors
    def users_token(email: str) -> None:
        """Print a new API token for the user."""
        from sqlalchemy import select

        from .adapters.tables import User

        with _rt().uow() as uow:
            user = uow.session.scalars(select(User).where(User.email == email.lower())).first()
        if user is None:
            click.echo(f"no user {email}", err=True)
            sys.exit(2)
        click.echo(people.issue_token(_rt(), user.id))

    @timers.command("fire")
    @told_database_errors
    def timers_fire() -> None:
        """Fire every timer due at the clock's now; print how many fired."""
        click.echo(fire_due_timers(_rt()))

    @audit.command("verify")
    @told_database_errors
    def audit_verify() -> None:
        """Exit 0 if every case's event chain is intact, else name the first broken event."""
        checked, broken = verify_all(_rt())
        if broken is None:
            click.echo(f"ok: {checked} cases, every chain intact")
            return
        click.echo(
            f"broken: case {broken.case_id} event seq {broken.seq} (id {broken.id}, "
            f"{broken.action} at {broken.at.isoformat()})", err=True,
        )
        sys.exit(1)

    @app.cli.command("demo")
    @told_database_errors
    def demo() -> None:
        """Load demonstration organisations, users and cases at several stages."""
        from .demo import load_demo

        try:
            for line in load_demo(_rt()):
                click.echo(line)
        except DomainError as exc:
            click.echo(f"demo failed: {exc.detail}", err=True)
            sys.exit(1)

    @app.cli.command("serve")
    @told_database_errors
    @click.option("--host", default="127.0.0.1")
    @click.option("--port", default=5000, type=int)
    def serve(host: str, port: int) -> None:
        """Embedded run: the web server plus the in-process timer loop (no Redis needed)."""
        from werkzeug.serving import run_simple

        from .timer_loop import start_timer_loop

        behind = schema_behind(current_app.config["DATABASE_URL"], current_app.extensions["sandbox.db"])
        if behind:
            click.echo(f"the database's schema is {behind}: run `flask --app wsgi db upgrade` first",
                       err=True)
            sys.exit(1)
        log_like_the_web_role()
        app_obj = current_app._get_current_object()  # type: ignore[attr-defined]
        if not app_obj.config.get("REDIS_URL") and "sandbox.timer_loop_stop" not in app_obj.extensions:
            start_timer_loop(app_obj)
        run_simple(host, port, app_obj, threaded=True, use_reloader=False)

    for group in (db, users, timers, audit):
        app.cli.add_command(group)


def schema_behind(url: str, db_engine: Any) -> str | None:
    """What is wrong with the schema the server would run on (None: at the migrations'
    head), so that it refuses to start rather than answer every page with an error."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    with db_engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    if current == head:
        return None
    return "not built yet" if current is None else f"at {current}, not at {head}"


def log_like_the_web_role() -> None:
    """The embedded run's log lines as the production web role writes them (time stamp,
    level, logger): without a handler Python printed only WARNING and up, so the mail the
    embedded mode writes to the log instead of sending it (logger ``sandbox.mail``, INFO)
    never showed."""
    import logging.config

    from .gunicorn_conf import logconfig_dict

    logging.config.dictConfig(logconfig_dict)


def main() -> None:
    """The ``sandbox`` console script: ``flask --app wsgi`` under a shorter name."""
    cli = FlaskGroup(create_app=lambda: __import__("wsgi").app)
    cli.main(prog_name="sandbox")
