"""Bilingual texts for notifications, built from the definitions' state labels."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlmodel import col

from ..adapters.tables import Organisation
from ..adapters.templating import kdate
from ..domain.calendar import KST
from ..domain.particles import attach
from ..vocabulary import (
    OWN_ACTORS,
    POSITIONS,
    action_label,
    choice_label,
    deadline_words,
    field_words,
    in_both,
)
from .notify import Message

if TYPE_CHECKING:
    from .definitions import Definition
    from .door import FireContext

__all__ = ["transition_message", "deadline_message"]


Names = dict[str, tuple[str, str]]  # an organisation's code -> (Korean, English) name


def _org_names(ctx: FireContext, codes: set[str]) -> Names:
    """Organisations by name, not code, in a message a person reads; read only when the
    message names one (a consultation's agency, the agencies asked), never on other moves."""
    if not codes:
        return {}
    rows = ctx.session.execute(
        select(col(Organisation.code), col(Organisation.name_ko), col(Organisation.name_en))
        .where(col(Organisation.code).in_(sorted(codes)))
    )
    return {code: (ko, en) for code, ko, en in rows}


def _kind(ctx: FireContext, name: str) -> str:
    """The payload field's declared type (engine.payload): ``agencies``, ``date``, ``choice:…``."""
    return ctx.transition.payload.get(name, "")


def _org_codes(ctx: FireContext) -> set[str]:
    codes = {ctx.subject.agency} if ctx.subject_type == "consultation" else set()
    for name, value in ctx.payload.items():
        if _kind(ctx, name).startswith("agencies"):
            codes.update(v for v in (value or ()) if isinstance(v, str))
    return codes


def _value_words(ctx: FireContext, name: str, value: Any, orgs: Names) -> tuple[str, str]:
    """A payload value as words, in both languages: codes by what they mean (an agency by
    its name, a position or a chosen ground by its label), a list as a list."""
    kind = _kind(ctx, name)
    if isinstance(value, (list, tuple)):
        parts = [_value_words(ctx, name, v, orgs) for v in value]
        return ", ".join(ko for ko, _ in parts), ", ".join(en for _, en in parts)
    if isinstance(value, str):
        if kind.startswith("agencies"):
            return orgs.get(value, (value, value))
        if kind.startswith("choice"):
            return in_both(choice_label(value))
        if name == "position" and value in POSITIONS:
            return in_both(POSITIONS[value])
        try:  # both checked by engine.payload; a text never fails the move it tells of
            if kind.startswith("datetime"):
                at = datetime.fromisoformat(value).astimezone(KST).strftime("%Y-%m-%d %H:%M KST")
                return at, at
            if kind.startswith("date"):
                return kdate(date.fromisoformat(value)), value
        except ValueError:
            pass
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}", f"{value:,}"  # insured sums in won: 150,000,000
    return str(value), str(value)


# What a committee resolution adds to the move it decides (its payload is the resolution,
# which the transition does not declare): the conditions attached, the months granted.
RESOLUTION_FACTS = ("conditions", "extension_months")


def _facts(ctx: FireContext) -> dict[str, Any]:
    facts = dict(ctx.payload)
    if ctx.actor.role == "committee":
        facts.update({k: ctx.raw_payload[k] for k in RESOLUTION_FACTS
                      if ctx.raw_payload.get(k) and k not in facts})
    return facts


def _details(ctx: FireContext, orgs: Names) -> tuple[str, str]:
    """What the actor wrote (by the fields' names on the pages), or the committee resolved,
    and the deadlines it started or moved."""
    ko, en = [], []
    for name, value in _facts(ctx).items():
        label_ko, label_en = field_words(name)
        value_ko, value_en = _value_words(ctx, name, value, orgs)
        ko.append(f"\n- {label_ko}: {value_ko}")
        en.append(f"\n- {label_en}: {value_en}")
    for kind, last_day in ctx.started.items():
        label_ko, label_en = deadline_words(kind)
        ko.append(f"\n- {label_ko}: {kdate(last_day)}까지")
        en.append(f"\n- {label_en}: by {last_day.isoformat()} (the last day)")
    for kind, last_day in sorted(ctx.moved.items(), key=lambda moved: moved[1]):
        label_ko, label_en = deadline_words(kind)
        ko.append(f"\n- {label_ko}: {kdate(last_day)}까지로 연장")
        en.append(f"\n- {label_en}: extended to {last_day.isoformat()} (the last day)")
    return "".join(ko), "".join(en)


def case_name(data: dict[str, Any]) -> str | None:
    """What the filing is called: a district's name, a plan's or request's title."""
    name = data.get("name") or data.get("title")
    return str(name) if name else None


def _who_did_what(ctx: FireContext) -> tuple[str, str]:
    """The filing's name and who did what: the reference and the state alone do not tell a
    reader with many cases which one moved, or why."""
    ko, en = [], []
    name = case_name(ctx.case.data or {})
    if name:
        ko.append(f"\n- 건명: {name}")
        en.append(f"\n- Filing: {name}")
    done_ko, done_en = in_both(action_label(ctx.transition.trigger))
    # The product's own actors as the history names them; a person by the name signed in.
    own = OWN_ACTORS.get(ctx.actor.role)
    by_ko, by_en = in_both(own) if own is not None else (ctx.actor.name, ctx.actor.name)
    ko.append(f"\n- 처리: {done_ko} ({by_ko})")
    en.append(f"\n- Done: {done_en} ({by_en})")
    return "".join(ko), "".join(en)


def transition_message(ctx: FireContext) -> Message:
    d = ctx.definition
    ref = ctx.case.reference or f"#{ctx.case.id}"
    what_ko, what_en = d.title.get("ko", d.process), d.title.get("en", d.process)
    before_ko, after_ko = d.label(ctx.from_state, "ko"), d.label(ctx.to_state, "ko")
    before_en, after_en = d.label(ctx.from_state, "en"), d.label(ctx.to_state, "en")
    orgs = _org_names(ctx, _org_codes(ctx))
    if ctx.subject_type == "consultation":
        agency_ko, agency_en = orgs.get(ctx.subject.agency, (ctx.subject.agency, ctx.subject.agency))
        what_ko += f" ({agency_ko})"
        what_en += f" ({agency_en})"
    details_ko, details_en = _details(ctx, orgs)
    at = ctx.now.astimezone(KST).strftime("%Y-%m-%d %H:%M KST")
    kind = f"{ctx.subject_type}:{ctx.transition.trigger}"
    if ctx.transition.receipt:
        # The filer's receipt, and the news of a new filing for the others told (the
        # secretariat, the local government): words that read right to both, with the
        # filing's name, which the reference alone does not say.
        name = ctx.case.data.get("name") or ctx.case.data.get("title")
        named_ko, named_en = (f"({name})", f' "{name}"') if name else ("", "")
        return Message(
            kind=kind,
            subject_ko=f"[{ref}] 신청 접수: {what_ko}",
            subject_en=f"[{ref}] Filing received: {what_en}",
            body_ko=f"{what_ko} 신청{named_ko}이 {at}에 접수되었습니다. 접수번호는 {ref}이며, 현재 "
                    f"상태는 {after_ko}입니다. 접수증은 사건 화면의 문서 목록에서 받을 수 있습니다."
                    f"{details_ko}",
            body_en=f"The {what_en} filing{named_en} was received at {at} under reference {ref}; "
                    f"it is now {after_en}. The receipt of filing is in the case's documents."
                    f"{details_en}",
        )
    who_ko, who_en = _who_did_what(ctx)
    details_ko, details_en = who_ko + details_ko, who_en + details_en
    if ctx.from_state == ctx.to_state:
        # A record that leaves the state as it was (insurance filed, an incident reported, a
        # period extended): told by what was done, not as a move "from A to A".
        done_ko, done_en = in_both(action_label(ctx.transition.trigger))
        return Message(
            kind=kind,
            subject_ko=f"[{ref}] {what_ko}: {done_ko}",
            subject_en=f"[{ref}] {what_en}: {done_en}",
            body_ko=f"{ref} {what_ko}: {done_ko} ({at}). 상태는 {after_ko} 그대로입니다.{details_ko}",
            body_en=f"{ref} {what_en}: {done_en} ({at}). It stays {after_en}.{details_en}",
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
    definition: Definition, reference: str, kind: str, last_day: date, days_left: int | None,
    filing: str | None = None,
) -> Message:
    name_ko, name_en = deadline_words(kind)
    day_ko, day_en = kdate(last_day), last_day.isoformat()
    named_ko, named_en = (f"\n- 건명: {filing}", f"\n- Filing: {filing}") if filing else ("", "")
    if days_left is None:
        return Message(
            kind=f"deadline:{kind}",
            subject_ko=f"[{reference}] 기한 도래: {name_ko}",
            subject_en=f"[{reference}] Deadline reached: {name_en}",
            body_ko=f"{reference}의 기한({name_ko})이 {day_ko}에 끝났습니다.{named_ko}",
            body_en=f"{reference}: the deadline \"{name_en}\" ran out on {day_en}.{named_en}",
        )
    when_ko = "오늘" if days_left == 0 else f"{days_left}일 후"
    when_en = "today" if days_left == 0 else f"in {days_left} days"
    return Message(
        kind=f"reminder:{kind}",
        subject_ko=f"[{reference}] 기한 알림 ({when_ko}): {name_ko}",
        subject_en=f"[{reference}] Deadline {when_en}: {name_en}",
        body_ko=f"{reference}의 기한({name_ko})은 {day_ko}까지입니다 ({when_ko}).{named_ko}",
        body_en=f"{reference}: the deadline \"{name_en}\" is {day_en}, the last day ({when_en}).{named_en}",
    )
