"""Korean first, English available (Flask-Babel), and dates the Korean way.

The language is the visitor's choice kept in the session (``/language/<code>``), Korean
by default. Process, state and label texts of the definitions carry both languages
already; template texts are gettext messages in ``translations/``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Flask, redirect, request, session
from flask_babel import Babel, get_locale

from ..domain.calendar import KST
from ..vocabulary import TRANSLATIONS

__all__ = ["init", "lang", "LANGUAGES", "format_day", "format_time", "bilingual", "bp"]

LANGUAGES = ("ko", "en")
_WEEKDAYS_KO = "월화수목금토일"
_WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

bp = Blueprint("i18n", __name__)


def _select() -> str:
    chosen = session.get("lang")
    return chosen if chosen in LANGUAGES else "ko"


def lang() -> str:
    return str(get_locale() or "ko")


def _day(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
        except ValueError:
            return None
    if isinstance(value, datetime):
        return value.astimezone(KST).date() if value.tzinfo else value.date()
    return value  # type: ignore[no-any-return]


def format_day(value: Any) -> str:
    """2026년 10월 12일 (월) / 12 Oct 2026 (Mon)."""
    d = _day(value)
    if d is None:
        return "—" if value in (None, "") else str(value)
    if lang() == "ko":
        return f"{d.year}년 {d.month}월 {d.day}일 ({_WEEKDAYS_KO[d.weekday()]})"
    return f"{d.day} {_MONTHS_EN[d.month - 1]} {d.year} ({_WEEKDAYS_EN[d.weekday()]})"


def format_time(value: Any) -> str:
    """A moment in Korean time: 2026년 10월 13일 (화) 00:00."""
    local = _moment(value)
    if local is None:
        return value if isinstance(value, str) else "—"
    return f"{format_day(local.date())} {local:%H:%M}"


def format_window(start: Any, end: Any) -> str:
    """A meeting's window; within one Korean day the day is written once:
    2026년 9월 18일 (금) 14:00–17:00."""
    first, last = _moment(start), _moment(end)
    if first is not None and last is not None and first.date() == last.date():
        return f"{format_time(first)}–{last:%H:%M}"
    return f"{format_time(start)} – {format_time(end)}"


def _moment(value: Any) -> datetime | None:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if not isinstance(value, datetime):
        return None
    return value.astimezone(KST) if value.tzinfo else value


def last_day(value: Any) -> date | None:
    """The last day of a deadline stored as the instant it runs out (00:00 KST after it)."""
    if isinstance(value, str) and "T" in value:
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if isinstance(value, datetime):
        local = value.astimezone(KST)
        if (local.hour, local.minute, local.second) == (0, 0, 0):
            return local.date() - timedelta(days=1)
        return local.date()
    return _day(value)


def format_due(value: Any) -> str:
    return format_day(last_day(value))


def bilingual(text: Any) -> str:
    """The product's own messages read "한국어 / English": keep the reader's half."""
    if not isinstance(text, str) or " / " not in text:
        return "" if text is None else str(text)
    ko, _, en = text.partition(" / ")
    return ko if lang() == "ko" else en


def localized(mapping: Any, fallback: str = "") -> str:
    """A ``{ko:…, en:…}`` label from a definition."""
    if isinstance(mapping, dict):
        return str(mapping.get(lang()) or mapping.get("ko") or fallback)
    return fallback


def _safe_next(target: str | None) -> str:
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def return_path() -> str:
    """Where the language switch comes back to: this page, or, when this page answers a
    form's POST (a form shown again with its errors), the page the form was on - a GET of
    a POST-only address would be a 405."""
    if request.method == "GET":
        return request.full_path.rstrip("?")
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc and referrer.netloc != request.host:
        return "/"
    return _safe_next(referrer.path + (f"?{referrer.query}" if referrer.query else ""))


@bp.route("/language/<code>")
def switch(code: str) -> Any:
    if code in LANGUAGES:
        session["lang"] = code
    return redirect(_safe_next(request.args.get("next")))


def init(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "ko")
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Asia/Seoul")
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS)
    Babel(app, locale_selector=_select)
    app.register_blueprint(bp)
    app.jinja_env.filters.update(
        day=format_day, time=format_time, window=format_window, due=format_due, bi=bilingual, loc=localized,
        thousands="{:,}".format)  # 4,003건: counts and sums in won
    from .. import vocabulary as labels  # the pages' words
    from .forms import lookup

    app.jinja_env.globals.update(
        lang=lang, LANGUAGES=LANGUAGES, return_path=return_path, value_of=lookup,
        field_label=labels.field_label,
        action_label=labels.action_label, deadline_label=labels.deadline_label,
        position_label=lambda p: labels.POSITIONS.get(p, labels.humanise(p or "")),
        role_label=lambda r: labels.ROLE_LABELS.get(r, labels.humanise(r)),
        process_title=lambda p: labels.process_title(app.extensions["sandbox"].engine, p, lang()),
        state_label=lambda p, s: labels.state_label(app.extensions["sandbox"].engine, p, s, lang()),
    )
    app.jinja_env.add_extension("jinja2.ext.i18n")
