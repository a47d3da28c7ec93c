"""Hybrid procedure search over the curated records (hashing encoder, so fast and deterministic)."""
from __future__ import annotations

import numpy as np
import pytest

from knowledge_base.aspects import asked_aspect
from knowledge_base.lexical import LexicalIndex
from knowledge_base.normalize import strip_diacritics
from knowledge_base.retrieval import Hit, InvalidQuery, ProcedureSearch


def top_ids(searcher: ProcedureSearch, question, k: int = 5) -> list[str]:
    return [hit.id for hit in searcher.search(question, k)]


def test_every_procedure_name_finds_its_procedure_first(curated_search, curated_index):
    misses = {}
    for procedure in curated_index.procedures.values():
        for question in (procedure.name, strip_diacritics(procedure.name).lower()):
            ids = top_ids(curated_search, question)
            if ids[:1] != [procedure.id]:
                misses[question] = ids[:3]
    assert misses == {}


@pytest.mark.parametrize(
    "question, expected",
    [
        ("làm giấy khai sinh", "dang-ky-khai-sinh"),
        ("lam giay khai sinh", "dang-ky-khai-sinh"),
        ("làm căn cước", "cap-the-can-cuoc"),
        ("làm cccd", "cap-the-can-cuoc"),
        ("đổi bằng lái xe", "doi-giay-phep-lai-xe"),
        ("doi gplx", "doi-giay-phep-lai-xe"),
        ("dk tam tru", "dang-ky-tam-tru"),
        ("làm sổ đỏ", "cap-giay-chung-nhan-lan-dau"),
        ("lam so do", "cap-giay-chung-nhan-lan-dau"),
        ("xin giay phep xay dung", "giay-phep-xay-dung-nha-o"),
        ("đăng ký xe máy", "dang-ky-xe"),
        ("dang ky xe may", "dang-ky-xe"),
        ("trợ cấp thất nghiệp", "huong-tro-cap-that-nghiep"),
    ],
)
def test_everyday_phrasing_finds_the_procedure_first(curated_search, question, expected):
    assert top_ids(curated_search, question)[:1] == [expected]


@pytest.mark.parametrize(
    "question, expected",
    [
        ("cấp hộ chiếi", "cap-ho-chieu"),
        ("cap ho chiue", "cap-ho-chieu"),
        ("đăng ký kết hôm", "dang-ky-ket-hon"),
        ("dang ky khai sinnh", "dang-ky-khai-sinh"),
        ("trợ cấp thất nghiẹp", "huong-tro-cap-that-nghiep"),
        ("thành lập doanh ngiệp", "thanh-lap-doanh-nghiep"),
        ("ly lich tu phao", "cap-phieu-ly-lich-tu-phap"),
        # three-letter and real-word typos, corrected by the words around them
        ("đăg ký khia sinh cho con", "dang-ky-khai-sinh"),
        ("dang ky ket hom", "dang-ky-ket-hon"),
    ],
)
def test_one_letter_typo_still_finds_the_procedure(curated_search, question, expected):
    assert top_ids(curated_search, question)[:1] == [expected]


@pytest.mark.parametrize("typed, known", [("thuomg", "thuong"), ("nghiẹp", "nghiep"), ("chieeu", "chieu")])
def test_lexical_index_corrects_a_one_edit_typo_to_a_known_word(curated_index, typed, known):
    assert curated_index.lexical.correct(strip_diacritics(typed)) == known


CONTEXT_PASSAGES = ["Đăng ký khai sinh cho trẻ em"] * 3 + ["Đăng ký kết hôn"] * 3 + [
    "Khía cạnh pháp lý của hợp đồng", "Cửa hàng bán lẻ rượu", "Cửa hàng xăng dầu", "Cửa hàng thuốc"]


def test_words_that_fit_no_pair_are_corrected_by_their_neighbours():
    lexical = LexicalIndex(CONTEXT_PASSAGES)
    # dag: three letters, unknown; khia: known (khía cạnh) but rare and in no pair with ký or sinh
    assert lexical.corrected(["dag", "ky", "khia", "sinh"]) == ["dang", "ky", "khai", "sinh"]
    assert lexical.corrected(["khia", "canh"]) == ["khia", "canh"]  # a rare word in its own pair stays
    assert lexical.corrected(["dang", "ky", "ket", "hon"]) == ["dang", "ky", "ket", "hon"]
    assert lexical.corrected(["dag"]) == ["dag"]  # no neighbour to tell dang from dan, dao…
    assert lexical.corrected(["dag", "xyz"]) == ["dag", "xyz"]  # a correction must form a known pair


def test_a_last_letter_doubled_in_chat_style_is_dropped():
    lexical = LexicalIndex(CONTEXT_PASSAGES + ["Có giấy chứng nhận"] * 3)
    # "cóo" is one edit from cho and con too; without the doubled letter it is the word the records know
    assert lexical.corrected(["coo", "giay"]) == ["co", "giay"]
    assert lexical.corrected(["dang", "kyy", "khai", "sinhh"]) == ["dang", "ky", "khai", "sinh"]
    assert lexical.corrected(["hoo"]) == ["hoo"]  # "ho" is not in these records: nothing to fall back to


def test_english_words_are_not_taken_for_vietnamese_typos():
    lexical = LexicalIndex(CONTEXT_PASSAGES)
    assert "dang" in lexical.query_terms("dag ky") and "dag" in lexical.query_terms("dag ky", vietnamese=False)
    # "usa hang" would become cua_hang in a Vietnamese question, not in an English one
    assert "usa_hang" in lexical.query_terms("visa to the usa hang for my wife")
    assert "cua_hang" in lexical.query_terms("usa hang", vietnamese=True)


def test_hit_as_json_has_exactly_the_contract_keys(curated_search):
    hit = curated_search.search("đăng ký kết hôn", 5)[0]
    data = hit.as_json()
    assert set(data) == {"id", "name", "score", "aspect"}
    assert data["id"] == "dang-ky-ket-hon" and data["name"] == "Đăng ký kết hôn"
    assert isinstance(data["score"], float) and 0 < data["score"] <= 1
    assert isinstance(data["aspect"], str)


def test_results_are_best_first_with_at_most_k_and_no_procedure_twice(curated_search):
    for question in ("đăng ký", "đăng ký hộ kinh doanh", "cấp giấy chứng nhận", "chứng thực", "thẻ căn cước"):
        for k in (1, 3, 10):
            hits = curated_search.search(question, k)
            ids = [h.id for h in hits]
            assert len(ids) == len(set(ids)) <= k, question
            assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


# --- which aspect the question asks about ------------------------------------------------------------

@pytest.mark.parametrize(
    "question, aspect",
    [
        ("làm hộ chiếu hết bao nhiêu tiền", "fee"),
        ("lệ phí cấp hộ chiếu", "fee"),
        ("le phi ho chieu", "fee"),
        ("cấp căn cước mất bao lâu", "time"),
        ("lam can cuoc mat may ngay", "time"),
        ("đăng ký kết hôn cần giấy tờ gì", "documents"),
        ("cần mang theo gì khi đăng ký khai sinh", "documents"),
        ("làm hộ chiếu ở đâu", "where"),
        ("dang ky thuong tru o dau", "where"),
        ("dang ky tam tru online duoc khong", "online"),
        ("đăng ký khai sinh trực tuyến", "online"),
    ],
)
def test_hits_carry_the_aspect_the_question_asks_about(curated_search, question, aspect):
    assert asked_aspect(question) == aspect
    hits = curated_search.search(question, 3)
    assert hits and hits[0].aspect == aspect


def test_general_question_gets_the_best_matching_passage_aspect(curated_search):
    assert asked_aspect("đăng ký kết hôn") is None
    assert curated_search.search("đăng ký kết hôn", 1)[0].aspect == "overview"


def test_procedure_name_containing_a_cue_word_does_not_decide_the_aspect():
    assert asked_aspect("hỗ trợ chi phí mai táng cần những giấy tờ gì") == "documents"


def test_what_it_takes_is_a_documents_question():
    assert asked_aspect("xin giấy phép xây nhà ở riêng lẻ cần những gì") == "documents"
    assert asked_aspect("dang ky ket hon phai nop nhung gi") == "documents"
    assert asked_aspect("thủ tục gồm những bước nào") == "steps"


def test_where_to_file_the_dossier_is_a_where_question():
    assert asked_aspect("nộp hồ sơ đăng ký kết hôn ở đâu") == "where"


@pytest.mark.parametrize("question, aspect", [
    ("phí thế nào", "fee"), ("hồ sơ thì ra sao", "documents"), ("lệ phí thì như thế nào", "fee"),  # not steps
    ("thủ tục thế nào", "steps"), ("làm thế nào", "steps"),
    ("bao lâu thì xong", "time"), ("bao giờ thì có", "time"), ("khi nào lấy được", "time"), ("mấy hôm", "time"),
    ("đi đâu để làm", "where"), ("nộp cho ai", "where"),
])
def test_everyday_follow_ups_ask_for_their_part(question, aspect):
    assert asked_aspect(question) == aspect


# --- questions the knowledge base cannot or must not answer ------------------------------------------

def results_or_invalid(searcher: ProcedureSearch, question) -> list[Hit]:
    """The hits, or [] when the question is refused as invalid; any other exception fails the test."""
    try:
        return searcher.search(question, 5)
    except InvalidQuery as error:
        assert str(error)  # a message that can be shown to a person
        return []


@pytest.mark.parametrize(
    "question",
    [
        pytest.param("", id="empty"),
        pytest.param("   \t\n ", id="whitespace"),
        pytest.param("làm hộ chiếu " * 8000, id="100k-characters"),
        pytest.param("😀🎉👍🏽🇻🇳", id="emoji"),
        pytest.param("<script>alert(1)</script>", id="script-tag"),
        pytest.param("办理护照需要什么", id="chinese"),
        pytest.param("как получить паспорт", id="russian"),
        pytest.param("كيف أحصل على جواز سفر", id="arabic"),
        pytest.param("办理 паспорт جواز", id="mixed-scripts"),
        pytest.param(b"\xff\xfe\xfa invalid", id="invalid-utf8-bytes"),
        pytest.param("\x00\x01\x1b[31m\x7f", id="control-characters"),
        pytest.param("...!!!???", id="punctuation"),
        pytest.param(None, id="none"),
        pytest.param(12345, id="number"),
        pytest.param("công thức nấu phở bò", id="out-of-scope-cooking"),
        pytest.param("giá vàng hôm nay", id="out-of-scope-gold-price"),
        pytest.param("thời tiết hà nội ngày mai", id="out-of-scope-weather"),
    ],
)
def test_bad_or_out_of_scope_question_gives_no_procedure_and_no_crash(curated_search, question):
    assert results_or_invalid(curated_search, question) == []


def test_keycap_emoji_question_gives_no_procedure(curated_search):
    assert results_or_invalid(curated_search, "1️⃣") == []


@pytest.mark.parametrize("question", ["", "   ", "😀", "x" * 100_000, b"\xc3\x28"])
def test_unsearchable_question_raises_invalid_query(curated_search, question):
    with pytest.raises(InvalidQuery):
        curated_search.search(question, 5)


def test_invalid_query_is_a_value_error_for_callers_that_catch_broadly():
    assert issubclass(InvalidQuery, ValueError)


def test_markup_and_foreign_words_around_a_real_question_are_ignored(curated_search):
    assert top_ids(curated_search, "<b>làm hộ chiếu</b>")[:1] == ["cap-ho-chieu"]
    assert top_ids(curated_search, "làm hộ chiếu 护照")[:1] == ["cap-ho-chieu"]
    assert top_ids(curated_search, "đăng ký \udcff kết hôn")[:1] == ["dang-ky-ket-hon"]  # undecodable argv byte


def test_utf8_bytes_are_accepted_as_a_question(curated_search):
    assert top_ids(curated_search, "đăng ký kết hôn".encode())[:1] == ["dang-ky-ket-hon"]


# --- one retriever at a time ---------------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["lexical", "dense"])
def test_single_retriever_modes_find_every_procedure_by_name(curated_index, mode):
    searcher = ProcedureSearch(curated_index, use_lexical=mode == "lexical", use_dense=mode == "dense")
    misses = {p.name: top_ids(searcher, p.name)[:3] for p in curated_index.procedures.values()
              if top_ids(searcher, p.name)[:1] != [p.id]}
    assert misses == {}


def test_lexical_only_mode_uses_no_dense_evidence(curated_index):
    hits = ProcedureSearch(curated_index, use_dense=False).search("đổi bằng lái xe", 3)
    assert hits[0].id == "doi-giay-phep-lai-xe"
    assert all(h.dense == 0 and h.lexical > 0 for h in hits)


def test_dense_only_mode_uses_no_lexical_evidence(curated_index):
    hits = ProcedureSearch(curated_index, use_lexical=False).search("làm căn cước", 3)
    assert hits[0].id == "cap-the-can-cuoc"
    assert all(h.lexical == 0 and h.dense > 0 for h in hits)


# --- the package-level interface -----------------------------------------------------------------------

def test_default_search_serves_from_the_configured_index(default_kb):
    hits = default_kb.default_search().search("đăng ký khai tử", 3)
    assert hits[0].id == "dang-ky-khai-tu"
    assert default_kb.get_procedure("dang-ky-khai-tu").name == "Đăng ký khai tử"
    assert default_kb.get_procedure("khong-co-thu-tuc-nay") is None


def test_warm_up_loads_the_index_once(default_kb):
    default_kb.warm_up()
    loaded = default_kb._default
    assert loaded is not None
    default_kb.warm_up()
    assert default_kb.default_search() is loaded


def test_package_level_search_function_stays_callable(default_kb):
    import knowledge_base.retrieval  # noqa: F401  what any caller of InvalidQuery/Hit does

    hits = default_kb.search("đăng ký khai tử", 3)
    assert hits[0].id == "dang-ky-khai-tu"


def test_lexical_candidates_get_their_exact_dense_evidence(curated_index, monkeypatch):
    """A procedure found by its words but outside the nearest passages is not counted 0 on the dense side."""
    from knowledge_base import retrieval, vectors

    monkeypatch.setattr(retrieval, "DENSE_CANDIDATES", 1)  # the nearest passage only
    search = ProcedureSearch(curated_index, no_answer_model=False)
    text = "đăng ký khai sinh cho con"
    scores = search.score_procedures(text)
    query = curated_index.encoder.encode_queries([text])[0]
    stored = vectors.stored_vectors(curated_index.dense)
    lexical_best = np.argsort(-scores.lexical, kind="stable")[:retrieval.LEXICAL_CANDIDATES_DENSE]
    checked = 0
    for number in lexical_best:
        rows = [r for r, p in enumerate(curated_index.dense_rows) if curated_index.passage_procedure[p] == number]
        if not rows or scores.lexical[number] <= 0:
            continue
        passages = curated_index.dense_rows[rows]
        exact = np.clip((stored[rows] @ query - retrieval.DENSE_FLOOR) / (1 - retrieval.DENSE_FLOOR), 0, 1)
        expected = float((exact * search._aspect_weight[passages]).max())
        assert scores.dense[number] == pytest.approx(expected, abs=1e-5)
        checked += 1
    assert checked >= 5


def test_the_passages_holding_a_word_are_those_of_its_posting_list(curated_index):
    lexical = curated_index.lexical
    rng = np.random.default_rng(0)
    passages = np.sort(rng.choice(lexical.matrix.shape[0], 200, replace=False))
    for term in ("khai", "sinh", "dang_ky", "can_cuoc"):
        j = lexical.vocab[term]
        expected = np.isin(passages, lexical.passages_with(term))
        assert expected.any() and lexical.holding(j, passages).tolist() == expected.tolist(), term


def test_an_index_pickled_with_unsorted_passage_lists_looks_words_up_right_after_loading(curated_index):
    import pickle

    lexical = pickle.loads(pickle.dumps(curated_index.lexical))
    j = lexical.vocab["khai"]
    start, end = lexical.matrix.indptr[j], lexical.matrix.indptr[j + 1]
    lexical.matrix.indices[start:end] = lexical.matrix.indices[start:end][::-1].copy()  # as an older build may hold
    lexical.matrix.data[start:end] = lexical.matrix.data[start:end][::-1].copy()
    lexical.matrix.has_sorted_indices = False
    loaded = pickle.loads(pickle.dumps(lexical))
    passages = np.arange(loaded.matrix.shape[0])
    assert loaded.holding(j, passages).tolist() == np.isin(passages, lexical.passages_with("khai")).tolist()
