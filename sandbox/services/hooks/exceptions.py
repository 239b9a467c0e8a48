"""Guards and effects of the special exception's life (workflows/special_exception.yaml)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from ...adapters.tables import Timer
from ...domain.calendar import KST
from ...domain.errors import Conflict, Invalid
from ...domain.periods import Period, latest_filing_day, period_last_day
from ...engine import timers
from ...engine.door import FireContext
from ...engine.hooks import effect, guard

INSURANCE_FIELDS = ("insurer", "policy_number", "valid_until", "death_per_person_krw",
                    "property_per_accident_krw")


def _today(ctx: FireContext) -> date:
    return ctx.now.astimezone(KST).date()


def _record(ctx: FireContext, key: str, value: Any) -> None:
    ctx.subject.record = {**(ctx.subject.record or {}), key: value}
    ctx.session.add(ctx.subject)


def _append(ctx: FireContext, key: str, value: Any) -> None:
    _record(ctx, key, [*(ctx.subject.record or {}).get(key, []), value])


def _flag(ctx: FireContext, key: str) -> None:
    ctx.subject.flags = {**(ctx.subject.flags or {}), key: _today(ctx).isoformat()}
    ctx.session.add(ctx.subject)


def _months(ctx: FireContext, limit_name: str) -> int:
    months, limit = ctx.payload["months"], ctx.rules.limit(limit_name)
    if not 1 <= months <= limit:
        raise Invalid.field("months", f"1~{limit}개월 / From 1 to {limit} months.")
    return int(months)


def _last_day(ctx: FireContext) -> date | None:
    return ctx.subject.extended_until or ctx.subject.ends_on


# -- before start ---------------------------------------------------------------------------


@effect("record_insurance")
def record_insurance(ctx: FireContext) -> None:
    """Decree 57: liability insurance with at least the minimum cover, or a compensation plan
    where insurance cannot be had."""
    given = {k: ctx.payload[k] for k in INSURANCE_FIELDS if k in ctx.payload}
    plan = ctx.payload.get("compensation_plan")
    if plan and not given:
        _record(ctx, "insurance", {"compensation_plan": plan, "filed_on": _today(ctx).isoformat()})
        return
    if not given:
        either = ["보험 내용(다섯 항목) 또는 보상 계획을 적어 주세요(시행령 제57조). / "
                  "Give the insurance (all five items) or a compensation plan (Decree 57)."]
        raise Invalid({"insurer": either, "compensation_plan": either})
    errors = {k: ["보험을 신고하려면 이 항목도 필요합니다. / Needed to file the insurance."]
              for k in INSURANCE_FIELDS if k not in given}
    for key, limit_name in (("death_per_person_krw", "insurance_death_per_person_krw"),
                            ("property_per_accident_krw", "insurance_property_per_accident_krw")):
        minimum = ctx.rules.limit(limit_name)
        if key in given and given[key] < minimum:
            errors[key] = [f"시행령 제57조 최저 {minimum:,}원 이상 / At least KRW {minimum:,} (Decree 57)."]
    if "valid_until" in given and date.fromisoformat(given["valid_until"]) < _today(ctx):
        errors["valid_until"] = ["이미 만료된 보험입니다. / The policy has already expired."]
    if errors:
        raise Invalid(errors)
    _record(ctx, "insurance", {**given, "filed_on": _today(ctx).isoformat()})


@guard("insured")
def insured(ctx: FireContext) -> str | None:
    if not (ctx.subject.record or {}).get("insurance"):
        return "file the liability insurance (or a compensation plan) before starting (Decree 57)"
    return None


@effect("record_start")
def record_start(ctx: FireContext) -> None:
    started = date.fromisoformat(ctx.payload["started_on"])
    if started > _today(ctx):
        raise Invalid.field("started_on", "미래 날짜는 안 됩니다. / Not a future date.")
    if started < ctx.subject.effective_on:
        raise Invalid.field("started_on", "승인 전 날짜입니다. / Before the approval took effect.")
    ctx.subject.started_on = started
    ctx.session.add(ctx.subject)


@effect("flag_not_started")
def flag_not_started(ctx: FireContext) -> None:
    """Act 52⑤4: not started within a year of approval — a ground for revocation."""
    _flag(ctx, "not_started")


@guard("started")
def started(ctx: FireContext) -> str | None:
    return None if ctx.subject.started_on else "the project has not started"


@guard("extension_granted")
def extension_granted(ctx: FireContext) -> str | None:
    return None if ctx.subject.extension_used else "no extension was granted"


# -- extension (Decree 54) ------------------------------------------------------------------


@guard("extension_not_used")
def extension_not_used(ctx: FireContext) -> str | None:
    if ctx.subject.extension_used or (ctx.subject.record or {}).get("extension_request"):
        return "the exception may be extended only once (Act 51②, Decree 54)"
    return None


@guard("extension_window_open")
def extension_window_open(ctx: FireContext) -> str | None:
    """Decree 54③: the request is filed at least 2 months before the term's last day."""
    last_day = _last_day(ctx)
    if last_day is None:
        return "the exception has no end date to extend"
    latest = latest_filing_day(last_day, ctx.rules.limit("extension_filing_months_before"))
    if _today(ctx) > latest:
        return (f"an extension must be requested by {latest.isoformat()}, two months before the "
                f"last day {last_day.isoformat()} (Decree 54③)")
    return None


@effect("record_extension_request")
def record_extension_request(ctx: FireContext) -> None:
    months = _months(ctx, "extension_max_months")
    _record(ctx, "extension_request", {"months": months, "reasons": ctx.payload["reasons"],
                                       "filed_on": _today(ctx).isoformat()})


@effect("grant_extension")
def grant_extension(ctx: FireContext) -> None:
    """The committee grants the length it passes, never more than was requested."""
    requested = (ctx.subject.record or {}).get("extension_request", {}).get("months")
    passed = ctx.raw_payload.get("extension_months") or requested
    months = min(int(passed), int(requested or passed), ctx.rules.limit("extension_max_months"))
    term = ctx.rules.period("term")
    last_day = timers.retime(
        ctx.session, definition=ctx.definition, rules=ctx.rules, calendar=ctx.engine.calendar,
        now=ctx.now, subject_type="exception", subject_id=ctx.subject.id, kind="term_end",
        period=Period(years=term.years, months=term.months + months, days=term.days),
    )
    if last_day is not None:
        ctx.moved["term_end"] = last_day
    ctx.subject.extension_used = True
    ctx.subject.extension_months = months
    ctx.subject.extended_until = last_day
    ctx.subject.conditions = [*ctx.subject.conditions, *(ctx.raw_payload.get("conditions") or [])]
    ctx.session.add(ctx.subject)
    _append(ctx, "committee", _resolution(ctx))
    ctx.audit_extra["extended_until"] = last_day.isoformat() if last_day else None


def _resolution(ctx: FireContext) -> dict[str, Any]:
    keys = ("item_id", "meeting_id", "proposal", "conditions", "extension_months", "tally")
    return {**{k: ctx.raw_payload.get(k) for k in keys}, "decided_at": ctx.now.isoformat(),
            "from_state": ctx.from_state, "to_state": ctx.to_state}


@effect("record_committee_refusal")
def record_committee_refusal(ctx: FireContext) -> None:
    _append(ctx, "committee", _resolution(ctx))


@effect("record_committee_resolution")
def record_committee_resolution(ctx: FireContext) -> None:
    _append(ctx, "committee", _resolution(ctx))


# -- supervision ----------------------------------------------------------------------------


@effect("record_incident")
def record_incident(ctx: FireContext) -> None:
    """An incident happened during the operation: not after this moment, not before the
    exception took effect (a typing error either way, which the report would carry)."""
    occurred = datetime.fromisoformat(ctx.payload["occurred_at"])
    began = ctx.subject.started_on or ctx.subject.effective_on
    if occurred > ctx.now:
        raise Invalid.field("occurred_at", "아직 오지 않은 시각입니다. / This time has not come yet.")
    if occurred.astimezone(KST).date() < began:
        raise Invalid.field("occurred_at", f"특례가 시작된 {began.isoformat()} 이전입니다. / "
                                           f"Before the exception began on {began.isoformat()}.")
    _append(ctx, "incidents", {**ctx.payload, "reported_at": ctx.now.isoformat()})


@effect("record_correction_order")
def record_correction_order(ctx: FireContext) -> None:
    """Decree 55④: a correction order gives up to 6 months."""
    months = _months(ctx, "correction_max_months")
    _record(ctx, "correction", {"measures": ctx.payload["measures"], "months": months,
                                "ordered_on": _today(ctx).isoformat(), "extended_months": 0})


@guard("correction_not_extended")
def correction_not_extended(ctx: FireContext) -> str | None:
    if (ctx.subject.record or {}).get("correction", {}).get("extended_months"):
        return "a correction period may be extended only once (Decree 55④)"
    return None


@effect("extend_correction")
def extend_correction(ctx: FireContext) -> None:
    """Decree 55④: one extension of up to 3 months."""
    months = _months(ctx, "correction_extension_max_months")
    order = dict((ctx.subject.record or {}).get("correction") or {})
    last_day = timers.retime(
        ctx.session, definition=ctx.definition, rules=ctx.rules, calendar=ctx.engine.calendar,
        now=ctx.now, subject_type="exception", subject_id=ctx.subject.id,
        kind="correction_deadline", period=Period(months=int(order["months"]) + months),
    )
    if last_day is None:
        raise Conflict("the correction period has already run out")
    ctx.moved["correction_deadline"] = last_day
    _record(ctx, "correction", {**order, "extended_months": months, "due_on": last_day.isoformat()})


@effect("flag_correction_overdue")
def flag_correction_overdue(ctx: FireContext) -> None:
    _flag(ctx, "correction_overdue")


@effect("record_correction_confirmed")
def record_correction_confirmed(ctx: FireContext) -> None:
    order = dict((ctx.subject.record or {}).get("correction") or {})
    _record(ctx, "correction", {**order, "confirmed_on": _today(ctx).isoformat()})


@effect("record_suspension")
def record_suspension(ctx: FireContext) -> None:
    _append(ctx, "suspensions", {"reason": ctx.payload["reason"], "from": _today(ctx).isoformat()})


@effect("record_resumption")
def record_resumption(ctx: FireContext) -> None:
    _append(ctx, "resumptions", {"reason": ctx.payload["reason"], "on": _today(ctx).isoformat()})


# -- revocation (Act 52⑤, Decree 59) ----------------------------------------------------------


@effect("record_revocation_ground")
def record_revocation_ground(ctx: FireContext) -> None:
    # One of Act 52⑤'s four (the definition's choice); for fraud, revocation is mandatory
    # (Act 52⑤1, Decree 59).
    ground = ctx.payload["ground"]
    if ground == "not_started" and (ctx.subject.started_on or "not_started" not in ctx.subject.flags):
        raise Conflict("'not_started' applies only when the project did not start within a year")
    _record(ctx, "revocation", {"ground": ground, "proposed_on": _today(ctx).isoformat(),
                                "mandatory": ground == "fraud"})


@effect("record_local_opinion")
def record_local_opinion(ctx: FireContext) -> None:
    revocation = dict((ctx.subject.record or {}).get("revocation") or {})
    _record(ctx, "revocation", {**revocation, "local_opinion": ctx.payload["opinion"],
                                "local_opinion_on": _today(ctx).isoformat()})


@guard("local_opinion_heard")
def local_opinion_heard(ctx: FireContext) -> str | None:
    """The local government is consulted first: its opinion, or its period has run out."""
    if ((ctx.subject.record or {}).get("revocation") or {}).get("local_opinion"):
        return None
    status = ctx.session.scalars(
        select(Timer.status).where(
            Timer.subject_type == "exception", Timer.subject_id == ctx.subject.id,
            Timer.kind == "local_opinion_due", Timer.parent_id.is_(None),  # type: ignore[union-attr]
        ).order_by(Timer.id.desc())  # type: ignore[union-attr]
    ).first()
    return None if status == "fired" else "the local government has not given its opinion yet"


@effect("record_hearing")
def record_hearing(ctx: FireContext) -> None:
    revocation = dict((ctx.subject.record or {}).get("revocation") or {})
    _record(ctx, "revocation", {**revocation, "hearing": ctx.payload["summary"],
                                "revoked_on": _today(ctx).isoformat()})


# -- the end of the term ---------------------------------------------------------------------


@effect("record_results_report")
def record_results_report(ctx: FireContext) -> None:
    _record(ctx, "results_report", {"summary": ctx.payload["summary"],
                                    "filed_on": _today(ctx).isoformat()})


# -- 2021 rule set: deemed extensions (Act 51② proviso, Decree 58-3⑨) ---------------------------


@guard("deemed_extensions_in_force")
def deemed_extensions_in_force(ctx: FireContext) -> str | None:
    return None if ctx.rules.has("deemed_extension") else "no deemed extensions under the 2020 rules"


@guard("deemed_extension_applies")
def deemed_extension_applies(ctx: FireContext) -> str | None:
    """Act 51② proviso (2021): an innovation project whose law is not yet amended when the
    term ends is deemed extended until it is."""
    if not ctx.rules.has("deemed_extension"):
        return "no deemed extensions under the 2020 rules"
    if ctx.subject.kind != "innovation":
        return "only innovation projects are deemed extended at the end of the term"
    return None


@guard("law_amendment_allowed")
def law_amendment_allowed(ctx: FireContext) -> str | None:
    """Decree 58-3⑨: a demonstration project asks for the law to be amended at least two
    months before its term ends."""
    if not ctx.rules.has("deemed_extension"):
        return "law-amendment requests exist only under the 2021 rules"
    if ctx.subject.kind != "demonstration":
        return "only a demonstration project requests a law amendment"
    last_day = _last_day(ctx)
    limit = ctx.rules.limit("law_amendment_filing_months_before")
    if last_day is not None and _today(ctx) > latest_filing_day(last_day, limit):
        return f"a law amendment must be requested by {latest_filing_day(last_day, limit).isoformat()}"
    return None


@effect("deem_extended")
def deem_extended(ctx: FireContext) -> None:
    """While the law is reviewed the exception runs on, with no end date."""
    ctx.subject.deemed_extension = True
    ctx.session.add(ctx.subject)
    _record(ctx, "law_amendment", {
        "requested_at": ctx.now.isoformat(),
        "reasons": ctx.payload.get("reasons"),
        "ground": "스마트도시법 시행령 제58조의3제9항" if ctx.subject.kind == "demonstration"
        else "스마트도시법 제51조제2항 단서",
    })
    ctx.audit_extra["deemed_extension"] = True


@guard("conversion_allowed")
def conversion_allowed(ctx: FireContext) -> str | None:
    """Decree 58-3⑨: within 3 months the demonstration may become an innovation project."""
    if ctx.subject.kind != "demonstration":
        return "only a demonstration project converts"
    requested = ((ctx.subject.record or {}).get("law_amendment") or {}).get("requested_at")
    if not requested:
        return "no law amendment was requested"
    months = ctx.rules.limit("conversion_months")
    last_day = period_last_day(datetime.fromisoformat(requested), Period(months=months),
                               calendar=ctx.engine.calendar)
    if _today(ctx) > last_day:
        return f"the conversion period ended on {last_day.isoformat()}"
    return None


@effect("record_conversion")
def record_conversion(ctx: FireContext) -> None:
    ctx.subject.kind = "innovation"
    ctx.session.add(ctx.subject)
    _record(ctx, "conversion", {"converted_on": _today(ctx).isoformat(), "from": "demonstration"})


@effect("record_law_amended")
def record_law_amended(ctx: FireContext) -> None:
    amendment = dict((ctx.subject.record or {}).get("law_amendment") or {})
    _record(ctx, "law_amendment", {**amendment, "law": ctx.payload["law"],
                                   "amended_effective_on": ctx.payload["effective_on"]})
