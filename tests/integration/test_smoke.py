import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from sandbox.adapters.tables import AuditEvent, Case, Meeting
from sandbox.domain.calendar import KST
from tests.support.cast import SECRETARIAT, SEJONG

DISTRICT = {
    "name": "세종 스마트 규제혁신지구",
    "local_government": "sejong",
    "area_description": "세종시 5-1 생활권",
    "area_km2": 2.7,
    "plan_summary": "자율주행 셔틀과 배송 로봇 실증",
}


def test_district_smoke(api, cast):
    r = api.post("/api/v1/cases", {"process": "district_designation", "data": DISTRICT}, SEJONG)
    assert r.status == 201, r
    case = r.json
    assert case["state"] == "draft"
    assert case["reference"].startswith("SB-")
    assert "submit" in case["actions"]
    r = api.action(case["id"], "submit", SEJONG)
    assert r.status == 200, r
    assert r.json["state"] == "submitted"
    r = api.action(case["id"], "request_supplement", SECRETARIAT, items="면적 도면 첨부")
    assert r.json["state"] == "supplement_requested", r
    assert r.json["deadlines"][0]["kind"] == "supplement_deadline"
    r = api.action(case["id"], "resubmit", SEJONG)
    assert r.json["state"] == "submitted", r
    assert r.json["deadlines"][0]["status"] == "cancelled"
    r = api.get(f"/api/v1/cases/{case['id']}/history", SECRETARIAT)
    assert [e["action"] for e in r.json] == ["file", "submit", "request_supplement", "resubmit"]


def test_users_create_names_a_new_applicant_company_and_refuses_bad_input(app):
    from sandbox.adapters.tables import Organisation, User

    cli = app.test_cli_runner()
    made = cli.invoke(args=["users", "create", "--email", "CEO@Robo.example", "--role", "applicant",
                            "--org", "robo", "--name", "김대표", "--password", "long-enough-1",
                            "--org-name", "(주)로보배송", "--org-name-en", "Robo Delivery Inc."])
    assert made.exit_code == 0, made.output
    with app.extensions["sandbox"].uow() as uow:
        company = uow.session.get(Organisation, "robo")
        user = uow.session.scalars(select(User).where(User.email == "ceo@robo.example")).one()
        assert (company.kind, company.name_ko, company.name_en) == (
            "company", "(주)로보배송", "Robo Delivery Inc.")
        assert user.org_code == "robo" and user.password_hash.startswith("$argon2")

    bad = cli.invoke(args=["users", "create", "--email", "x", "--role", "king", "--org", "robo",
                           "--name", " ", "--password", "short"])
    assert bad.exit_code == 2
    for field in ("role", "email", "password", "name"):
        assert f"{field}:" in bad.output
    assert "8자 이상이어야 합니다. / At least 8 characters." in bad.output
    wrong_kind = cli.invoke(args=["users", "create", "--email", "b@robo.example", "--role", "agency",
                                  "--org", "robo", "--name", "박", "--password", "long-enough-1"])
    assert wrong_kind.exit_code == 2
    assert ("org: agency 역할의 사용자는 agency 종류의 기관에만 속합니다. / "
            "Users with role agency belong to organisations of kind agency.") in wrong_kind.output
    nowhere = cli.invoke(args=["users", "create", "--email", "c@x.example", "--role", "agency",
                               "--org", "nowhere", "--name", "최", "--password", "long-enough-1"])
    assert nowhere.exit_code == 2 and "알 수 없는 기관입니다. / No organisation 'nowhere'." in nowhere.output


@pytest.mark.parametrize("instant", [
    "2026-12-01 03:00:00+00:00",  # noon in Korea
    "2026-12-01 19:00:00+00:00",  # 04:00 the next day in Korea: the UTC date is a day behind
    "2026-12-02 19:00:00+00:00",  # a 14-day notice ending on a Saturday runs to Monday
    "2027-01-25 12:00:00+00:00",  # the story crosses Chuseok 2026 (its last weeks in September)
])
def test_the_demo_loads_at_any_hour_and_only_once(app, instant):
    cli = app.test_cli_runner()
    with freeze_time(instant):
        first = cli.invoke(args=["demo"])
        assert first.exit_code == 0, first.output
        assert "approved plan with a running special exception" in first.output
        again = cli.invoke(args=["demo"])
        now = app.extensions["sandbox"].clock.now()
    assert again.exit_code == 0 and "already loaded" in again.output
    with app.extensions["sandbox"].uow() as uow:
        latest = uow.session.scalar(select(func.max(AuditEvent.at)))
        open_for_comments = uow.session.scalar(
            select(func.count()).select_from(Case).where(Case.state == "resident_opinion"))
    assert latest is not None and latest <= now  # the story happened, none of it tomorrow
    assert open_for_comments == 1
    # A ministry's day: meetings on working days in the afternoon, nothing filed at midnight.
    calendar = app.extensions["sandbox"].engine.calendar
    with app.extensions["sandbox"].uow() as uow:
        starts = [at.astimezone(KST) for at in uow.session.scalars(select(Meeting.starts_at))]
        filed = [at.astimezone(KST) for at in uow.session.scalars(
            select(AuditEvent.at).where(AuditEvent.action.in_(["file", "submit"])))]
    assert starts and all(calendar.is_working_day(s.date()) and s.hour == 14 for s in starts)
    assert filed and all(9 <= at.hour < 18 for at in filed)


def test_commands_on_a_database_without_its_schema_say_what_to_run(tmp_path):
    """A new install that skipped `db upgrade`, or a server out of reach: one line saying
    so and exit 1, not a driver's traceback."""
    from sandbox import create_app

    empty = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'new.db'}", "TESTING": True,
                        "SECRET_KEY": "test-secret", "SANDBOX_TIMER_LOOP": "0"})
    cli = empty.test_cli_runner()
    for args in (["timers", "fire"], ["audit", "verify"], ["users", "token", "--email", "a@b.example"],
                 ["users", "create", "--email", "a@b.example", "--role", "agency", "--org", "KNPA",
                  "--name", "김", "--password", "long-enough-1"], ["demo"]):
        told = cli.invoke(args=args)
        assert told.exit_code == 1, (args, told.output)
        assert "has no schema yet" in told.output and "run `flask --app wsgi db upgrade` first" in told.output
        assert "Traceback" not in told.output
    # The embedded server refuses to start rather than answer every page with an error.
    refused = cli.invoke(args=["serve", "--port", "9"])
    assert refused.exit_code == 1
    assert "schema is not built yet: run `flask --app wsgi db upgrade` first" in refused.output
    empty.extensions["sandbox.db"].dispose()

    unreachable = create_app({"DATABASE_URL": "postgresql://someone:secret@127.0.0.1:9/none",
                              "TESTING": True, "SECRET_KEY": "test-secret", "SANDBOX_TIMER_LOOP": "0"})
    told = unreachable.test_cli_runner().invoke(args=["timers", "fire"])
    assert told.exit_code == 1 and "cannot be used: " in told.output, told.output
    assert "secret" not in told.output and "someone:***@" in told.output
