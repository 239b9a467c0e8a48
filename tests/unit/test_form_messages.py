"""How the web forms word marshmallow's messages: the field's label, the bounds the schema
set, in the reader's language (web/forms, domain/field_messages)."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask_babel import Babel

from sandbox.web.forms import _message

CASES = [
    # (field, marshmallow's or the product's message, Korean page, English page)
    ("area_km2", "Must be greater than 0 and less than or equal to 10000.",
     "면적 (km²)은 0 초과 10000 이하여야 합니다",
     "Area in km² must be greater than 0 and less than or equal to 10000"),
    ("name", "Length must be between 1 and 200.",
     "지구 명칭은 200자 이하로 입력하세요", "District name can be at most 200 characters"),
    ("name", "Length must be between 3 and 200.",
     "지구 명칭은 3~200자로 입력하세요", "District name must be 3 to 200 characters"),
    ("name", "Shorter than minimum length 3.",
     "지구 명칭은 3자 이상 입력하세요", "District name needs at least 3 characters"),
    ("name", "Not a valid list.", "지구 명칭: 목록이 아닙니다.", "District name: Not a valid list."),
    # The product's own messages name their field already: no label in front.
    ("designation_end", "지정 종료일은 오늘 이후여야 합니다. / Must be a day after today.",
     "지정 종료일은 오늘 이후여야 합니다.", "Must be a day after today."),
]


@pytest.fixture()
def app() -> Flask:
    app = Flask(__name__)
    translations = Path(__file__).resolve().parents[2] / "translations"
    Babel(app, locale_selector=lambda: app.config["LANG"],
          default_translation_directories=str(translations))
    return app


@pytest.mark.parametrize(("name", "message", "korean", "english"), CASES)
def test_a_message_is_worded_for_its_field(app, monkeypatch, name, message, korean, english):
    import sandbox.web.forms as forms

    for lang, expected in (("ko", korean), ("en", english)):
        app.config["LANG"] = lang
        monkeypatch.setattr(forms, "lang", lambda lang=lang: lang)
        monkeypatch.setattr("sandbox.web.i18n.lang", lambda lang=lang: lang)
        with app.test_request_context("/"):
            assert _message(name, message) == expected
