"""Korean first: every page text has its Korean translation, and the compiled catalogue
(.mo, what the app reads) says what the source (.po) says.

To change texts: ``pybabel extract -F babel.cfg -k _l -o translations/messages.pot .``,
``pybabel update -i translations/messages.pot -d translations``, translate, then
``pybabel compile -d translations``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

KO = Path(__file__).resolve().parents[2] / "translations" / "ko" / "LC_MESSAGES"


def test_every_message_has_a_korean_translation():
    with open(KO / "messages.po", "rb") as f:
        catalog = read_po(f)
    untranslated = [m.id for m in catalog if m.id and (not m.string or m.fuzzy)]
    assert not untranslated, untranslated


def _entries(catalog: Any) -> dict[Any, Any]:
    # A plural message's id and strings are sequences (singular, plural, ...).
    def key(value: Any) -> Any:
        return value if isinstance(value, str) else tuple(value)

    return {key(m.id): key(m.string) for m in catalog if m.id}


def test_the_compiled_catalogue_matches_its_source():
    with open(KO / "messages.po", "rb") as f:
        source = _entries(read_po(f))
    with open(KO / "messages.mo", "rb") as f:
        compiled = _entries(read_mo(f))
    assert compiled == source, "run: pybabel compile -d translations"


def test_mails_get_labels_in_both_languages_outside_any_request():
    from sandbox.vocabulary import deadline_words, field_words

    assert field_words("items") == ("보완할 사항", "What must be supplemented")
    assert field_words("operator.name")[1] == "Operator's name (company or person)"
    assert deadline_words("reply_due") == ("기관 회신 기한", "Agency reply due")
    assert field_words("no_such_field") == ("No such field", "No such field")


def test_every_action_of_every_definition_has_a_label():
    """A case's history names each move in words, the timers' own moves included; a
    trigger without a label would show as its code ("Flag local review overdue")."""
    from sandbox.engine.definitions import load_registry
    from sandbox.vocabulary import ACTIONS

    registry = load_registry(Path(__file__).resolve().parents[2] / "workflows")
    triggers = {trigger for d in registry.all() for trigger in d.triggers}
    assert triggers and not sorted(triggers - set(ACTIONS))
