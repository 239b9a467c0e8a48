"""marshmallow's per-field messages in the product's two languages, "한국어 / English".

Why here and not on marshmallow's fields: their messages are copied into each field when
a schema class is built, so overriding them globally depends on import order. The 422
answer is the one place every such message passes through (api/problems), so they are
put in both languages there, by their English wording; a message already bilingual, or
one not listed, passes unchanged. The web forms word the bounds of a range or a length
from here too (``range_words``, ``length_bounds``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

__all__ = ["in_both_languages", "bilingual_errors", "length_bounds", "range_words"]

_FIXED = {
    "Missing data for required field.": "필수 항목입니다.",
    "Field may not be null.": "값을 비워 둘 수 없습니다.",
    "Unknown field.": "알 수 없는 항목입니다.",
    "Invalid input type.": "입력 형식이 올바르지 않습니다.",
    "Not a valid string.": "문자열이 아닙니다.",
    "Not a valid integer.": "정수가 아닙니다.",
    "Not a valid number.": "숫자가 아닙니다.",
    "Not a valid boolean.": "참/거짓 값이 아닙니다.",
    "Not a valid date.": "올바른 날짜가 아닙니다.",
    "Not a valid datetime.": "올바른 일시가 아닙니다.",
    "Not a valid list.": "목록이 아닙니다.",
    "Not a valid mapping type.": "객체가 아닙니다.",
    "Not a valid email address.": "올바른 이메일 주소가 아닙니다.",
    "Not a valid URL.": "올바른 URL이 아닙니다.",
    "Not a valid UUID.": "올바른 UUID가 아닙니다.",
    "Invalid value.": "올바른 값이 아닙니다.",
}

# A bound of a Range, in marshmallow's words: "greater than or equal to 1", "less than 5".
_BOUND = r"((?:greater|less) than(?: or equal to)?) (\S+)"
_RANGE = re.compile(rf"Must be {_BOUND}(?: and {_BOUND})?\.$")
_BOUND_WORDS = {"greater than or equal to": "이상", "greater than": "초과",
                "less than or equal to": "이하", "less than": "미만"}
# The last bound ends the sentence: "…여야" after a vowel, "…이어야" after a consonant.
_MUST_BE = {"greater than or equal to": "이상이어야", "greater than": "초과여야",
            "less than or equal to": "이하여야", "less than": "미만이어야"}


def range_words(message: str) -> tuple[str, str] | None:
    """What a Range message asks, in Korean and in English: ("0 초과 10000 이하여야",
    "greater than 0 and less than or equal to 10000"); None for any other message."""
    match = _RANGE.match(message)
    if match is None:
        return None
    *before, (last_op, last_value) = [(match[i], match[i + 1]) for i in (1, 3) if match[i]]
    korean = [f"{value} {_BOUND_WORDS[op]}" for op, value in before] + [f"{last_value} {_MUST_BE[last_op]}"]
    return " ".join(korean), message.removeprefix("Must be ").removesuffix(".")


# marshmallow's Length messages.
_BETWEEN = re.compile(r"Length must be between (\d+) and (\d+)\.$")
_LONGER = re.compile(r"Longer than maximum length (\d+)\.$")
_SHORTER = re.compile(r"Shorter than minimum length (\d+)\.$")


def length_bounds(message: str) -> tuple[int | None, int | None] | None:
    """The bounds a Length message names, (low, high), either may be None; None for any
    other message."""
    if match := _BETWEEN.match(message):
        return int(match[1]), int(match[2])
    if match := _LONGER.match(message):
        return None, int(match[1])
    if match := _SHORTER.match(message):
        return int(match[1]), None
    return None


_PATTERNS = [
    (re.compile(r"Must be one of: (.*)\.$"), r"다음 중 하나여야 합니다: \1."),
    (_LONGER, r"최대 \1자까지 입력할 수 있습니다."),
    (_SHORTER, r"최소 \1자 이상이어야 합니다."),
    (_BETWEEN, r"길이는 \1 이상 \2 이하여야 합니다."),
    (re.compile(r"Length must be (\d+)\.$"), r"길이는 \1이어야 합니다."),
]


def in_both_languages(message: str) -> str:
    """``message`` as "한국어 / English" when it is one of marshmallow's."""
    if " / " in message:
        return message
    korean = _FIXED.get(message)
    if korean is None and (asked := range_words(message)):
        korean = f"{asked[0]} 합니다."
    if korean is None:
        for pattern, template in _PATTERNS:
            if pattern.match(message):
                korean = pattern.sub(template, message)
                break
    return f"{korean} / {message}" if korean else message


def bilingual_errors(errors: Mapping[str, list[str]]) -> dict[str, list[str]]:
    return {field: [in_both_languages(str(m)) for m in messages] for field, messages in errors.items()}
