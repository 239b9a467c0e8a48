"""Guards and effects of the district designation process (2020 rule set)."""

from __future__ import annotations

from sqlalchemy import select

from ...adapters.tables import Timer
from ...engine.door import FireContext
from ...engine.hooks import guard

MINISTRY = "MOLIT"


@guard("direct_designation")
def direct_designation(ctx: FireContext) -> str | None:
    # The Minister may designate a district directly; then the secretariat files it itself.
    if ctx.case.filer_org != MINISTRY:
        return "only a district opened by the ministry skips the application step"
    return None


@guard("not_direct_designation")
def not_direct_designation(ctx: FireContext) -> str | None:
    if ctx.case.filer_org == MINISTRY:
        return "a direct designation has no application: open the resident opinion period"
    return None


@guard("resident_opinion_closed")
def resident_opinion_closed(ctx: FireContext) -> str | None:
    status = ctx.session.scalars(
        select(Timer.status)
        .where(
            Timer.subject_type == "case",
            Timer.subject_id == ctx.case.id,
            Timer.kind == "resident_opinion_end",
        )
        .order_by(Timer.id.desc())  # type: ignore[union-attr]
        .limit(1)
    ).first()
    if status != "fired":
        return "the resident opinion period has not ended yet"
    return None
