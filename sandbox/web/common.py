"""What every page view needs: the runtime, the signed-in actor, choice lists, guards."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from ..adapters.tables import Organisation
from ..domain.errors import DomainError, Invalid
from ..domain.ids import MAX_ID
from ..engine.actors import Actor
from ..services.runtime import Runtime
from .forms import Choices, chosen_fields, error_list
from .i18n import lang
from .refusals import refusal

__all__ = ["rt", "actor", "choices", "roles", "page", "flash_error", "org_names", "form_errors",
           "page_number"]

F = TypeVar("F", bound=Callable[..., Any])


def rt() -> Runtime:
    return current_app.extensions["sandbox"]  # type: ignore[no-any-return]


def actor() -> Actor:
    return current_user.actor  # type: ignore[no-any-return]


def page_number() -> int:
    """The list page asked for in ``?page=``: 1 when absent or not a number, and never
    beyond what an offset can hold (sandbox.domain.ids)."""
    asked = request.args.get("page", 1, type=int) or 1
    return min(max(asked, 1), MAX_ID)


def _orgs() -> list[Organisation]:
    with rt().uow() as uow:
        return list(uow.session.scalars(select(Organisation).order_by(Organisation.code)))


def org_names() -> dict[str, str]:
    key = "name_ko" if lang() == "ko" else "name_en"
    return {o.code: getattr(o, key) for o in _orgs()}


def choices() -> Choices:
    """The organisations a form may offer. A local government files only for its own area
    (services.cases refuses any other), so it is offered no other."""
    key = "name_ko" if lang() == "ko" else "name_en"
    orgs = _orgs()
    own_area_only = current_user.is_authenticated and current_user.role == "local_government"
    return Choices(
        agencies=[(o.code, f"{getattr(o, key)} ({o.code})") for o in orgs if o.kind == "agency"],
        local_governments=[(o.code, getattr(o, key)) for o in orgs if o.kind == "local_government"
                           and (not own_area_only or o.code == current_user.org)],
    )


def roles(*allowed: str) -> Callable[[F], F]:
    """Signed in, with one of these roles; anyone else gets 404 (deny by default)."""

    def decorate(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if allowed and current_user.role not in allowed:
                abort(404)
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


def form_errors(exc: Invalid | dict[str, list[str]], specs: Any = None
                ) -> tuple[dict[str, str], list[tuple[str, str]]]:
    return error_list(exc.errors if isinstance(exc, Invalid) else exc, chosen_fields(specs))


def page(template: str, status: int = 200, **context: Any) -> Any:
    errors = context.pop("errors", None)
    if errors is not None:
        by_name, summary = form_errors(errors, context.get("specs"))
        context.setdefault("field_errors", by_name)
        context.setdefault("error_summary", summary)
        status = 422 if status == 200 and summary else status
    context.setdefault("field_errors", {})
    context.setdefault("error_summary", [])
    return render_template(template, **context), status


def flash_error(exc: DomainError, target: str) -> Any:
    """409/403 on a page: say what happened where the person came from (PRG)."""
    flash(refusal(exc.detail), "error")
    return redirect(target)


def back_to_case(case_id: int) -> str:
    return url_for("case_pages.show", case_id=case_id)
