"""Bilingual texts for notifications, built from the definitions' state labels."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..adapters.templating import kdate
from ..domain.calendar import KST
from ..domain.particles import attach
from ..vocabulary import deadline_words, field_words
from .notify import Message

if TYPE_CHECKING:
    from datetime import date

    from .definitions import Definition
    from .door import FireContext

__all__ = ["transition_message", "deadline_message"]


def _details(ctx: FireContext) -> tuple[str, str]:
    """What the actor wrote (by the fields' names on the pages) and the deadlines it started."""
    ko, en = [], []
    for name, value in ctx.payload.items():
        label_ko, label_en = field_words(name)
        ko.append(f"\n- {label_ko}: {value}")
        en.append(f"\n- {label_en}: {value}")
    for kind, last_day in ctx.started.items():
        label_ko, label_en = deadline_words(kind)
        ko.append(f"\n- {label_ko}: {kdate(last_day)}까지")
        en.append(f"\n- {label_en}: by {last_day.isoformat()} (the last day)")
    return "".join(ko), "".join(en)


def transition_message(ctx: FireContext) -> Message:
    d = ctx.definition
    ref = ctx.case.reference or f"#{ctx.case.id}"
    what_ko, what_en = d.title.get("ko", d.process), d.title.get("en", d.process)
    before_ko, after_ko = d.label(ctx.from_state, "ko"), d.label(ctx.to_state, "ko")
    before_en, after_en = d.label(ctx.from_state, "en"), d.label(ctx.to_state, "en")
    if ctx.subject_type == "consultation":
        what_ko += f" ({ctx.subject.agency})"
        what_en += f" ({ctx.subject.agency})"
    details_ko, details_en = _details(ctx)
    at = ctx.now.astimezone(KST).strftime("%Y-%m-%d %H:%M KST")
    kind = f"{ctx.subject_type}:{ctx.transition.trigger}"
    if ctx.transition.receipt:
        return Message(
            kind=kind,
            subject_ko=f"[{ref}] 접수 확인: {what_ko}",
            subject_en=f"[{ref}] Filing received: {what_en}",
            body_ko=f"{what_ko} 신청이 {at}에 접수되었습니다. 접수번호는 {ref}이며, 현재 상태는 "
                    f"{after_ko}입니다. 접수증은 사건 화면의 문서 목록에서 받을 수 있습니다."
                    f"{details_ko}",
            body_en=f"The {what_en} filing was received at {at} under reference {ref}; it is "
                    f"now {after_en}. The receipt of filing is in the case's documents."
                    f"{details_en}",
        )
    return Message(
        kind=kind,
        subject_ko=f"[{ref}] {what_ko}: {after_ko}",
        subject_en=f"[{ref}] {what_en}: {after_en}",
        body_ko=f"{ref} {what_ko}의 상태가 {before_ko}에서 {attach(after_ko + '(으)로')} 바뀌었습니다 "
                f"({at}).{details_ko}",
        body_en=f"{ref} {what_en} moved from {before_en} to {after_en} ({at}).{details_en}",
    )


def deadline_message(
    definition: Definition, reference: str, kind: str, last_day: date, days_left: int | None
) -> Message:
    name_ko, name_en = deadline_words(kind)
    day_ko, day_en = kdate(last_day), last_day.isoformat()
    if days_left is None:
        return Message(
            kind=f"deadline:{kind}",
            subject_ko=f"[{reference}] 기한 도래: {name_ko}",
            subject_en=f"[{reference}] Deadline reached: {name_en}",
            body_ko=f"{reference}의 기한({name_ko})이 {day_ko}에 끝났습니다.",
            body_en=f"{reference}: the deadline \"{name_en}\" ran out on {day_en}.",
        )
    when_ko = "오늘" if days_left == 0 else f"{days_left}일 후"
    when_en = "today" if days_left == 0 else f"in {days_left} days"
    return Message(
        kind=f"reminder:{kind}",
        subject_ko=f"[{reference}] 기한 알림 ({when_ko}): {name_ko}",
        subject_en=f"[{reference}] Deadline {when_en}: {name_en}",
        body_ko=f"{reference}의 기한({name_ko})은 {day_ko}까지입니다 ({when_ko}).",
        body_en=f"{reference}: the deadline \"{name_en}\" is {day_en}, the last day ({when_en}).",
    )
