"""Durable timers on both databases: deadlines, reminders, the sweep, the CLI and the loop.

Time moves only through freezegun (``frozen``), except for the embedded loop, which runs on
the real clock in its own thread.
"""

from __future__ import annotations

import re
import shutil
import threading
from datetime import UTC, datetime, time, timedelta
from time import monotonic, sleep
from typing import Any

import pytest
from freezegun import freeze_time
from sqlalchemy import select, update

from sandbox.adapters.tables import AuditEvent, Case, Document, Timer
from sandbox.domain.calendar import KST, default_calendar
from sandbox.domain.periods import Period, deadline_instant, period_last_day
from sandbox.services import timers as sweep_module
from sandbox.services.delivery import Delivery
from sandbox.services.timers import MAX_ATTEMPTS, fire_due_timers
from tests.conftest import make_app
from tests.support.api import ApiClient
from tests.support.cast import SECRETARIAT, SEJONG, make_cast
from tests.support.flows import district_in_resident_opinion, filed_district, ok
from tests.support.people import People

# Thu 2026-09-10 10:00 KST: DOMAIN.md's worked example (30 days → Mon 2026-10-12).
START = datetime(2026, 9, 10, 10, 0, tzinfo=KST)


def sweep(app: Any) -> int:
    return fire_due_timers(app.extensions["sandbox"])


def timers_of(app: Any, case_id: int) -> list[Timer]:
    with app.extensions["sandbox"].uow() as uow:
        return list(uow.session.scalars(
            select(Timer).where(Timer.case_id == case_id).order_by(Timer.id)
        ))


def main_timer(app: Any, case_id: int, kind: str) -> Timer:
    [timer] = [t for t in timers_of(app, case_id) if t.kind == kind and t.parent_id is None]
    return timer


def events_of(app: Any, case_id: int) -> list[AuditEvent]:
    with app.extensions["sandbox"].uow() as uow:
        return list(uow.session.scalars(
            select(AuditEvent).where(AuditEvent.case_id == case_id).order_by(AuditEvent.seq)
        ))


def state_of(app: Any, case_id: int) -> str:
    with app.extensions["sandbox"].uow() as uow:
        case = uow.session.get(Case, case_id)
        assert case is not None
        return case.state


def supplement_requested(api: ApiClient) -> dict[str, Any]:
    case = filed_district(api)
    ok(api.action(case["id"], "submit", SEJONG))
    return ok(api.action(case["id"], "request_supplement", SECRETARIAT, items="구역 도면 첨부"))


def expected_due(now: datetime, days: int) -> tuple[Any, datetime]:
    last_day = period_last_day(now, Period(days=days), calendar=default_calendar())
    return last_day, deadline_instant(last_day)


# --- the supplement deadline ---------------------------------------------------------------


def test_supplement_request_starts_a_civil_act_deadline(app, api, cast):
    with freeze_time(START):
        case = supplement_requested(api)
    timer = main_timer(app, case["id"], "supplement_deadline")
    last_day, due = expected_due(START, 30)
    assert timer.status == "pending"
    assert timer.trigger == "lapse"
    assert timer.last_day == last_day
    assert timer.due_at == due
    # The worked example of DOMAIN.md: day 30 is Sat 10-10, rolled to Mon 10-12.
    assert last_day.isoformat() == "2026-10-12"
    assert due == datetime(2026, 10, 13, 0, 0, tzinfo=KST)
    [deadline] = case["deadlines"]
    assert deadline["kind"] == "supplement_deadline"
    assert datetime.fromisoformat(deadline["due_at"]) == due
    assert deadline["status"] == "pending"


def test_deadline_fires_exactly_once_at_due_time_and_lapses_the_case(app, api, cast):
    with freeze_time(START) as frozen:
        case = supplement_requested(api)
        due = main_timer(app, case["id"], "supplement_deadline").due_at
        frozen.move_to(due - timedelta(days=2))
        sweep(app)  # the 7-day reminder
        frozen.move_to(due - timedelta(minutes=1))
        sweep(app)  # the 1-day reminder
        assert sweep(app) == 0
        assert main_timer(app, case["id"], "supplement_deadline").status == "pending"
        assert state_of(app, case["id"]) == "supplement_requested"

        frozen.move_to(due)
        assert sweep(app) == 1
        assert sweep(app) == 0
        frozen.tick(timedelta(days=3))
        assert sweep(app) == 0

    timer = main_timer(app, case["id"], "supplement_deadline")
    assert timer.status == "fired"
    assert timer.fired_at == due
    assert state_of(app, case["id"]) == "withdrawn"
    lapses = [e for e in events_of(app, case["id"]) if e.action == "lapse"]
    assert len(lapses) == 1
    [lapse] = lapses
    assert (lapse.from_state, lapse.to_state) == ("supplement_requested", "withdrawn")
    assert lapse.actor_user_id is None
    assert lapse.actor_label == "system (timer)"
    assert lapse.at == due
    history = ok(api.get(f"/api/v1/cases/{case['id']}/history", SECRETARIAT))
    assert history[-1]["action"] == "lapse"
    assert history[-1]["actor"] == "system (timer)"


def test_a_late_sweep_catches_up_once(app, api, cast):
    # The sweep did not run for two months (a laptop closed): everything due fires, once.
    with freeze_time(START) as frozen:
        case = supplement_requested(api)
        frozen.tick(timedelta(days=60))
        assert sweep(app) == 3  # two reminders and the deadline
        assert sweep(app) == 0
    assert {t.status for t in timers_of(app, case["id"])} == {"fired"}
    assert [e.action for e in events_of(app, case["id"])].count("lapse") == 1
    assert state_of(app, case["id"]) == "withdrawn"
    # Reminders that come due only after their deadline announce nothing.
    kinds = [n["kind"] for n in ok(api.get("/api/v1/notifications", SEJONG))]
    assert "reminder:supplement_deadline" not in kinds
    assert "case:lapse" in kinds


def test_resubmitting_before_the_deadline_cancels_it(app, api, cast):
    with freeze_time(START) as frozen:
        case = supplement_requested(api)
        frozen.tick(timedelta(days=10))
        after = ok(api.action(case["id"], "resubmit", SEJONG))
        assert after["state"] == "submitted"
        assert [d["status"] for d in after["deadlines"]] == ["cancelled"]
        assert {t.status for t in timers_of(app, case["id"])} == {"cancelled"}
        frozen.tick(timedelta(days=60))
        assert sweep(app) == 0
    assert state_of(app, case["id"]) == "submitted"
    assert "lapse" not in [e.action for e in events_of(app, case["id"])]


def test_reminders_notify_the_filer_once_each(app, api, cast):
    def reminders() -> list[dict[str, Any]]:
        items = ok(api.get("/api/v1/notifications?per_page=200", SEJONG))
        return [n for n in items if n["kind"] == "reminder:supplement_deadline"]

    with freeze_time(START) as frozen:
        case = supplement_requested(api)
        last_day = main_timer(app, case["id"], "supplement_deadline").last_day
        children = [t for t in timers_of(app, case["id"]) if t.parent_id is not None]
        assert sorted(t.reminder_days for t in children) == [1, 7]
        for child in children:
            at = datetime.combine(last_day - timedelta(days=child.reminder_days), time(9), tzinfo=KST)
            assert child.due_at == at

        week_before = datetime.combine(last_day - timedelta(days=7), time(9), tzinfo=KST)
        frozen.move_to(week_before - timedelta(minutes=1))
        assert sweep(app) == 0
        assert reminders() == []
        frozen.move_to(week_before)
        assert sweep(app) == 1
        assert sweep(app) == 0
        assert len(reminders()) == 1
        assert "7" in reminders()[0]["subject_en"]

        frozen.move_to(week_before + timedelta(days=6))  # 1 day before, 09:00 KST
        assert sweep(app) == 1
        assert sweep(app) == 0
        got = reminders()
        assert len(got) == 2
        assert {n["case_id"] for n in got} == {case["id"]}
        # Reminders are not a transition: the case is untouched.
        assert state_of(app, case["id"]) == "supplement_requested"
    # Nobody else is reminded (the secretariat is not the filer).
    items = ok(api.get("/api/v1/notifications?per_page=200", SECRETARIAT))
    assert not [n for n in items if n["kind"].startswith("reminder:")]


# --- the resident opinion period -----------------------------------------------------------


def test_resident_opinion_period_and_public_comments(app, api, cast):
    with freeze_time(START) as frozen:
        case = district_in_resident_opinion(api)
        timer = main_timer(app, case["id"], "resident_opinion_end")
        last_day, due = expected_due(START, 30)
        assert (timer.last_day, timer.due_at) == (last_day, due)
        path = f"/api/v1/cases/{case['id']}/comments"

        r = api.post(path, {"name": "주민 김씨", "body": "배송 로봇 운행 시간을 제한해 주세요."})
        assert r.status == 201, r
        assert isinstance(r.json["id"], int)
        r = api.post(path, {"name": "주민 이씨", "body": "   "})
        assert r.status == 422, r
        assert "body" in r.json["errors"]

        r = api.action(case["id"], "open_consultation", SECRETARIAT, agencies=["KNPA"])
        assert r.status == 409, r

        frozen.move_to(due - timedelta(seconds=1))
        sweep(app)
        assert main_timer(app, case["id"], "resident_opinion_end").status == "pending"
        assert api.post(path, {"name": "주민 박씨", "body": "찬성합니다."}).status == 201
        assert api.action(case["id"], "open_consultation", SECRETARIAT, agencies=["KNPA"]).status == 409

        frozen.move_to(due)
        assert sweep(app) == 1
        assert main_timer(app, case["id"], "resident_opinion_end").status == "fired"
        r = api.post(path, {"name": "주민 최씨", "body": "늦은 의견"})
        assert r.status == 409, r
        assert r.content_type.startswith("application/problem+json")

        after = ok(api.action(case["id"], "open_consultation", SECRETARIAT, agencies=["KNPA"]))
        assert after["state"] == "agency_consultation"
    comments = [e for e in events_of(app, case["id"]) if e.action == "comment"]
    assert [e.payload["name"] for e in comments] == ["주민 김씨", "주민 박씨"]


def test_one_address_may_send_ten_opinions_an_hour(app, api, cast):
    """The comment form is open to anyone: one client address is held to ten opinions an
    hour over all districts (a flood would bury the file the committee reads), another
    address is not held back, and the page keeps the refused text in its form."""
    from sandbox.adapters.tables import Comment
    from sandbox.services.public import COMMENTS_PER_SOURCE, comment_source

    with freeze_time(START) as frozen:
        first, second = district_in_resident_opinion(api), district_in_resident_opinion(api)
        for n in range(COMMENTS_PER_SOURCE):
            target = first if n % 2 else second
            assert api.post(f"/api/v1/cases/{target['id']}/comments",
                            {"name": f"주민 {n}", "body": "의견"}).status == 201
        refused = api.post(f"/api/v1/cases/{first['id']}/comments", {"name": "주민", "body": "또"})
        assert refused.status == 429 and refused.content_type.startswith("application/problem+json")
        assert "at most 10 an hour" in refused.json["detail"]
        elsewhere = api.client.post(f"/api/v1/cases/{first['id']}/comments",
                                    json={"name": "이웃", "body": "찬성"},
                                    environ_base={"REMOTE_ADDR": "198.51.100.4"})
        assert elsewhere.status_code == 201

        page = app.test_client()
        form = page.get(f"/opinions/{first['id']}").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
        held = page.post(f"/opinions/{first['id']}", data={"name": "주민 정씨", "body": "야간 운행 반대",
                                                          "csrf_token": token})
        text = held.get_data(as_text=True)
        assert held.status_code == 429 and "error-summary" in text and "야간 운행 반대</textarea>" in text
        assert "한 시간 뒤에 다시 보내 주세요" in text

        frozen.tick(timedelta(hours=1, seconds=1))
        again = api.post(f"/api/v1/cases/{first['id']}/comments", {"name": "주민", "body": "다시"})
        assert again.status == 201
    with app.extensions["sandbox"].uow() as uow:
        sources = {c.source for c in uow.session.scalars(select(Comment))}
    # Kept as a keyed digest, never as the address.
    assert sources == {comment_source(a, "test-secret") for a in ("127.0.0.1", "198.51.100.4")}
    assert not any("127.0.0.1" in s or "198.51" in s for s in sources)


def test_comments_are_404_for_a_case_not_in_resident_opinion(app, api, cast):
    with freeze_time(START):
        draft = filed_district(api)
        body = {"name": "주민", "body": "의견"}
        assert api.post(f"/api/v1/cases/{draft['id']}/comments", body).status == 404
        ok(api.action(draft["id"], "submit", SEJONG))
        assert api.post(f"/api/v1/cases/{draft['id']}/comments", body).status == 404
        assert api.post("/api/v1/cases/999999/comments", body).status == 404


def test_open_resident_opinion_with_days(app, api, cast):
    with freeze_time(START) as frozen:
        case = filed_district(api)
        ok(api.action(case["id"], "submit", SEJONG))
        ok(api.action(case["id"], "open_resident_opinion", SECRETARIAT, days=14))
        timer = main_timer(app, case["id"], "resident_opinion_end")
        last_day, due = expected_due(START, 14)
        assert timer.period == {"days": 14}
        assert (timer.last_day, timer.due_at) == (last_day, due)
        # Day 14 is Thu 09-24, Chuseok eve: Chuseok (09-25, 09-26) and Sunday roll it to Mon 09-28.
        assert last_day.isoformat() == "2026-09-28"
        frozen.move_to(due - timedelta(minutes=1))
        assert sweep(app) == 0
        frozen.move_to(due)
        assert sweep(app) == 1
        ok(api.action(case["id"], "open_consultation", SECRETARIAT, agencies=["KNPA"]))


# --- the command, failures, the embedded loop --------------------------------------------


def cli(app: Any, *args: str) -> Any:
    # No app context pushed by hand: the command groups must provide it (flask AppGroup).
    return app.test_cli_runner().invoke(args=list(args))


def test_cli_timers_fire_prints_how_many_fired(app, api, cast):
    with freeze_time(START) as frozen:
        first = supplement_requested(api)
        second = supplement_requested(api)
        result = cli(app, "timers", "fire")
        assert result.exit_code == 0, result.output
        assert result.output.strip() == "0"
        frozen.move_to(main_timer(app, first["id"], "supplement_deadline").due_at)
        result = cli(app, "timers", "fire")
        assert result.exit_code == 0, result.output
        assert result.output.strip() == "6"  # two deadlines and their four reminders
        assert cli(app, "timers", "fire").output.strip() == "0"
    assert state_of(app, first["id"]) == state_of(app, second["id"]) == "withdrawn"


def test_a_failing_timer_is_retried_then_failed_while_others_fire(app, api, cast, monkeypatch):
    with freeze_time(START) as frozen:
        cases = [supplement_requested(api) for _ in range(3)]
        bad = main_timer(app, cases[0]["id"], "supplement_deadline")
        due = bad.due_at
        frozen.move_to(due - timedelta(minutes=1))
        assert sweep(app) == 6  # reminders, untouched by the failure below

        real = sweep_module._handle

        def flaky(s: Any, rt: Any, now: datetime, timer: Timer) -> None:
            if timer.id == bad.id:
                raise RuntimeError("mail server on fire")
            real(s, rt, now, timer)

        monkeypatch.setattr(sweep_module, "_handle", flaky)
        frozen.move_to(due)
        assert sweep(app) == 2  # the other two fire in the same sweep
        bad_now = main_timer(app, cases[0]["id"], "supplement_deadline")
        assert (bad_now.status, bad_now.attempts) == ("pending", 1)
        assert "RuntimeError: mail server on fire" in (bad_now.last_error or "")
        for attempt in range(2, MAX_ATTEMPTS + 1):
            frozen.tick(timedelta(minutes=1))
            assert sweep(app) == 0
            bad_now = main_timer(app, cases[0]["id"], "supplement_deadline")
            assert bad_now.attempts == attempt
        assert bad_now.status == "failed"
        assert bad_now.fired_at is None
        frozen.tick(timedelta(minutes=1))
        assert sweep(app) == 0
        assert main_timer(app, cases[0]["id"], "supplement_deadline").attempts == MAX_ATTEMPTS

    # The failed handling left no trace: no lapse, no half-written state.
    assert state_of(app, cases[0]["id"]) == "supplement_requested"
    assert "lapse" not in [e.action for e in events_of(app, cases[0]["id"])]
    for case in cases[1:]:
        assert state_of(app, case["id"]) == "withdrawn"
        assert main_timer(app, case["id"], "supplement_deadline").status == "fired"


def _stop_loop(app: Any) -> None:
    app.extensions["sandbox.timer_loop_stop"].set()
    for thread in threading.enumerate():
        if thread.name == "sandbox-timer-loop":
            thread.join(timeout=5)
    app.extensions["sandbox.db"].dispose()


@pytest.mark.parametrize("due_before_start", [False, True], ids=["due-while-running", "due-while-down"])
def test_embedded_loop_fires_due_timers(tmp_path, sqlite_template, due_before_start):
    """Due while the server runs: fired within the interval. Due while it was down: fired by
    the loop's first round, at start, not an interval later (here a minute)."""
    path = tmp_path / "loop.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    before = make_app(url) if due_before_start else None
    app = before or make_app(url, SANDBOX_TIMER_LOOP="1", SANDBOX_TIMER_INTERVAL="0.2")
    api = ApiClient(app.test_client(), People(app.extensions["sandbox"]))
    make_cast(api.people)
    case = supplement_requested(api)
    timer = main_timer(app, case["id"], "supplement_deadline")
    past = datetime.now(UTC) - timedelta(seconds=1)
    with app.extensions["sandbox"].uow() as uow:
        uow.session.execute(update(Timer).where(Timer.id == timer.id).values(due_at=past))
        uow.commit()
    if before is not None:
        before.extensions["sandbox.db"].dispose()
        app = make_app(url, SANDBOX_TIMER_LOOP="1", SANDBOX_TIMER_INTERVAL="60")
    try:
        deadline = monotonic() + 5
        while monotonic() < deadline:
            if main_timer(app, case["id"], "supplement_deadline").status == "fired":
                break
            sleep(0.05)
        assert main_timer(app, case["id"], "supplement_deadline").status == "fired"
        assert state_of(app, case["id"]) == "withdrawn"
        assert [e.action for e in events_of(app, case["id"])][-1] == "lapse"
    finally:
        _stop_loop(app)


def test_embedded_loop_works_off_an_outbox_backlog_between_intervals(tmp_path, sqlite_template, monkeypatch):
    """Documents written by another process (the demo, a request before a crash) reach the
    loop only through its outbox sweep, whose rounds are kept short. A backlog longer than one
    round is worked off round after round, not one round per interval (here a minute)."""
    path = tmp_path / "backlog.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    writer = make_app(url)  # manual outbox: the documents stay pending, as the demo's do
    api = ApiClient(writer.test_client(), People(writer.extensions["sandbox"]))
    make_cast(api.people)
    for _ in range(3):
        supplement_requested(api)  # a receipt and a supplement request each

    def pending(app: Any) -> int:
        with app.extensions["sandbox"].uow() as uow:
            return len(list(uow.session.scalars(select(Document.id).where(Document.status == "pending"))))

    assert pending(writer) == 6
    writer.extensions["sandbox.db"].dispose()
    # One document a round: the round's time budget is spent by its first render.
    monkeypatch.setattr(Delivery.deliver_due, "__defaults__", (100, 0.05))
    app = make_app(url, SANDBOX_TIMER_LOOP="1", SANDBOX_TIMER_INTERVAL="60")
    try:
        deadline = monotonic() + 30
        while monotonic() < deadline and pending(app):
            sleep(0.1)
        assert pending(app) == 0
    finally:
        _stop_loop(app)
