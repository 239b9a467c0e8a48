"""Flask commands (API.md "Commands"): db, users, timers, audit, demo."""

from __future__ import annotations

import sys
from pathlib import Path

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


def register_cli(app: Flask) -> None:
    db = AppGroup("db", help="Database schema.")
    users = AppGroup("users", help="Users and API tokens.")
    timers = AppGroup("timers", help="Durable timers.")
    audit = AppGroup("audit", help="The audit trail.")

    @db.command("upgrade")
    @click.option("--revision", default="head")
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
    def timers_fire() -> None:
        """Fire every timer due at the clock's now; print how many fired."""
        click.echo(fire_due_timers(_rt()))

    @audit.command("verify")
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
    @click.option("--host", default="127.0.0.1")
    @click.option("--port", default=5000, type=int)
    def serve(host: str, port: int) -> None:
        """Embedded run: the web server plus the in-process timer loop (no Redis needed)."""
        from werkzeug.serving import run_simple

        from .timer_loop import start_timer_loop

        log_like_the_web_role()
        app_obj = current_app._get_current_object()  # type: ignore[attr-defined]
        if not app_obj.config.get("REDIS_URL") and "sandbox.timer_loop_stop" not in app_obj.extensions:
            start_timer_loop(app_obj)
        run_simple(host, port, app_obj, threaded=True, use_reloader=False)

    for group in (db, users, timers, audit):
        app.cli.add_command(group)


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
