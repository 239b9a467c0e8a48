"""Korean particles that follow the word before them: 이/가, 을/를, 은/는, 과/와, (으)로.

Texts name things only known when they are written (a state, an agency, a form's field),
and Korean picks the particle by the sound the word ends with: 경찰청이, 위원회가; 보완
요청으로, 반려로. Templates write both forms, ``이(가)``, as Korean forms do when they
cannot know; ``attach`` then keeps the one the word takes. A word ending in neither a
Hangul syllable nor a digit (a code in Latin letters) keeps both forms: its reading is not
known.
"""

from __future__ import annotations

import re

__all__ = ["attach"]

_HANGUL_FIRST, _HANGUL_LAST = 0xAC00, 0xD7A3
_FINALS = 28  # final consonants (and none) per syllable block
_RIEUL = 8  # ㄹ as a final consonant: (으)로 takes 로 after it
# The final consonant of each digit's reading (영 일 이 삼 사 오 육 칠 팔 구): 0 is none.
_DIGIT_FINAL = {"0": 21, "1": 8, "2": 0, "3": 16, "4": 0, "5": 0, "6": 1, "7": 8, "8": 8, "9": 0}

# Written-both form -> (after a final consonant, after none).
_PAIRS = {"이(가)": ("이", "가"), "을(를)": ("을", "를"), "은(는)": ("은", "는"),
          "과(와)": ("과", "와"), "와(과)": ("과", "와"), "(으)로": ("으로", "로")}
_WRITTEN_BOTH = re.compile("|".join(re.escape(p) for p in _PAIRS))
_QUOTES_CLOSING = "」』’”'\"]"


def _final(char: str) -> int | None:
    """The final consonant's index of a syllable or digit (0 = none), or None if unknown."""
    code = ord(char)
    if _HANGUL_FIRST <= code <= _HANGUL_LAST:
        return (code - _HANGUL_FIRST) % _FINALS
    return _DIGIT_FINAL.get(char)


def _sounding(text: str, at: int) -> str | None:
    """The character whose sound the particle at ``at`` follows: the word's last, read
    through closing quotes (「법」이), and past a parenthesis, which the particle does not
    follow (면적(km²)은: the National Institute of Korean Language's rule)."""
    i = at - 1
    while i >= 0:
        char = text[i]
        if char == ")":
            depth = 0
            while i >= 0:
                depth += (text[i] == ")") - (text[i] == "(")
                if depth == 0:
                    break
                i -= 1
            i -= 1
            while i >= 0 and text[i] == " ":
                i -= 1
            continue
        if char in _QUOTES_CLOSING:
            i -= 1
            continue
        return char if not char.isspace() else None
    return None


def _choose(match: re.Match[str]) -> str:
    both = match.group(0)
    char = _sounding(match.string, match.start())
    final = _final(char) if char else None
    if final is None:
        return both
    with_final, without = _PAIRS[both]
    if both == "(으)로":
        return with_final if final not in (0, _RIEUL) else without
    return with_final if final else without


def attach(text: str) -> str:
    """``text`` with each written-both particle resolved by the word before it."""
    if "(" not in text:
        return text
    return _WRITTEN_BOTH.sub(_choose, text)
