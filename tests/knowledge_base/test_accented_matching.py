"""Words typed with diacritics are matched with them: folding must not merge 'cảm ơn' with 'cam kết… ổn'."""
from __future__ import annotations

import numpy as np
import pytest

from knowledge_base.lexical import LexicalIndex
from knowledge_base.normalize import accent_key, search_tokens

PASSAGES = [
    "Cam kết sử dụng đất ổn định",   # folds to the same syllables as "cảm ơn"
    "Khai báo tạm vắng",             # "vắng" folds like "vàng"
    "Đăng ký khai sinh",
    "Hòa giải ở cơ sở",
    "Kiểm định giá trị cảm quan của vàng trang sức, thư ơn",  # the accented words exist in the records
]


@pytest.fixture(scope="module")
def lexical() -> LexicalIndex:
    return LexicalIndex(PASSAGES)


def best(lexical: LexicalIndex, query: str) -> tuple[int, float]:
    scores, ideal, _ = lexical.score(lexical.query_terms(query))
    number = int(np.argmax(scores))
    return number, float(scores[number] / ideal) if ideal else 0.0


@pytest.mark.parametrize("a, b", [("hoà", "hòa"), ("thuỷ", "thủy"), ("ký", "kí"), ("lý", "lí"), ("uỷ", "ủy")])
def test_tone_placement_and_i_y_spellings_share_one_key(a, b):
    assert accent_key(a) == accent_key(b)


@pytest.mark.parametrize("a, b", [("cảm", "cấm"), ("vàng", "vắng"), ("giá", "gia"), ("đỏ", "độ")])
def test_words_that_fold_alike_keep_different_keys(a, b):
    assert accent_key(a) != accent_key(b)


def test_search_tokens_tell_which_words_were_typed_with_diacritics():
    assert [(f, typed) for f, _, typed in search_tokens("đăng ky cccd")] == [
        ("dang", True), ("ky", False), ("can", True), ("cuoc", True), ("cong", True), ("dan", True)]


@pytest.mark.parametrize("query", ["cảm ơn", "giá vàng hôm nay"])
def test_accented_question_does_not_match_words_that_only_fold_alike(lexical, query):
    scores, _, _ = lexical.score(lexical.query_terms(query))
    assert scores[0] == 0 and scores[1] == 0
    folded = lexical.score(lexical.query_terms("cam on" if query == "cảm ơn" else "gia vang"))[0]
    assert folded[0] > 0 or folded[1] > 0  # without diacritics the question stays lenient


def test_question_without_diacritics_still_matches_folded(lexical):
    assert best(lexical, "dang ky khai sinh")[0] == 2
    assert best(lexical, "cam ket on dinh")[0] == 0


def test_accented_question_matches_its_own_words(lexical):
    assert best(lexical, "đăng ký khai sinh")[0] == 2
    assert best(lexical, "đăng kí khai sinh")[0] == 2  # kí / ký
    assert best(lexical, "hoà giải")[0] == 3           # old-style tone placement


def test_accented_word_unknown_to_the_records_falls_back_to_the_folded_form(lexical):
    # a wrong tone or a typo typed with diacritics is not a different word the records know
    number, share = best(lexical, "đăng ký khaii sinh")  # typo: no accented key, folded form is corrected
    assert number == 2 and share > 0.9


def test_name_coverage_counts_an_accented_match_once(lexical):
    _, ideal, present = lexical.score(lexical.query_terms("Đăng ký khai sinh"))
    assert present[2] == pytest.approx(lexical.passage_ideal[2], rel=1e-5)
