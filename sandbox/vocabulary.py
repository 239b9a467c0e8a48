"""Words for the names the contract uses (fields, actions, deadlines, positions), for the
pages (in the request's language) and for mails (both languages at once, ``in_both``).

A name without an entry still shows, humanised ("insurer" → "Insurer"), so a new process
or payload field appears on the pages before anyone writes its label.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from babel.support import Translations
from flask_babel import lazy_gettext

TRANSLATIONS = Path(__file__).resolve().parents[1] / "translations"

__all__ = ["TRANSLATIONS", "field_label", "choice_label", "CHOICES", "action_label", "deadline_label",
           "POSITIONS",
           "ROLE_LABELS", "humanise", "FIELD_HINTS", "process_title", "state_label", "in_both",
           "field_words", "deadline_words", "OWN_ACTORS"]

# The English text of each label below, by the label: mails name things in both languages
# at once, outside any request (see ``in_both``).
_ENGLISH: dict[int, str] = {}


def _l(text: str) -> Any:
    label = lazy_gettext(text)
    _ENGLISH[id(label)] = text
    return label


FIELDS: dict[str, Any] = {
    "name": _l("District name"),
    "local_government": _l("Local government"),
    "area_description": _l("Area"),
    "area_km2": _l("Area in km²"),
    "plan_summary": _l("Plan summary"),
    "designation_end": _l("Designation end date"),
    "projects": _l("Business plans filed with it"),
    "title": _l("Title"),
    "kind": _l("Kind of project"),
    "district_id": _l("District"),
    "summary": _l("Summary"),
    "requested_exceptions": _l("Exceptions requested"),
    "law": _l("Law"),
    "article": _l("Article"),
    "safety_measures": _l("Safety measures"),
    "compensation_plan": _l("Accident prevention and compensation"),
    "regulating_agencies": _l("Regulating agencies"),
    "operator": _l("Operator"),
    "address": _l("Address"),
    "description": _l("Description"),
    "agencies": _l("Agencies"),
    "reason": _l("Reason"),
    "items": _l("What must be supplemented"),
    "days": _l("Days"),
    "months": _l("Months"),
    "reasons": _l("Reasons"),
    "opinion": _l("Opinion"),
    "required_measures": _l("Required measures"),
    "applicant_action_plan": _l("Applicant's action plan"),
    "insurer": _l("Insurer"),
    "policy_number": _l("Policy number"),
    "valid_until": _l("Valid until"),
    "death_per_person_krw": _l("Cover per death (KRW)"),
    "property_per_accident_krw": _l("Property cover per accident (KRW)"),
    "started_on": _l("Started on"),
    "occurred_at": _l("Occurred on"),
    "measures": _l("Measures"),
    "ground": _l("Ground"),
    "effective_on": _l("Effective on"),
    "position": _l("Position"),
    "comment": _l("Comment"),
    "conditions": _l("Conditions"),
    "requirements": _l("Requirements"),
    "questions": _l("Questions"),
    "answer": _l("Answer"),
    "email": _l("E-mail address"),
    "password": _l("Password"),
    "body": _l("Your opinion"),
    "choice": _l("Your vote"),
    "mode": _l("Kind of meeting"),
    "starts_at": _l("Starts"),
    "ends_at": _l("Ends"),
    "proposal": _l("Proposed resolution"),
    "case_id": _l("Case"),
    "present": _l("Members present"),
    "extension_months": _l("Extension in months"),
    "innovation": _l("Innovation project"),
    "demonstration": _l("Demonstration project"),
    "file": _l("File"),
    "decided_at": _l("Decided at"),
    "operator.name": _l("Operator's name (company or person)"),
    "operator.address": _l("Operator's address"),
}
FIELD_HINTS: dict[str, Any] = {
    "requested_exceptions": _l("For each rule that stops the service: the law, the article and "
                               "why it must be set aside. Add as many as you need."),
    "area_km2": _l("For example 2.7"),
    "insurer": _l("Liability insurance (Decree 57): fill in all five insurance items, or leave "
                  "them empty and describe a compensation plan below if no insurer will cover it."),
    "designation_end": _l("Leave empty for a designation without end date"),
    "conditions": _l("One condition per line"),
    "days": _l("In calendar days; leave empty for the rule set's default"),
}
ACTIONS: dict[str, Any] = {
    "submit": _l("Submit"),
    "withdraw": _l("Withdraw"),
    "return": _l("Return (reject as incomplete)"),
    "request_supplement": _l("Request a supplement"),
    "resubmit": _l("Resubmit"),
    "open_consultation": _l("Open agency consultations"),
    "open_resident_opinion": _l("Open the resident opinion period"),
    "record_local_review": _l("Record the local government review"),
    "table": _l("Table for the committee"),
    "file_insurance": _l("File insurance proof"),
    "start": _l("Report the start"),
    "request_extension": _l("Request an extension"),
    "report_incident": _l("Report an incident"),
    "order_correction": _l("Order a correction"),
    "extend_correction": _l("Extend the correction period"),
    "confirm_correction": _l("Confirm the correction"),
    "suspend": _l("Suspend"),
    "resume": _l("Resume"),
    "propose_revocation": _l("Propose revocation"),
    "record_hearing": _l("Record the hearing"),
    "file_results_report": _l("File the results report"),
    "request_law_amendment": _l("Request a law amendment"),
    "record_law_amended": _l("Record the law amendment"),
    "lift": _l("Lift the designation"),
    # What the committee resolves (also the case's move it makes): worded as its
    # resolutions and the documents word them, for a district's designation as for a plan.
    "approve": _l("Approve as filed"),
    "approve_with_conditions": _l("Approve with conditions"),
    "reject": _l("Reject"),
    "request_modification": _l("Request a modification of the plan"),
    "record_local_opinion": _l("Record the local government's opinion on revocation"),
    "convert": _l("Convert to an innovation project"),
    "file": _l("Filed"),
    "edit": _l("Answers changed"),
    "attach": _l("File attached"),
    "committee_decision": _l("Committee decision recorded"),
    "comment": _l("Resident opinion"),
    "place_on_agenda": _l("Placed on the agenda"),
    "reply": _l("Agency reply"),
    "answer_supplement": _l("Answer the agency's supplement questions"),
    "extend": _l("Reply period extended"),
    "mark_overdue": _l("Marked overdue"),
    # Moves the timers make (role ``system``): each is one line of a case's history.
    "flag_local_review_overdue": _l("Local review marked overdue"),
    "flag_correction_overdue": _l("Correction period passed"),
    "flag_not_started": _l("Not started in time"),
    "flag_late": _l("Reply marked late"),
    "report_overdue": _l("Results report overdue"),
    "expire": _l("Exception period ended"),
    "take_effect": _l("Took effect on designation"),
    "complete": _l("Every agency answered"),
    "deem": _l("Deemed: no permit required"),
    "deem_no_permit": _l("Deemed: no permit required"),
    "close": _l("Closed"),
    "lapse": _l("Lapsed (no supplement)"),
}
# The product's own actors by role, as the history and the notifications name them.
OWN_ACTORS: dict[str, Any] = {
    "system": _l("Deadline timer"),
    "committee": _l("National Smart City Committee"),
}
DEADLINES: dict[str, Any] = {
    "supplement_deadline": _l("Supplement due"),
    "resident_opinion_end": _l("Resident opinion period ends"),
    "reply_due": _l("Agency reply due"),
    "reply_cap": _l("90-day limit for the reply"),
    "term_end": _l("End of the exception's term"),
    "start_deadline": _l("Start within one year"),
    "insurance_cover": _l("Liability insurance ends"),
    "correction_deadline": _l("Correction due"),
    "local_opinion_due": _l("Local government's opinion on revocation due"),
    "local_review_due": _l("Local government pre-review due"),
    "results_report_due": _l("Results report due"),
    "close_due": _l("Ministry's reply due"),
    "pending": _l("running"),
    "paused": _l("paused"),
    "fired": _l("passed"),
}
POSITIONS: dict[str, Any] = {
    "consent": _l("Consent"),
    "consent_with_conditions": _l("Consent with conditions"),
    "object": _l("Object"),
    "not_applicable": _l("Not applicable (not our regulation)"),
    "permit_required": _l("A permit is required"),
    "no_permit_required": _l("No permit is required"),
}
# The codes a ``choice:`` payload field offers (engine/payload), in words.
CHOICES: dict[str, Any] = {
    # The grounds for revoking a special exception (Act 52⑤1-4).
    "fraud": _l("Approval obtained by fraud or other wrongful means"),
    "deviation": _l("The project departed from the approved plan"),
    "unremoved_risk": _l("A risk to safety or others was not removed"),
    "not_started": _l("Not started within a year of approval"),
}
ROLE_LABELS: dict[str, Any] = {
    "applicant": _l("Applicant"),
    "local_government": _l("Local government"),
    "agency": _l("Central agency"),
    "committee_member": _l("Committee member"),
    "secretariat": _l("Secretariat"),
}


def humanise(name: str) -> str:
    return name.replace("_", " ").strip().capitalize()


def choice_label(code: str) -> Any:
    label = CHOICES.get(code)
    return humanise(code) if label is None else label


def field_label(name: str) -> Any:
    """By the field's path without row numbers ("operator.name": the operator's name, not a
    district's), else by its last part."""
    path = ".".join(p for p in name.split(".") if not p.isdigit())
    leaf = name.rsplit(".", 1)[-1]
    # ``is None``, never truthiness: a label's truth is its text, which needs a locale, and
    # mails ask for labels outside any request (``field_words``).
    label = FIELDS.get(path)
    if label is None:
        label = FIELDS.get(leaf)
    return label if label is not None else humanise(leaf)


def action_label(name: str) -> Any:
    return ACTIONS.get(name, humanise(name))


def deadline_label(name: str) -> Any:
    return DEADLINES.get(name, humanise(name))


@cache
def _korean() -> Translations:
    return Translations.load(str(TRANSLATIONS), ["ko"])


def in_both(label: Any) -> tuple[str, str]:
    """(Korean, English) of a label, read from the catalogue: no request or locale needed."""
    english = _ENGLISH.get(id(label))
    if english is None:  # a humanised name: the same in both
        return str(label), str(label)
    return _korean().gettext(english), english


def field_words(name: str) -> tuple[str, str]:
    return in_both(field_label(name))


def deadline_words(name: str) -> tuple[str, str]:
    return in_both(deadline_label(name))


def process_title(engine: Any, process: str, lang: str) -> str:
    try:
        d = engine.registry.get(process)
    except KeyError:
        return humanise(process)
    return str(d.title.get(lang) or d.title.get("ko") or process)


def state_label(engine: Any, process: str, state: str, lang: str) -> str:
    try:
        return str(engine.registry.get(process).label(state, lang))
    except KeyError:
        return humanise(state)
