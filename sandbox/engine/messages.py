"""Bilingual texts for notifications, built from the definitions' state labels."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..domain.calendar import KST
from .notify import Message

if TYPE_CHECKING:
    from datetime import date

    from .definitions import Definition
    from .door import FireContext

__all__ = ["transition_message", "deadline_message"]


def transition_message(ctx: FireContext) -> Message:
    d = ctx.definition
    ref = ctx.case.reference or f"#{ctx.case.id}"
    what_ko, what_en = d.title.get("ko", d.process), d.title.get("en", d.process)
    before_ko, after_ko = d.label(ctx.from_state, "ko"), d.label(ctx.to_state, "ko")
    before_en, after_en = d.label(ctx.from_state, "en"), d.label(ctx.to_state, "en")
    if ctx.subject_type == "consultation":
        what_ko += f" ({ctx.subject.agency})"
        what_en += f" ({ctx.subject.agency})"
    details = "".join(f"\n- {k}: {v}" for k, v in ctx.payload.items())
    at = ctx.now.astimezone(KST).strftime("%Y-%m-%d %H:%M KST")
    return Message(
        kind=f"{ctx.subject_type}:{ctx.transition.trigger}",
        subject_ko=f"[{ref}] {what_ko}: {after_ko}",
        subject_en=f"[{ref}] {what_en}: {after_en}",
        body_ko=f"{ref} {what_ko}의 상태가 {before_ko}에서 {after_ko}(으)로 바뀌었습니다 ({at}).{details}",
        body_en=f"{ref} {what_en} moved from {before_en} to {after_en} ({at}).{details}",
    )


def deadline_message(
    definition: Definition, reference: str, kind: str, last_day: date, days_left: int | None
) -> Message:
    day = last_day.isoformat()
    if days_left is None:
        return Message(
            kind=f"deadline:{kind}",
            subject_ko=f"[{reference}] 기한 도래: {kind}",
            subject_en=f"[{reference}] Deadline reached: {kind}",
            body_ko=f"{reference}의 기한({kind})이 {day}에 끝났습니다.",
            body_en=f"The {kind} period of {reference} ended on {day}.",
        )
    when_ko = "오늘" if days_left == 0 else f"{days_left}일 후"
    when_en = "today" if days_left == 0 else f"in {days_left} days"
    return Message(
        kind=f"reminder:{kind}",
        subject_ko=f"[{reference}] 기한 알림 ({when_ko}): {kind}",
        subject_en=f"[{reference}] Deadline {when_en}: {kind}",
        body_ko=f"{reference}의 기한({kind})은 {day}까지입니다 ({when_ko}).",
        body_en=f"The {kind} period of {reference} ends on {day} ({when_en}).",
    )
