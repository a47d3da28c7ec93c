"""Variants of one procedure (same name at several levels) are one choice in the results."""
from __future__ import annotations

import numpy as np
import pytest

from knowledge_base import index
from knowledge_base.answerability import FEATURES
from knowledge_base.retrieval import ProcedureSearch
from knowledge_base.variants import name_key, representative


def test_the_name_key_ignores_the_level_in_brackets_and_the_word_thu_tuc():
    assert (name_key("Cấp lại thẻ căn cước (thực hiện tại cấp tỉnh)")
            == name_key("Cấp lại thẻ căn cước (thực hiện tại cấp trung ương)"))
    assert name_key("Thủ tục đăng ký kết hôn") == name_key("Đăng ký kết hôn.")
    assert name_key("Cấp lại thẻ căn cước") != name_key("Cấp đổi thẻ căn cước")


def test_representative_prefers_the_commune_on_a_tie_and_follows_a_clear_lead():
    levels = [["central"], ["province"], ["commune"]]
    tie = np.array([0.80, 0.80, 0.79])
    assert representative([0, 1, 2], tie, levels) == 2
    lead = np.array([0.80, 0.60, 0.55])
    assert representative([0, 1, 2], lead, levels) == 0


def test_representative_shows_the_citizens_own_level_when_close():
    levels = [["central"], ["province"], ["commune"]]
    scores = np.array([0.80, 0.70, 0.50])
    assert representative([0, 1, 2], scores, levels, "province") == 1
    assert representative([0, 1, 2], scores, levels, "commune") == 0  # too far behind: the question said otherwise


@pytest.fixture
def id_card_index(configure_kb, tmp_path, write_record):
    folder = tmp_path / "records"
    for id, suffix, level in (("the-tw", "(thực hiện tại cấp trung ương)", "central"),
                              ("the-tinh", "(thực hiện tại cấp tỉnh)", "province"),
                              ("the-xa", "(thực hiện tại cấp xã)", "commune")):
        write_record(folder, id=id, name=f"Cấp lại thẻ nuôi ong {suffix}", aliases=[], level=[level],
                     field="Nông nghiệp")
    write_record(folder, id="dang-ky-tau-ca", name="Đăng ký tàu cá", aliases=[], field="Thủy sản")
    write_record(folder, id="cap-doi-the-ong", name="Cấp đổi thẻ nuôi ong", aliases=[], field="Nông nghiệp")
    settings = configure_kb(folder)
    index.build(settings)
    return index.load(settings)


def test_variants_take_one_place_in_the_results(id_card_index):
    hits = ProcedureSearch(id_card_index, no_answer_below=0.0).search("cấp lại thẻ nuôi ong", 5)
    ids = [h.id for h in hits]
    assert sum(i.startswith("the-") for i in ids) == 1
    assert ids[0] == "the-xa" and set(hits[0].variants) == {"the-tw", "the-tinh"}
    assert "cap-doi-the-ong" in ids


def test_the_citizens_level_chooses_the_variant_shown(id_card_index):
    search = ProcedureSearch(id_card_index, no_answer_below=0.0)
    assert search.search("cấp lại thẻ nuôi ong", 3, level="province")[0].id == "the-tinh"
    assert search.search("cấp lại thẻ nuôi ong", 3, level="central")[0].id == "the-tw"


def test_the_margin_is_over_another_procedure_not_a_variant(id_card_index):
    search = ProcedureSearch(id_card_index, no_answer_model=False)
    text = "cấp lại thẻ nuôi ong"
    scores = search.score_procedures(text)
    values = dict(zip(FEATURES, search.question_features(text, scores)))
    others = [float(scores.fused[i]) for i, pid in enumerate(id_card_index.procedure_ids) if not pid.startswith("the-")]
    assert values["margin"] == pytest.approx(values["fused"] - max(others), abs=1e-5)
    assert values["margin"] > 0
