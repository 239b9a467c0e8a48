"""The engine's refusals (409 and the like) in Korean on the pages, the English kept beside.

The services speak English (or "한국어 / English"); a page in Korean shows a Korean sentence
for the common refusals and keeps the original in brackets, so nothing the engine said is
lost. A message without a pattern here is shown as it came.
"""

from __future__ import annotations

import re

from .i18n import bilingual, lang

__all__ = ["refusal"]

# (pattern on the English message, Korean sentence; groups fill {0}, {1}, …)
PATTERNS: list[tuple[re.Pattern[str], str]] = [(re.compile(p), ko) for p, ko in [
    (r"^'(\w+)' is not allowed while (\w+) is '(\w+)'", "지금 단계에서는 할 수 없는 작업입니다."),
    (r"^stale version|^the case changed meanwhile",
     "그 사이 이 건이 바뀌었습니다. 페이지를 다시 열어 확인한 뒤 다시 시도하세요."),
    (r"^file the liability insurance",
     "개시 전에 책임보험 증서(또는 보상 계획)를 제출하세요 (시행령 제57조)."),
    (r"^the exception may be extended only once",
     "특례는 한 번만 연장할 수 있습니다 (법 제51조②, 시행령 제54조)."),
    (r"^an extension must be requested by (\d{4}-\d\d-\d\d)",
     "연장 신청은 만료 2개월 전인 {0}까지만 할 수 있습니다 (시행령 제54조③)."),
    (r"^the exception has no end date to extend", "종료일이 없는 특례는 연장할 수 없습니다."),
    (r"^a law amendment must be requested by (\d{4}-\d\d-\d\d)", "법령 정비 요청은 {0}까지 해야 합니다."),
    (r"^(\d+) consultation\(s\) are neither answered nor overdue",
     "협의 {0}건이 아직 회신되지 않았고 기한도 지나지 않았습니다."),
    (r"^no consultation was opened", "열린 협의가 없습니다."),
    (r"^the reply period was already extended once", "회신 기한은 이미 한 번 연장되었습니다."),
    (r"^under the 2020 rules a plan needs a designated district",
     "2020년 제도에서는 지정된 지구(또는 함께 신청하는 지구)가 있어야 합니다."),
    (r"^its district is (\w+)", "지구가 지정될 수 없는 상태여서 이 지구로 신청할 수 없습니다."),
    (r"^the district is not designated yet", "지구가 아직 지정되지 않았습니다."),
    (r"^the resident opinion period has not ended yet", "주민 의견 수렴 기간이 아직 끝나지 않았습니다."),
    (r"^the resident opinion period has ended", "주민 의견 수렴 기간이 끝났습니다."),
    (r"^files cannot be attached while", "지금 단계에서는 파일을 첨부할 수 없습니다."),
    (r"^a case in '\w+' cannot be edited", "지금 단계에서는 신청 내용을 바꿀 수 없습니다."),
    (r"^votes are taken only while the meeting is open", "회의가 열려 있는 동안에만 표결할 수 있습니다."),
    (r"^the meeting is closed", "회의가 이미 종료되었습니다."),
    (r"^you are recused from this item", "이 안건에서 회피하였으므로 표결할 수 없습니다."),
    (r"^you have voted on this item; recusal", "이미 표결하였습니다. 회피는 표결 전에만 할 수 있습니다."),
    (r"^the case is not tabled", "위원회 상정 준비가 된 건이 아닙니다."),
    (r"^a correction period may be extended only once",
     "시정 기간은 한 번만 연장할 수 있습니다 (시행령 제55조④)."),
]]


def refusal(message: str | None) -> str:
    """The message for the reader: Korean with the English in brackets, or as it came."""
    text = "" if message is None else str(message)
    if " / " in text:
        return bilingual(text)
    if lang() != "ko":
        return text
    for pattern, ko in PATTERNS:
        found = pattern.search(text)
        if found:
            return f"{ko.format(*found.groups())} ({text})"
    return text
