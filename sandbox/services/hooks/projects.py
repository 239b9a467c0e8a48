"""Guards and effects of business plan approval (Act 49, Decree 52).

Under the 2020 rule set a plan runs inside a regulatory innovation district: it is filed
for a designated district or together with a district request, and an approval before the
district is designated waits for it (DOMAIN "Combined filing"). Under 2021 plans are
nationwide and name no district.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ...adapters.tables import Case
from ...domain.calendar import KST
from ...domain.errors import Invalid
from ...engine import door
from ...engine.actors import SYSTEM
from ...engine.door import FireContext
from ...engine.hooks import effect, guard
from ..exceptions import open_exception

# Decree 52③: the grounds on which a filed plan may be returned without review.
RETURN_GROUNDS = ("fraud", "no_local_review", "missing_attachments")
# A district that ended in one of these states will never be designated.
DISTRICT_FAILED = ("returned", "withdrawn", "rejected", "lifted")


def _district(ctx: FireContext) -> Case | None:
    if not ctx.case.district_id or not ctx.rules.has("districts"):
        return None
    return ctx.session.get(Case, ctx.case.district_id)


@guard("district_allows_filing")
def district_allows_filing(ctx: FireContext) -> str | None:
    if not ctx.rules.has("districts"):
        return None
    district = _district(ctx)
    if district is None:
        return "under the 2020 rules a plan needs a designated district (or a combined filing)"
    if district.state in DISTRICT_FAILED:
        return f"its district is {district.state}: the plan cannot be filed in it"
    return None


@guard("district_designated")
def district_designated(ctx: FireContext) -> str | None:
    district = _district(ctx)
    if district is None or district.state == "designated":
        return None
    return "the district is not designated yet"


@guard("district_pending")
def district_pending(ctx: FireContext) -> str | None:
    district = _district(ctx)
    if district is not None and district.state not in (*DISTRICT_FAILED, "designated"):
        return None
    return "the district is not pending"


@guard("district_failed")
def district_failed(ctx: FireContext) -> str | None:
    district = _district(ctx)
    if district is not None and district.state in DISTRICT_FAILED:
        return None
    return "the district did not fail"


@effect("record_local_review")
def record_local_review(ctx: FireContext) -> None:
    """Act 49②: the local government's opinion travels with the plan to the ministry."""
    review = {**ctx.payload, "by": ctx.actor.org, "at": ctx.now.isoformat()}
    ctx.case.decision = {**(ctx.case.decision or {}), "local_review": review}
    ctx.session.add(ctx.case)


@effect("flag_local_review_overdue")
def flag_local_review_overdue(ctx: FireContext) -> None:
    ctx.case.flags = {**(ctx.case.flags or {}), "local_review_overdue": _today(ctx)}
    ctx.session.add(ctx.case)


@effect("check_return_ground")
def check_return_ground(ctx: FireContext) -> None:
    if ctx.payload["ground"] not in RETURN_GROUNDS:
        raise Invalid.field(
            "ground", "시행령 제52조제3항의 반려 사유 / One of (Decree 52(3)): " + ", ".join(RETURN_GROUNDS)
        )


@effect("grant_exception")
def grant_exception(ctx: FireContext) -> None:
    """The approval takes effect: the special exception starts its life (awaiting start)."""
    resolution = (ctx.case.decision or {}).get("resolution") or {}
    exception = open_exception(ctx.session, ctx.engine, ctx.now, ctx.case, resolution)
    ctx.audit_extra["exception"] = {
        "id": exception.id, "effective_on": exception.effective_on.isoformat(),
        "ends_on": exception.ends_on.isoformat() if exception.ends_on else None,
    }


def _today(ctx: FireContext) -> str:
    return ctx.now.astimezone(KST).date().isoformat()


def move_district_plans(ctx: FireContext, action: str) -> None:
    """Plans approved while their district was pending take effect, or close, with it."""
    plans = ctx.session.scalars(
        select(Case).where(
            Case.process == "project_approval", Case.district_id == ctx.case.id,
            Case.state == "approved_pending_designation",
        ).order_by(Case.id).with_for_update()  # type: ignore[arg-type]
    ).all()
    for plan in plans:
        door.fire(ctx.session, ctx.engine, ctx.now, SYSTEM, plan, action, case=plan)


@effect("plans_take_effect")
def plans_take_effect(ctx: FireContext) -> None:
    move_district_plans(ctx, "take_effect")


@effect("close_district_plans")
def close_district_plans(ctx: FireContext) -> None:
    move_district_plans(ctx, "close")


def check_district_reference(session: Any, rules: Any, data: dict[str, Any]) -> None:
    """Filing-time check of a plan's ``district_id`` (422 with the field named)."""
    district_id = data.get("district_id")
    if not rules.has("districts"):
        if district_id is not None:
            raise Invalid.field("data.district_id",
                                "2021년 제도에는 지구가 없습니다. / No districts under the 2021 rules.")
        return
    if district_id is None:
        return  # a draft may wait for its district (the submit guard insists on one)
    district = session.get(Case, district_id)
    if district is None or district.process != "district_designation":
        raise Invalid.field("data.district_id", "알 수 없는 지구 / Unknown district.")
    if district.state in DISTRICT_FAILED:
        raise Invalid.field("data.district_id", f"지정될 수 없는 지구 / The district is {district.state}.")
    if district.local_government != data.get("local_government"):
        raise Invalid.field("data.district_id", "다른 지자체의 지구 / The district is in another area.")


def link_district_projects(session: Any, district: Case, data: dict[str, Any] | None = None) -> None:
    """A combined filing (DOMAIN 1): the district request names plans of its area that are
    not yet under review; they join the district."""
    ids = (district.data if data is None else data).get("projects") or []
    if not ids:
        return
    plans = {p.id: p for p in session.scalars(select(Case).where(Case.id.in_(ids)))}  # type: ignore[union-attr]
    for plan_id in ids:
        plan = plans.get(plan_id)
        if (plan is None or plan.process != "project_approval"
                or plan.local_government != district.local_government):
            raise Invalid.field("data.projects", 
                                f"이 지역의 사업계획이 아닙니다 / Not a plan of this area: {plan_id}")
        if plan.district_id not in (None, district.id):
            raise Invalid.field("data.projects",
                                f"다른 지구의 사업계획 / Already in another district: {plan_id}")
        if plan.state not in ("draft", "local_government_review"):
            raise Invalid.field("data.projects", f"이미 심사 중인 사업계획 / Already under review: {plan_id}")
        plan.district_id = district.id
        session.add(plan)
