"""Korean words stay whole at line ends in the PDFs (adapters.pdf.keep_korean_words)."""

from __future__ import annotations

from sandbox.adapters.pdf import LONGEST_KEPT_WORD, keep_korean_words

KEPT = '<span style="white-space:nowrap">{}</span>'


def test_each_korean_word_is_kept_on_one_line():
    html = "<p>심의·의결을 거쳐 아래 사업계획을 <b>승인</b>합니다.</p>"
    assert keep_korean_words(html) == (
        "<p>" + " ".join(KEPT.format(w) for w in ("심의·의결을", "거쳐", "아래", "사업계획을"))
        + " <b>" + KEPT.format("승인") + "</b>" + KEPT.format("합니다.") + "</p>"
    )


def test_tags_attributes_style_sheets_and_latin_text_are_left_alone():
    html = ('<style>.en::before { content: "영문"; }</style>'
            '<td title="제목 속성">SB-2026-000042 &amp; Ministry</td>')
    assert keep_korean_words(html) == html


def test_a_run_too_long_for_a_cell_may_still_break():
    long_name = "가" * (LONGEST_KEPT_WORD + 1)
    assert keep_korean_words(f"<td>{long_name}</td>") == f"<td>{long_name}</td>"
    fits = "나" * LONGEST_KEPT_WORD
    assert keep_korean_words(f"<td>{fits}</td>") == f"<td>{KEPT.format(fits)}</td>"
