"""A case's attachments through the HTTP API: judged by content, sized, and private.

The filer attaches files while it may edit the case; everyone who may see the case reads
them, anyone else gets 404. A rapid confirmation (2021 rules) is the vehicle: filing it in
``draft`` lets the applicant attach, submitting it consults KNPA and PIPC.
"""

from __future__ import annotations

import hashlib
import io
from urllib.parse import quote

import pytest
from freezegun import freeze_time

from tests.conftest import make_app
from tests.support import files
from tests.support.api import ApiClient
from tests.support.cast import (
    APPLICANT,
    BUSAN,
    KNPA,
    MOTIE,
    OTHER_APPLICANT,
    PIPC,
    SECRETARIAT,
    SEJONG,
)
from tests.support.flows import ok
from tests.support.rows import add_cases

PROBLEM = "application/problem+json"
REQUEST = {"title": "배송로봇 보도 통행", "description": "허가 필요 여부 확인 요청",
           "agencies": ["KNPA", "PIPC"]}


@pytest.fixture
def app(database_url):
    app = make_app(database_url, SANDBOX_RULE_SET="2021")
    yield app
    app.extensions["sandbox.db"].dispose()


def upload(api, case_id, who, data, name="file.pdf", kind="plan", client_type="application/pdf"):
    form = {"kind": kind} if kind is not None else {}
    if data is not None:
        form["file"] = (io.BytesIO(data), name, client_type)
    raw = api.client.post(f"/api/v1/cases/{case_id}/attachments", data=form,
                          content_type="multipart/form-data", headers=api._headers(who))
    return raw


def _draft(api):
    return ok(api.post("/api/v1/cases", {"process": "rapid_confirmation", "data": REQUEST},
                       APPLICANT), 201)


ACCEPTED = [
    (files.PDF, "사업계획서.pdf", "application/pdf"),
    (files.PNG, "도면.png", "image/png"),
    (files.JPEG, "현장사진.jpeg", "image/jpeg"),
    (files.GIF, "map.gif", "image/gif"),
    (files.hwp(), "안전대책.hwp", "application/x-hwp"),
    (files.hwpx(), "안전대책.hwpx", "application/hwp+zip"),
    (files.ooxml("docx"), "plan.docx",
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (files.ooxml("xlsx"), "budget.xlsx",
     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    (files.ole2("WordDocument"), "old.doc", "application/msword"),
]


def test_accepted_types_are_stored_listed_and_downloaded(api, app, cast):
    with freeze_time("2026-09-10 01:00:00+00:00"):
        cid = _draft(api)["id"]
        stored = []
        for data, name, expected in ACCEPTED:
            # The client's type and name are ignored: the content decides.
            raw = upload(api, cid, APPLICANT, data, name=name, client_type="text/plain")
            assert raw.status_code == 201, raw.get_json()
            body = raw.get_json()
            assert set(body) == {"id", "kind", "filename", "content_type", "size", "sha256",
                                 "created_at"}
            assert body["content_type"] == expected and body["filename"] == name
            assert body["size"] == len(data)
            assert body["sha256"] == hashlib.sha256(data).hexdigest()
            assert body["created_at"] == "2026-09-10T01:00:00+00:00"
            stored.append(body)
        # A PDF sent as "setup.exe" keeps its name, with the extension of what it really is.
        renamed = upload(api, cid, APPLICANT, files.PDF, name="setup.exe",
                         client_type="application/x-msdownload").get_json()
        assert renamed["filename"] == "setup.exe.pdf"

        listed = ok(api.get(f"/api/v1/cases/{cid}/attachments", APPLICANT))
        assert [a["id"] for a in listed] == [a["id"] for a in stored] + [renamed["id"]]

        first = stored[0]
        raw = api.client.get(f"/api/v1/attachments/{first['id']}", headers=api._headers(APPLICANT))
        assert raw.status_code == 200 and raw.data == files.PDF
        assert raw.mimetype == "application/pdf"
        assert raw.headers["X-Content-Type-Options"] == "nosniff"
        disposition = raw.headers["Content-Disposition"]
        assert disposition == ('attachment; filename="attachment.pdf"; '
                               f"filename*=UTF-8''{quote('사업계획서.pdf')}")

        events = [e for e in ok(api.get(f"/api/v1/cases/{cid}/history", APPLICANT))
                  if e["action"] == "attach"]
        assert len(events) == len(ACCEPTED) + 1
        assert events[0]["tag"] == "case:attachment:added"
        assert events[0]["payload"]["sha256"] == first["sha256"]
        assert app.test_cli_runner().invoke(args=["audit", "verify"]).exit_code == 0


@pytest.mark.parametrize(
    ("data", "name", "kind", "status", "field"),
    [
        (files.EXE, "계획서.pdf", "plan", 415, None),              # an executable named .pdf
        (b"<html><script>alert(1)</script>", "x.pdf", "plan", 415, None),
        (files.ooxml("docm"), "macro.docx", "plan", 415, None),  # Office with macros
        (b"", "empty.pdf", "plan", 422, "file"),
        (files.PDF, "plan.pdf", None, 422, "kind"),
        (files.PDF, "plan.pdf", "Plan!", 422, "kind"),
        (None, None, "plan", 422, "file"),
    ],
    ids=["exe-named-pdf", "html", "docm", "empty", "no-kind", "bad-kind", "no-file"],
)
def test_refused_uploads(api, cast, data, name, kind, status, field):
    cid = _draft(api)["id"]
    raw = upload(api, cid, APPLICANT, data, name=name, kind=kind)
    assert raw.status_code == status, raw.get_json()
    assert raw.content_type == PROBLEM
    if field:
        assert field in raw.get_json()["errors"]
    assert ok(api.get(f"/api/v1/cases/{cid}/attachments", APPLICANT)) == []


def test_too_large_is_413_from_the_service_and_from_flask(api, app, cast, database_url):
    small = make_app(database_url, SANDBOX_RULE_SET="2021", MAX_ATTACHMENT_BYTES=4096)
    try:
        client = ApiClient(small.test_client(), cast.people)
        cid = _draft(client)["id"]
        fits = files.PDF.ljust(4096, b" ")
        assert upload(client, cid, APPLICANT, fits).status_code == 201
        over = upload(client, cid, APPLICANT, fits + b" ")
        assert over.status_code == 413 and over.content_type == PROBLEM
        assert "4,096" in over.get_json()["detail"]
        # A body far past the limit is refused before it is read, still as problem+json.
        huge = upload(client, cid, APPLICANT, files.PDF.ljust(200_000, b" "))
        assert huge.status_code == 413 and huge.content_type == PROBLEM
        assert "4 KB (4,096 bytes)" in huge.get_json()["detail"]  # the limit, as for a file just over
        assert len(ok(client.get(f"/api/v1/cases/{cid}/attachments", APPLICANT))) == 1
    finally:
        small.extensions["sandbox.db"].dispose()


def test_only_those_who_see_the_case_see_its_files(api, cast):
    with freeze_time("2026-09-10 01:00:00+00:00"):
        cid = _draft(api)["id"]
        attachment = upload(api, cid, APPLICANT, files.PDF).get_json()
        aid = attachment["id"]
        download = f"/api/v1/attachments/{aid}"

        # Another applicant, and an agency not (yet) consulted: nothing exists.
        for who in (OTHER_APPLICANT, KNPA):
            assert api.get(f"/api/v1/cases/{cid}/attachments", who).status == 404
            assert api.get(download, who).status == 404
            assert upload(api, cid, who, files.PDF).status_code == 404
        assert api.get("/api/v1/attachments/999999", APPLICANT).status == 404

        # Submitted: the agencies consulted read the files; the filer can no longer add any.
        ok(api.action(cid, "submit", APPLICANT))
        for who in (KNPA, PIPC, SECRETARIAT):
            raw = api.client.get(download, headers=api._headers(who))
            assert raw.status_code == 200 and raw.data == files.PDF, who
            assert raw.headers["Content-Disposition"].startswith('attachment; filename="file.pdf"')
            assert [a["id"] for a in ok(api.get(f"/api/v1/cases/{cid}/attachments", who))] == [aid]
        assert api.get(download, MOTIE).status == 404  # not consulted on this case
        assert api.get(download, OTHER_APPLICANT).status == 404
        late = upload(api, cid, APPLICANT, files.PDF)
        assert late.status_code == 409 and late.content_type == PROBLEM
        assert upload(api, cid, KNPA, files.PDF).status_code == 403
        assert upload(api, cid, SECRETARIAT, files.PDF).status_code == 403


def test_the_local_government_attaches_its_review_of_a_plan(api, app, cast):
    # A business plan waiting for the local government's pre-review (Act 49②), made here
    # directly: the plan process itself is tested with its own workflow.
    (cid,) = add_cases(app, cast.people.id(APPLICANT), [
        {"process": "project_approval", "rule_set": "2021", "state": "local_government_review",
         "data": {"title": "셔틀"}, "filer_org": "mobility"}])
    review = upload(api, cid, SEJONG, files.hwp(), name="검토의견.hwp", kind="local_review")
    assert review.status_code == 201, review.get_json()
    assert review.get_json()["content_type"] == "application/x-hwp"
    assert upload(api, cid, BUSAN, files.PDF).status_code == 404
    assert upload(api, cid, APPLICANT, files.PDF).status_code == 409  # not editable now
    listed = ok(api.get(f"/api/v1/cases/{cid}/attachments", APPLICANT))
    assert [a["kind"] for a in listed] == ["local_review"]
