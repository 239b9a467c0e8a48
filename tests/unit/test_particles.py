"""Korean particles chosen by the word before them (sandbox.domain.particles)."""

from __future__ import annotations

import pytest

from sandbox.domain.particles import attach


@pytest.mark.parametrize(("written", "read"), [
    ("경찰청이(가) 회신하지", "경찰청이 회신하지"),                 # final ㅇ
    ("개인정보보호위원회이(가) 회신하지", "개인정보보호위원회가 회신하지"),  # no final
    ("사업명을(를) 입력하세요", "사업명을 입력하세요"),
    ("면적 설명을(를) 입력하세요", "면적 설명을 입력하세요"),
    ("관계기관을(를) 선택하세요", "관계기관을 선택하세요"),
    ("보험사을(를) 입력하세요", "보험사를 입력하세요"),
    ("기간은(는) 숫자여야 합니다", "기간은 숫자여야 합니다"),
    ("보험기간 만료일은(는) 올바른 날짜여야 합니다", "보험기간 만료일은 올바른 날짜여야 합니다"),
    ("내용이(가) 너무 깁니다", "내용이 너무 깁니다"),
    ("지구과(와) 사업", "지구와 사업"),
    ("보완 요청(으)로 바뀌었습니다", "보완 요청으로 바뀌었습니다"),  # final ㅇ: 으로
    ("반려(으)로 바뀌었습니다", "반려로 바뀌었습니다"),            # no final: 로
    ("서울(으)로", "서울로"),                                     # final ㄹ: 로 (not 으로)
    ("종결 (회신 없음)(으)로", "종결 (회신 없음)로"),             # past a parenthesis: 종결
    ("면적 (km²)은(는) 숫자여야 합니다", "면적 (km²)은 숫자여야 합니다"),
    ("사과(apple)을(를)", "사과(apple)를"),
    ("「스마트도시법」이(가)", "「스마트도시법」이"),
    ("SB-2026-000013(으)로", "SB-2026-000013으로"),              # 삼: final ㅁ
    ("SB-2026-000012(으)로", "SB-2026-000012로"),                # 이: none
    ("SB-2026-000017(으)로", "SB-2026-000017로"),                # 칠: final ㄹ
])
def test_the_word_before_chooses_the_particle(written, read):
    assert attach(written) == read


@pytest.mark.parametrize("unknown", [
    "KNPA이(가) 회신", "MOLIT을(를)", "(km²)을(를)", "(으)로 시작", "x (으)로"])
def test_a_word_whose_reading_is_unknown_keeps_both_forms(unknown):
    assert attach(unknown) == unknown


def test_text_without_a_written_both_particle_is_left_alone():
    assert attach("보완할 사항: 계획(안) 보완") == "보완할 사항: 계획(안) 보완"
