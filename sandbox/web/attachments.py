"""A case's files on its page: the upload form (multipart, CSRF like every form),
downloads, and the official documents issued on it. The rules (who, when, which types by
content, how large; who reads which document) are ``services.attachments``' and
``services.documents``'; this module only reads the form and shows the refusals (413, 415,
422, 409) on the case page."""

from __future__ import annotations

import io
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, send_file
from flask import request as req
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..api.attachments import _disposition
from ..domain.errors import Conflict, Forbidden, Invalid, NotFound
from ..services import attachments, documents
from .common import actor, back_to_case, flash_error, roles, rt
from .i18n import bilingual

bp = Blueprint("attachment_pages", __name__)

# What a file is (the service takes any lowercase name; these are the usual ones).
KINDS: list[tuple[str, Any]] = [
    ("plan", _l("Business plan")),
    ("safety_evidence", _l("Safety evidence")),
    ("supplement", _l("Supplementary material")),
    ("local_review", _l("Local government review")),
    ("action_plan", _l("Action plan")),
    ("other", _l("Other")),
]


UPLOADERS = ("applicant", "local_government", "secretariat")


@bp.route("/cases/<int:case_id>/attachments", methods=["POST"])
@roles(*UPLOADERS)
def upload(case_id: int) -> Any:
    from .cases import render_case as shown_again  # the case page shows the form's errors

    upload_ = req.files.get("file")
    kind = req.form.get("kind") or None
    errors: dict[str, list[str]] = {}
    if upload_ is None or not upload_.filename:
        errors["file"] = [_("Choose a file to upload")]
    if kind not in {k for k, _label in KINDS}:
        errors["kind"] = [_("Choose what the file is")]
    if errors:
        return shown_again(case_id, 422, upload_errors=errors, upload_values=req.form)
    limit = current_app.config["MAX_ATTACHMENT_BYTES"]
    data = upload_.stream.read(limit + 1)  # type: ignore[union-attr]
    try:
        attachments.add_attachment(rt(), actor(), case_id, kind=kind,
                                   filename=upload_.filename, data=data, max_bytes=limit)  # type: ignore[union-attr]
    except NotFound:
        abort(404)
    except Invalid as exc:
        return shown_again(case_id, 422, upload_errors=exc.errors, upload_values=req.form)
    except (attachments.TooLarge, attachments.UnsupportedType) as exc:
        return shown_again(case_id, exc.status, upload_values=req.form,
                           upload_errors={"file": [bilingual(exc.detail)]})
    except (Conflict, Forbidden) as exc:
        return flash_error(exc, back_to_case(case_id))
    flash(_("The file is attached."), "success")
    return redirect(back_to_case(case_id) + "#attachments-title")


def too_large_on_the_case_page(told: str) -> Any | None:
    """A file far over the limit is refused by Flask before the upload view runs (its body
    is not read, so neither is the form): shown on the case page like a file just over the
    limit, for a reader who may upload there. None: the plain error page."""
    from werkzeug.exceptions import HTTPException

    from .cases import render_case as shown_again

    case_id = (req.view_args or {}).get("case_id")
    if (req.endpoint != "attachment_pages.upload" or case_id is None
            or not current_user.is_authenticated or current_user.role not in UPLOADERS):
        return None
    try:
        return shown_again(case_id, 413, upload_errors={"file": [bilingual(told)]})
    except HTTPException:  # not a case this reader sees: the plain page says no more
        return None


@bp.route("/attachments/<int:attachment_id>")
@roles("applicant", "local_government", "agency", "committee_member", "secretariat")
def download(attachment_id: int) -> Any:
    try:
        found = attachments.get_attachment(rt(), actor(), attachment_id)
    except NotFound:
        abort(404)
    response = _private_file(found["content"], found["content_type"], found["sha256"],
                             _disposition(found["filename"]))
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.route("/documents/<int:document_id>")
@roles("applicant", "local_government", "agency", "committee_member", "secretariat")
def document(document_id: int) -> Any:
    """An issued document's PDF, for whoever may see its case (the API's rules)."""
    try:
        content, sha256, filename = documents.get_document(rt(), actor(), document_id)
    except NotFound:
        abort(404)
    except Conflict:
        abort(409)
    response = _private_file(content, "application/pdf", sha256, _disposition(filename, "inline"))
    response.headers["X-Content-SHA256"] = sha256
    return response


def _private_file(content: bytes, mimetype: str, sha256: str, disposition: str) -> Any:
    """A file for the signed-in reader only: never kept by a browser or proxy cache."""
    response = send_file(io.BytesIO(content), mimetype=mimetype, etag=sha256,
                         conditional=False, max_age=0)
    response.headers["Content-Disposition"] = disposition
    response.headers["Cache-Control"] = "private, no-store"
    return response
