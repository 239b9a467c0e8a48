"""/api/v1/cases/{id}/attachments and /api/v1/attachments/{id}: a case's files.

Thin edges: the multipart form is parsed here, the rules (who, when, which types, how
large) are sandbox.services.attachments'. Downloads are always ``attachment`` with the type
the content was found to be and ``nosniff``, so a browser never renders an upload inline.
"""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import quote

from flask import current_app, send_file
from flask_smorest import Blueprint
from flask_smorest.fields import Upload
from marshmallow import Schema, fields
from webargs.flaskparser import FlaskParser
from werkzeug.datastructures import CombinedMultiDict

from ..domain.filetypes import ACCEPTED
from ..services import attachments
from .auth import current_actor, require_auth, runtime
from .problems import UNAUTHENTICATED, documenter


class MultipartParser(FlaskParser):
    """The ``files`` location reads the whole ``multipart/form-data`` body: the file and the
    form fields beside it (webargs alone would see only the file)."""

    def load_files(self, req: Any, schema: Any) -> Any:
        return self._makeproxy(CombinedMultiDict([req.files, req.form]), schema)


blp = Blueprint("attachments", __name__, url_prefix="/api/v1", description="Attachments")
blp.ARGUMENTS_PARSER = MultipartParser()

ERRORS = {
    401: UNAUTHENTICATED,
    403: "your role may not attach files to this case",
    404: "absent or not visible to you",
    409: "files cannot be attached in the case's current state",
    413: "the file (or the request) is too large",
    415: "the file's content is not an accepted type (PDF, image, office or HWP document)",
    422: "invalid input: no file, an empty file, or a missing or malformed kind",
}


_document = documenter(blp, ERRORS)


DOWNLOAD_TYPES = tuple(t.content_type for t in ACCEPTED)


class UploadIn(Schema):
    """``multipart/form-data``: the file and what it is."""

    file = Upload(required=True, metadata={"description": "PDF, PNG, JPEG, GIF, WebP, HWP, "
                                                          "HWPX, DOC(X), XLS(X), PPT(X); judged "
                                                          "by content"})
    kind = fields.String(required=True, metadata={
        "description": "what the file is: lowercase letters, digits and _, e.g. plan, "
                       "safety_evidence, local_review, action_plan"})


class AttachmentOut(Schema):
    id = fields.Integer()
    kind = fields.String()
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    created_at = fields.String()


@blp.route("/cases/<int:case_id>/attachments", methods=["POST"])
@require_auth
@blp.arguments(UploadIn, location="files")
@blp.response(201, AttachmentOut)
@_document(401, 403, 404, 409, 413, 415, 422)
def add_attachment(form: dict[str, Any], case_id: int) -> dict[str, Any]:
    """Attach a file: the filer while the case is editable; the local government of a
    business plan while it pre-reviews it."""
    upload = form["file"]
    limit = current_app.config["MAX_ATTACHMENT_BYTES"]
    data = upload.stream.read(limit + 1)  # one byte more tells "too large" from "just fits"
    return attachments.add_attachment(
        runtime(), current_actor(), case_id, kind=form["kind"], filename=upload.filename,
        data=data, max_bytes=limit,
    )


@blp.route("/cases/<int:case_id>/attachments", methods=["GET"])
@require_auth
@blp.response(200, AttachmentOut(many=True))
@_document(401, 404)
def list_attachments(case_id: int) -> list[dict[str, Any]]:
    """The case's attachments, oldest first (without their content)."""
    return attachments.list_attachments(runtime(), current_actor(), case_id)


@blp.route("/attachments/<int:attachment_id>", methods=["GET"])
@require_auth
@blp.doc(responses={"200": {
    "description": "the file as an attachment (``Content-Disposition: attachment``, "
                   "``X-Content-Type-Options: nosniff``), typed by its content",
    "content": {t: {"schema": {"type": "string", "format": "binary"}} for t in DOWNLOAD_TYPES},
}})
@_document(401, 404)
def download(attachment_id: int) -> Any:
    """Download a file with the type its content was found to be."""
    found = attachments.get_attachment(runtime(), current_actor(), attachment_id)
    response = send_file(
        io.BytesIO(found["content"]), mimetype=found["content_type"], etag=found["sha256"],
        conditional=False, max_age=0,
    )
    response.headers["Content-Disposition"] = _disposition(found["filename"])
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _disposition(filename: str, how: str = "attachment") -> str:
    """``attachment`` (or ``inline``) with the UTF-8 name (RFC 6266) and a plain ASCII
    fallback: Werkzeug's own fallback of a Korean name would be just ``.pdf``."""
    stem, _, ext = filename.rpartition(".")
    plain = "".join(c for c in stem if c.isascii() and (c.isalnum() or c in "-_ ()")).strip()
    return (f'{how}; filename="{plain or "attachment"}.{ext}"; '
            f"filename*=UTF-8''{quote(filename, safe='')}")
