"""Guards and effects of the rapid regulatory confirmation (규제 신속확인, Act 49-2).

Under the 2021 rule set an applicant may ask whether its service needs a permit at all. The
ministry forwards the request to the agencies concerned at once (Act 49-2②); each answers
within 30 days whether it is competent and whether a permit is needed, with the
requirements if so (Act 49-2③). Silence for 30 days is deemed "not competent / no permit
needed" (Act 49-2④): the product records that answer itself. The ministry closes the
request within 30 days of filing, not counting agency time (Act 49-2⑥).
"""

from __future__ import annotations

from sqlalchemy import select

from ...adapters.tables import Consultation
from ...engine import door
from ...engine.actors import SYSTEM
from ...engine.door import FireContext
from ...engine.hooks import effect

__all__ = ["DEEMED_GROUND", "DEEMED_POSITION"]

DEEMED_POSITION = "no_permit_required"
DEEMED_GROUND = {
    "ko": "스마트도시법 제49조의2제4항",
    "en": "Smart City Act art. 49-2(4)",
    "rule": "30일 이내 회신이 없으면 허가등이 필요하지 아니한 것으로 본다 / "
            "no answer within 30 days is deemed: no permit needed",
}
SETTLED = ("answered", "deemed")


def _rapid(ctx: FireContext) -> dict:
    return dict((ctx.case.decision or {}).get("rapid") or {})


def _keep(ctx: FireContext, rapid: dict) -> None:
    ctx.case.decision = {**(ctx.case.decision or {}), "rapid": rapid}
    ctx.session.add(ctx.case)


@effect("record_filing")
def record_filing(ctx: FireContext) -> None:
    """``submit`` is the filing of DOMAIN.md's ``filed`` state (Act 49-2①): the request is
    forwarded in the same step, so the event says so and keeps the filing instant, from
    which the ministry's 30 days are counted (Act 49-2⑥)."""
    _keep(ctx, {**_rapid(ctx), "filed_at": ctx.now.isoformat()})
    ctx.audit_extra.update({"event": "filed", "forwarded_to": ctx.case.data.get("agencies", [])})


@effect("record_deemed_answer")
def record_deemed_answer(ctx: FireContext) -> None:
    """The agency stayed silent for 30 days: "no permit required", deemed (Act 49-2④)."""
    consultation = ctx.subject
    consultation.position = DEEMED_POSITION
    consultation.deemed = True
    ctx.session.add(consultation)
    ctx.payload.update({"position": DEEMED_POSITION, "deemed": True})
    ctx.audit_extra["legal_ground"] = DEEMED_GROUND


@effect("settle_rapid_case")
def settle_rapid_case(ctx: FireContext) -> None:
    """When the last agency has answered or been deemed, the case moves on by itself: to
    ``deemed_no_permit`` when every answer was deemed, else to ``answered``."""
    if ctx.case.state != "forwarded":
        return
    states = ctx.session.scalars(
        select(Consultation.state).where(Consultation.case_id == ctx.case.id)
    ).all()
    if not states or any(s not in SETTLED for s in states):
        return
    trigger = "deem_no_permit" if all(s == "deemed" for s in states) else "complete"
    # Fired once this answer is recorded, so the audit trail shows the cause first.
    ctx.then.append(lambda: door.fire(
        ctx.session, ctx.engine, ctx.now, SYSTEM, ctx.case, trigger, case=ctx.case
    ))


@effect("record_answers")
def record_answers(ctx: FireContext) -> None:
    """Keep every agency's answer on the case (the rapid-confirmation reply shows them)."""
    rows = ctx.session.scalars(
        select(Consultation).where(Consultation.case_id == ctx.case.id).order_by(Consultation.id)
    ).all()
    answers = [
        {"agency": c.agency, "position": c.position, "deemed": c.deemed,
         "requirements": c.requirements, "comment": c.comment}
        for c in rows
    ]
    _keep(ctx, {**_rapid(ctx), "answers": answers, "answered_at": ctx.now.isoformat()})
    ctx.audit_extra["answers"] = answers


@effect("flag_close_late")
def flag_close_late(ctx: FireContext) -> None:
    """The ministry did not close within its 30 days (Act 49-2⑥): flagged, not blocked."""
    _keep(ctx, {**_rapid(ctx), "close_late": True, "close_late_at": ctx.now.isoformat()})
    ctx.audit_extra.update({"close_late": True, "legal_ground": "스마트도시법 제49조의2제6항 / "
                                                               "Smart City Act art. 49-2(6)"})


@effect("record_closing")
def record_closing(ctx: FireContext) -> None:
    rapid = _rapid(ctx)
    rapid.update({"summary": ctx.payload["summary"], "closed_at": ctx.now.isoformat(),
                  "close_late": bool(rapid.get("close_late"))})
    _keep(ctx, rapid)
    ctx.audit_extra["close_late"] = rapid["close_late"]
