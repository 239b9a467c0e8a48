"""The tamper-evident audit trail (ARCHITECTURE rule 8) and ``flask audit verify``.

Each test builds two cases with a few transitions, tampers with the database directly, as
someone with SQL access would, and expects ``audit verify`` to exit 1 naming the first
broken event.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import delete, select, update

from sandbox.adapters.tables import AuditEvent
from tests.support.cast import SECRETARIAT, SEJONG
from tests.support.flows import filed_district, ok


def cli(app: Any, *args: str) -> Any:
    return app.test_cli_runner().invoke(args=list(args))


@pytest.fixture
def two_cases(api: Any, cast: Any) -> tuple[int, int]:
    """A: file, submit, request_supplement, resubmit. B: file, submit, return."""
    a = filed_district(api)["id"]
    ok(api.action(a, "submit", SEJONG))
    ok(api.action(a, "request_supplement", SECRETARIAT, items="구역 도면과 주민 설명 자료"))
    ok(api.action(a, "resubmit", SEJONG))
    b = filed_district(api, name="두 번째 지구")["id"]
    ok(api.action(b, "submit", SEJONG))
    ok(api.action(b, "return", SECRETARIAT, reason="관할 구역 밖"))
    return a, b


def events(app: Any, case_id: int) -> list[AuditEvent]:
    with app.extensions["sandbox"].uow() as uow:
        return list(uow.session.scalars(
            select(AuditEvent).where(AuditEvent.case_id == case_id).order_by(AuditEvent.seq)
        ))


def tamper(app: Any, statement: Any) -> None:
    with app.extensions["sandbox"].uow() as uow:
        result = uow.session.execute(statement)
        assert result.rowcount == 1
        uow.commit()


def where(case_id: int, seq: int) -> Any:
    return (AuditEvent.case_id == case_id) & (AuditEvent.seq == seq)


def assert_broken(result: Any, case_id: int, seq: int) -> None:
    assert result.exit_code == 1, result.output
    assert f"case {case_id} event seq {seq} " in result.output, result.output


def test_intact_chains_verify(app, two_cases):
    a, b = two_cases
    assert [e.action for e in events(app, a)] == ["file", "submit", "request_supplement", "resubmit"]
    assert [e.action for e in events(app, b)] == ["file", "submit", "return"]
    chain = events(app, a)
    assert chain[0].prev_hash == "0" * 64
    assert all(e.prev_hash == p.hash for p, e in zip(chain, chain[1:], strict=False))
    result = cli(app, "audit", "verify")
    assert result.exit_code == 0, result.output
    assert "ok: 2 cases" in result.output


def test_a_public_comment_is_chained_too(app, api, two_cases):
    from tests.support.flows import district_in_resident_opinion

    case = district_in_resident_opinion(api)
    r = api.post(f"/api/v1/cases/{case['id']}/comments", {"name": "주민", "body": "좋습니다"})
    assert r.status == 201, r
    assert [e.action for e in events(app, case["id"])][-1] == "comment"
    assert cli(app, "audit", "verify").exit_code == 0
    tamper(app, update(AuditEvent).where(where(case["id"], 4)).values(
        payload={"name": "주민", "body": "반대합니다"}))
    assert_broken(cli(app, "audit", "verify"), case["id"], 4)


def test_tampered_payload_is_named(app, two_cases):
    a, b = two_cases
    tamper(app, update(AuditEvent).where(where(b, 3)).values(payload={"reason": "다른 사유"}))
    assert_broken(cli(app, "audit", "verify"), b, 3)


def test_tampered_payload_of_an_earlier_case_is_named_first(app, two_cases):
    a, b = two_cases
    tamper(app, update(AuditEvent).where(where(b, 3)).values(payload={"reason": "다른 사유"}))
    tamper(app, update(AuditEvent).where(where(a, 3)).values(payload={"items": "없음"}))
    assert_broken(cli(app, "audit", "verify"), a, 3)


@pytest.mark.parametrize(
    "column, value",
    [
        ("to_state", "designated"),
        ("from_state", "supplement_requested"),
        ("actor_label", "someone else"),
        ("action", "approve"),
        ("payload_digest", "0" * 64),
    ],
)
def test_tampered_fields_are_detected(app, two_cases, column, value):
    a, _ = two_cases
    tamper(app, update(AuditEvent).where(where(a, 2)).values({column: value}))
    assert_broken(cli(app, "audit", "verify"), a, 2)


def test_tampered_time_is_detected(app, two_cases):
    a, _ = two_cases
    at = events(app, a)[1].at
    tamper(app, update(AuditEvent).where(where(a, 2)).values(at=at - timedelta(days=1)))
    assert_broken(cli(app, "audit", "verify"), a, 2)


def test_tampered_hash_is_detected(app, two_cases):
    a, _ = two_cases
    tamper(app, update(AuditEvent).where(where(a, 2)).values(hash="f" * 64))
    assert_broken(cli(app, "audit", "verify"), a, 2)


def test_deleted_middle_event_is_detected(app, two_cases):
    a, _ = two_cases
    tamper(app, delete(AuditEvent).where(where(a, 2)))
    # The first broken link is the event after the gap.
    assert_broken(cli(app, "audit", "verify"), a, 3)


def test_truncated_last_event_is_detected(app, two_cases):
    a, b = two_cases
    tamper(app, delete(AuditEvent).where(where(b, 3)))
    # The remaining chain is internally sound, but the case's head names a missing event.
    assert_broken(cli(app, "audit", "verify"), b, 2)


def test_deleted_first_event_is_detected(app, two_cases):
    a, _ = two_cases
    tamper(app, delete(AuditEvent).where(where(a, 1)))
    assert_broken(cli(app, "audit", "verify"), a, 2)
