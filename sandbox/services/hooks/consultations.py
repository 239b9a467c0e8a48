"""Guards and effects of consultations (Act 49④⑤) and their opening and closing."""

from __future__ import annotations

from datetime import date

from sqlalchemy import insert, select

from ...adapters.tables import Consultation
from ...adapters.templating import kdate
from ...domain.errors import Invalid
from ...engine import door, timers
from ...engine.actors import SYSTEM
from ...engine.door import FireContext
from ...engine.hooks import effect, guard
from ...engine.notify import Message, recipients, send

POSITIONS = {
    "consultation": {
        "consent": None,
        "consent_with_conditions": "conditions",
        "object": "comment",
        "not_applicable": None,
    },
    # Rapid confirmation (Act 49-2③): whether a permit is needed, with its requirements.
    "rapid_consultation": {
        "permit_required": "requirements",
        "no_permit_required": None,
    },
}
# What a position that needs its text is told without it, in words, not position codes.
REQUIRED_TEXT = {
    "conditions": "조건부 동의에는 조건을 적어 주세요. / Consent with conditions needs the conditions.",
    "comment": "반대 의견에는 사유를 적어 주세요. / An objection needs its reasons.",
    "requirements": "허가가 필요하다는 회신에는 요건을 적어 주세요. / "
                    "A reply that a permit is required needs the requirements.",
}
SETTLED = ("answered", "overdue", "closed", "deemed")


@effect("open_consultations")
def open_consultations(ctx: FireContext) -> None:
    """One consultation per agency, in parallel, each with its own clock."""
    process = "rapid_consultation" if ctx.case.process == "rapid_confirmation" else "consultation"
    definition = ctx.engine.registry.get(process)
    agencies = (ctx.payload.get("agencies") or ctx.case.data.get("agencies")
                or ctx.case.data.get("regulating_agencies") or [])
    for agency in agencies:
        consultation_id = ctx.session.execute(
            insert(Consultation)
            .values(
                case_id=ctx.case.id, agency=agency, process=process,
                definition_version=definition.version, state=definition.initial,
                opened_at=ctx.now, created_at=ctx.now, updated_at=ctx.now,
            )
            .returning(Consultation.id)
        ).scalar_one()
        started = timers.sync_timers(
            ctx.session, definition=definition, rules=ctx.rules, calendar=ctx.engine.calendar,
            now=ctx.now, case_id=ctx.case.id, subject_type="consultation",  # type: ignore[arg-type]
            subject_id=consultation_id, old_state=None, new_state=definition.initial, payload={},
        )
        users = recipients(ctx.session, ["agency"], case=ctx.case,
                           subject=Consultation(agency=agency, definition_version=0))
        send(
            ctx.session, users=users, cause=f"consultation:{consultation_id}:opened",
            case_id=ctx.case.id, now=ctx.now,
            message=_request_message(ctx, started.get("reply_due")),
        )


def _request_message(ctx: FireContext, reply_by: date | None) -> Message:
    ref, title = ctx.case.reference, ctx.definition.title
    by_ko = f" 회신 기한은 {kdate(reply_by)}입니다." if reply_by else ""
    by_en = f" Please reply by {reply_by.isoformat()} (the last day)." if reply_by else ""
    return Message(
        kind="consultation:opened",
        subject_ko=f"[{ref}] 협의 요청", subject_en=f"[{ref}] Consultation request",
        body_ko=f"{ref} {title.get('ko', '')} 건에 대한 의견을 요청합니다.{by_ko}",
        body_en=f"Your agency's written opinion on {ref} ({title.get('en', '')}) is requested."
                f"{by_en}",
    )


@effect("close_consultations")
def close_consultations(ctx: FireContext) -> None:
    """On tabling, consultations without a reply close with "no reply" recorded."""
    open_ones = ctx.session.scalars(
        select(Consultation).where(
            Consultation.case_id == ctx.case.id,
            Consultation.state.not_in(("answered", "closed", "deemed")),  # type: ignore[attr-defined]
        )
    ).all()
    for consultation in open_ones:
        door.fire(ctx.session, ctx.engine, ctx.now, SYSTEM, consultation, "close", case=ctx.case)


@guard("consultations_settled")
def consultations_settled(ctx: FireContext) -> str | None:
    states = ctx.session.scalars(
        select(Consultation.state).where(Consultation.case_id == ctx.case.id)
    ).all()
    if not states:
        return "no consultation was opened"
    waiting = [s for s in states if s not in SETTLED]
    if waiting:
        return f"{len(waiting)} consultation(s) are neither answered nor overdue"
    return None


@guard("not_extended")
def not_extended(ctx: FireContext) -> str | None:
    return "the reply period was already extended once" if ctx.subject.extended else None


@effect("extend_reply")
def extend_reply(ctx: FireContext) -> None:
    days = ctx.payload["days"]
    limit = ctx.rules.limit("consultation_extension_days")
    if days > limit:
        raise Invalid.field("days", f"{limit}일 이하 / At most {limit} days.")
    ctx.subject.extended = True
    ctx.subject.extension_days = days
    ctx.session.add(ctx.subject)
    ctx.moved = timers.extend_timers(
        ctx.session, definition=ctx.definition, rules=ctx.rules, calendar=ctx.engine.calendar,
        now=ctx.now, subject_type="consultation", subject_id=ctx.subject.id,
        kinds=("reply_due", "reply_cap"), days=days,
    )


@effect("record_reply")
def record_reply(ctx: FireContext) -> None:
    allowed = POSITIONS[ctx.subject.process]
    position = ctx.raw_payload.get("position")
    if not isinstance(position, str) or position not in allowed:
        raise Invalid.field("position", "허용되지 않는 의견 / One of: " + ", ".join(allowed))
    texts = {k: ctx.raw_payload.get(k) for k in ("comment", "conditions", "requirements")}
    required = allowed[position]
    errors = {k: ["문자열이어야 합니다. / Must be text."] for k, v in texts.items()
              if v is not None and not isinstance(v, str)}
    if required and not (isinstance(texts[required], str) and texts[required].strip()):
        errors[required] = [REQUIRED_TEXT[required]]
    if errors:
        raise Invalid(errors)
    ctx.subject.position = position
    for key, value in texts.items():
        setattr(ctx.subject, key, value.strip() if isinstance(value, str) and value.strip() else None)
    ctx.subject.replied_at = ctx.now
    ctx.session.add(ctx.subject)
    ctx.payload.update({"position": position, **{k: v for k, v in texts.items() if v}})


@effect("record_questions")
def record_questions(ctx: FireContext) -> None:
    ctx.subject.questions = ctx.payload["questions"]
    ctx.session.add(ctx.subject)


@effect("record_answer")
def record_answer(ctx: FireContext) -> None:
    ctx.subject.answer = ctx.payload["answer"]
    ctx.session.add(ctx.subject)
