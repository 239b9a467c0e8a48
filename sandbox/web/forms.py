"""Forms drawn from the contract: the per-process data schemas (marshmallow) and the
payload fields a definition declares for an action.

A field becomes an input by its type (text, long text, number, date, choice, agencies,
a group or a repeating group); the same description parses the posted form back into the
data the services take, and turns their per-field errors into an error summary whose links
reach the inputs (GOV.UK's pattern).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from marshmallow import Schema, fields, validate
from werkzeug.datastructures import MultiDict

from ..domain.field_messages import in_both_languages, length_bounds, range_words
from ..domain.particles import attach
from ..engine.payload import choices_of
from ..vocabulary import FIELD_HINTS, choice_label, field_label
from .i18n import bilingual, lang

__all__ = ["Field", "schema_fields", "posted_rows", "payload_fields", "parse", "error_list", "field_id",
           "Choices", "lookup"]

LONG_TEXT = 300  # strings allowed longer than this get a textarea


@dataclass
class Field:
    name: str  # dotted path: "name", "operator.name", "requested_exceptions.0.law"
    kind: str  # text, textarea, number, integer, date, radios, select, checkboxes, checkbox, group, repeat
    label: Any
    required: bool = False
    hint: Any = None
    choices: list[tuple[str, Any]] = field(default_factory=list)
    children: list[Field] = field(default_factory=list)
    rows: int = 1  # a repeat's number of groups shown

    @property
    def id(self) -> str:
        return field_id(self.name)


def field_id(name: str) -> str:
    return "f-" + name.replace(".", "-").replace("_", "-")


class Choices:
    """Where choice lists come from (organisations), given by the view."""

    def __init__(self, agencies: list[tuple[str, str]], local_governments: list[tuple[str, str]]):
        self.agencies = agencies
        self.local_governments = local_governments


def _max_len(f: fields.Field) -> int | None:
    for v in f.validators:
        if isinstance(v, validate.Length) and v.max is not None:
            return int(v.max)
    return None


def _one_of(f: fields.Field) -> list[str] | None:
    for v in f.validators:
        if isinstance(v, validate.OneOf):
            return [str(c) for c in v.choices]
    return None


def _spec(name: str, f: fields.Field, choices: Choices, data: Any) -> Field:
    leaf = name.rsplit(".", 1)[-1]
    label, hint, required = field_label(name), FIELD_HINTS.get(leaf), bool(f.required)
    if isinstance(f, fields.Nested) and not f.many:
        schema = f.schema
        return Field(name, "group", label, required, hint, children=[
            _spec(f"{name}.{k}", sub, choices, None) for k, sub in schema.fields.items()])
    if isinstance(f, fields.List) and isinstance(f.inner, fields.Nested):
        schema = f.inner.schema
        count = max(len(data) if isinstance(data, list) else 0, 1)
        groups = [Field(f"{name}.{i}", "group", label, True, None, children=[
            _spec(f"{name}.{i}.{k}", sub, choices, None) for k, sub in schema.fields.items()])
            for i in range(count)]
        return Field(name, "repeat", label, required, hint, children=groups, rows=count)
    if isinstance(f, fields.List) and leaf.endswith("agencies"):
        return Field(name, "checkboxes", label, required, hint, choices=list(choices.agencies))
    if isinstance(f, fields.List):
        return Field(name, "list", label, required, hint or _("Separate several with commas"))
    if leaf == "local_government":
        return Field(name, "select", label, required, hint, choices=list(choices.local_governments))
    if (options := _one_of(f)) is not None:
        from ..vocabulary import humanise

        return Field(name, "radios", label, required, hint,
                     choices=[(o, field_label(o) if o in ("innovation", "demonstration") else humanise(o))
                              for o in options])
    if isinstance(f, fields.Date):
        return Field(name, "date", label, required, hint)
    if isinstance(f, fields.Integer):
        return Field(name, "integer", label, required, hint)
    if isinstance(f, fields.Number):
        return Field(name, "number", label, required, hint)
    if isinstance(f, fields.Boolean):
        return Field(name, "checkbox", label, required, hint)
    long = (_max_len(f) or 10_000) > LONG_TEXT
    return Field(name, "textarea" if long else "text", label, required, hint)


def posted_rows(form: MultiDict[str, str], data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with each repeating group as long as the posted form's rows (``name.N.x``),
    so a form with more rows than were saved is read in full."""
    grown = dict(data)
    for key in form:
        parts = key.split(".")
        if len(parts) >= 3 and parts[1].isdigit():
            rows = list(grown.get(parts[0]) or []) if isinstance(grown.get(parts[0]), list) else []
            while len(rows) <= int(parts[1]):
                rows.append({})
            grown[parts[0]] = rows
    return grown


def schema_fields(schema: type[Schema], names: list[str] | None, choices: Choices,
                  data: dict[str, Any]) -> list[Field]:
    declared = schema().fields
    return [_spec(n, declared[n], choices, data.get(n)) for n in (names or list(declared))
            if n in declared]


PAYLOAD_KINDS = {"text": "textarea", "line": "text", "int": "integer", "date": "date", "bool": "checkbox",
                 "agencies": "checkboxes", "datetime": "datetime"}


def payload_fields(spec: dict[str, str], choices: Choices) -> list[Field]:
    out = []
    for name, kind in spec.items():
        required = not kind.endswith("?")
        options = choices_of(kind)
        if options:
            widget, listed = "radios", [(code, choice_label(code)) for code in options]
        else:
            widget = PAYLOAD_KINDS.get(kind.rstrip("?"), "text")
            listed = list(choices.agencies) if widget == "checkboxes" else []
        out.append(Field(name, widget, field_label(name), required, FIELD_HINTS.get(name),
                         choices=listed))
    return out


def _scalar(f: Field, raw: str | None) -> Any:
    raw = (raw or "").strip() if f.kind != "textarea" else (raw or "").strip("\r\n ")
    return raw if raw else None


def parse(
    specs: list[Field], form: MultiDict[str, str], *, typed: bool = False
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The posted form as data. Empty inputs are left out (the schema then says what is
    missing). ``typed`` converts whole numbers here (action payloads take real ints)."""
    data: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for f in specs:
        value = _read(f, form, typed, errors)
        if value is not None:
            data[f.name.rsplit(".", 1)[-1]] = value
    return data, errors


def _read(f: Field, form: MultiDict[str, str], typed: bool, errors: dict[str, list[str]]) -> Any:
    if f.kind == "group":
        sub = {}
        for child in f.children:
            value = _read(child, form, typed, errors)
            if value is not None:
                sub[child.name.rsplit(".", 1)[-1]] = value
        return sub or None
    if f.kind == "repeat":
        rows = [r for r in (_read(g, form, typed, errors) for g in f.children) if r]
        return rows or None
    if f.kind == "checkboxes":
        return [v for v in form.getlist(f.name) if v] or None
    if f.kind == "checkbox":
        return form.get(f.name) == "on"
    if f.kind == "list":
        raw = _scalar(f, form.get(f.name))
        return [p.strip() for p in raw.split(",") if p.strip()] if raw else None
    value = _scalar(f, form.get(f.name))
    if value is not None and f.kind == "datetime":
        return _seoul_time(f, value, errors)
    if value is not None and typed and f.kind == "integer":
        try:
            return int(value)
        except ValueError:
            errors[f.name] = [_("Enter a whole number")]
            return None
    return value


def _seoul_time(f: Field, value: str, errors: dict[str, list[str]]) -> str | None:
    """A browser's ``datetime-local`` (no offset) read as Korean time (all times are KST)."""
    from datetime import datetime

    from ..domain.calendar import KST

    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        errors[f.name] = [_("Enter a date and time")]
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=KST)).isoformat()


_MESSAGES = {
    "Missing data for required field.": "required",
    "Field may not be null.": "required",
    "Not a valid number.": "number",
    "Not a valid integer.": "integer",
    "Not a valid date.": "date",
    "Not a valid string.": "text",
}


CHOSEN = ("radios", "select", "checkboxes")  # fields one picks in, rather than types in


def chosen_fields(specs: Any) -> frozenset[str]:
    """The names of the fields among ``specs`` (a form's Fields) that are picked, not typed:
    a missing one is asked to be chosen ("사유를 선택하세요"), not entered."""
    if not isinstance(specs, list):
        return frozenset()
    names: set[str] = set()
    for f in specs:
        if isinstance(f, Field):
            names.update({f.name} if f.kind in CHOSEN else chosen_fields(f.children))
    return frozenset(names)


def _message(name: str, message: str, chosen: frozenset[str] = frozenset()) -> str:
    # The Korean texts write both particles (%(label)s을(를)): the label decides.
    return attach(_worded(name, message, name in chosen))


def _worded(name: str, message: str, picked: bool = False) -> str:
    label = field_label(name)
    key = _MESSAGES.get(message)
    if key == "required" or message.startswith(("필수 항목", "Shorter than minimum length 1")):
        return _("Choose %(label)s", label=label) if picked else _("Enter %(label)s", label=label)
    if key in ("number", "integer"):
        return _("%(label)s must be a number", label=label)
    if key == "date":
        return _("%(label)s must be a real date", label=label)
    if asked := range_words(message):
        # The bounds as the schema has them (more than 0, at most 24 months...).
        return _("%(label)s must be %(range)s", label=label, range=asked[0] if lang() == "ko" else asked[1])
    if bounds := length_bounds(message):
        # Text only: a list's one bound (at least one item) is "required" above.
        low, high = bounds
        if high is None:
            return _("%(label)s needs at least %(low)s characters", label=label, low=low)
        if low is not None and low > 1:
            return _("%(label)s must be %(low)s to %(high)s characters", label=label, low=low, high=high)
        return _("%(label)s can be at most %(high)s characters", label=label, high=high)
    if message.startswith("Must be one of"):
        return _("Choose %(label)s", label=label)
    if " / " in message:  # the product's own, which name what they are about
        return bilingual(message)
    # Any other of marshmallow's, in the reader's language, after the field's label.
    return f"{label}: {bilingual(in_both_languages(message))}"


def error_list(errors: dict[str, list[str]], chosen: frozenset[str] = frozenset()
               ) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Per field (by input name) the first message, and the summary's (anchor, message)."""
    by_name: dict[str, str] = {}
    for key, messages in errors.items():
        name = key.removeprefix("data.")
        if name == "_schema" or not messages:
            continue
        by_name.setdefault(name, _message(name, messages[0], chosen))
    summary = [(field_id(n), m) for n, m in by_name.items()]
    return by_name, summary


def lookup(values: Any, name: str, many: bool = False) -> Any:
    """A field's current value from saved data (nested dicts/lists) or a posted form."""
    if values is None:
        return [] if many else ""
    if hasattr(values, "getlist"):
        return values.getlist(name) if many else values.get(name, "")
    current: Any = values
    for part in name.split("."):
        if isinstance(current, dict):
            current = current.get(part)
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            current = None
        if current is None:
            break
    if many:
        return current if isinstance(current, list) else []
    return "" if current is None else current
