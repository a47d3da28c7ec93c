"""Questions no procedure answers, as evidence for the no-answer model (knowledge_base/out_of_scope.py)."""
from __future__ import annotations

import pytest

from knowledge_base import index
from knowledge_base.example_questions import load_questions as load_example_questions
from knowledge_base.normalize import folded_text
from knowledge_base.out_of_scope import (
    DECLINE_BELOW, DECLINE_FROM, MAX_QUESTION_CHARS, PHRASE_BELOW, SURE_FROM, SURE_MARGIN, OutOfScopeQuestions,
    OutOfScopeQuestionsError, declined_by, load_questions, questions_hash,
)
from knowledge_base.retrieval import ProcedureSearch
from tests.knowledge_base.conftest import kb_environment

DECLINED = ("giá vàng hôm nay bao nhiêu", "vượt đèn đỏ xe máy bị phạt bao nhiêu tiền", "who made you")


def test_the_file_is_read_topic_by_topic_in_order_without_repeats(tmp_path):
    path = tmp_path / "out_of_scope_questions.yml"
    path.write_text("- topic: shopping\n  questions:\n    - giá vàng  hôm nay\n    - \"mua iphone, trả góp\"\n"
                    "- topic: chit-chat\n  questions:\n    - who made you\n    - giá vàng hôm nay\n", encoding="utf-8")
    assert load_questions(path) == ("giá vàng hôm nay", "mua iphone, trả góp", "who made you")
    assert load_questions(tmp_path / "absent.yml") == ()


@pytest.mark.parametrize("content, where", [
    ("shopping: [a]\n", "expected a list of topics"),
    ("- topic: shopping\n", "topic shopping: expected `topic` and `questions`"),
    ("- questions: [a]\n", "topic 1: expected"),
    ("- topic: shopping\n  questions: [a, '']\n", "topic shopping"),
    ("- topic: shopping\n  questions: [3]\n", "topic shopping"),
    (f"- topic: shopping\n  questions: [{'a' * (MAX_QUESTION_CHARS + 1)}]\n", f"at most {MAX_QUESTION_CHARS}"),
    ("- topic: [a\n", "out_of_scope_questions.yml"),
])
def test_a_broken_file_names_the_file_and_the_topic(tmp_path, content, where):
    path = tmp_path / "out_of_scope_questions.yml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(OutOfScopeQuestionsError, match="out_of_scope_questions.yml") as error:
        load_questions(path)
    assert where in str(error.value)


def test_the_hash_follows_every_question():
    assert questions_hash(DECLINED) == questions_hash(tuple(DECLINED))
    assert questions_hash(DECLINED) != questions_hash(DECLINED[:2])


EXAMPLES = ["làm giấy khai sinh cho con ở đâu", "đăng ký khai tử cho bố mất bao lâu"]


def test_the_closest_question_of_either_kind_is_found_on_one_scale():
    questions = OutOfScopeQuestions.build(DECLINED, EXAMPLES)
    declined, asked = questions.closest("gia vang hom nay bao nhieu")
    assert declined > 0.9 and asked < 0.3  # (BM25 credits a longer question's words a little less)
    declined, asked = questions.closest("lam giay khai sinh cho con o dau")
    assert asked > 0.9 and declined < 0.3
    # part of a question covers part of the other: less than the whole, both ways
    assert 0.3 < questions.closest("giá vàng")[0] < 0.9


def test_a_question_asked_like_one_no_procedure_answers_is_declined():
    questions = OutOfScopeQuestions.build(DECLINED, EXAMPLES)
    assert questions.declines("giá vàng hôm nay bao nhiêu vậy ad")
    assert questions.declines("vuot den do xe may phat bao nhieu")
    assert not questions.declines("làm giấy khai sinh cho con ở đâu ạ")
    assert not questions.declines("đăng ký khai tử")
    assert not questions.declines("xin chào")  # nothing close enough either way


def test_a_question_the_no_answer_model_is_sure_of_is_declined_only_when_asked_plainly_like_one_of_these():
    questions = OutOfScopeQuestions.build(DECLINED, EXAMPLES)
    # "giá vàng cho bố bao lâu": closer to the gold price (0.5) than to any example question (0.21)
    declined, asked = questions.closest("giá vàng cho bố bao lâu")
    assert declined > SURE_FROM and declined - asked > SURE_MARGIN
    assert questions.declines("giá vàng cho bố bao lâu", probability=0.99)
    # "xe máy bị phạt khai sinh ở đâu" is closer to the red light's fine (0.47 against 0.41), but not plainly
    declined, asked = questions.closest("xe máy bị phạt khai sinh ở đâu")
    assert DECLINE_FROM < declined <= SURE_FROM or 0 < declined - asked <= SURE_MARGIN
    assert questions.declines("xe máy bị phạt khai sinh ở đâu", probability=DECLINE_BELOW - 0.01)
    assert not questions.declines("xe máy bị phạt khai sinh ở đâu", probability=DECLINE_BELOW)
    # still asked like it: a question declined for another reason gets no "did you mean" (actions/fallback.py)
    assert questions.asked_like("xe máy bị phạt khai sinh ở đâu")
    assert not questions.asked_like("làm giấy khai sinh cho con ở đâu ạ")


@pytest.mark.parametrize("declined, asked, probability, expected", [
    (SURE_FROM + 0.01, SURE_FROM - SURE_MARGIN - 0.01, 1.0, True),  # plainly asked like one: whatever the model
    (SURE_FROM, 0.0, DECLINE_BELOW, False),  # not close enough for that, and the model is sure
    (SURE_FROM, 0.0, DECLINE_BELOW - 0.01, True),  # close enough while the model is unsure
    (0.9, 0.9 - SURE_MARGIN + 0.01, DECLINE_BELOW, False),  # not closer by enough for that
    (0.9, 0.9 - SURE_MARGIN + 0.01, None, True),  # closer, and no model
    (DECLINE_FROM, 0.0, None, False),  # not close in itself
    (0.5, 0.5, None, False),  # as close to a question citizens ask for a procedure
])
def test_the_rule_on_closeness_and_probability(declined, asked, probability, expected):
    assert declined_by(declined, asked, probability) is expected


@pytest.mark.parametrize("probability, expected", [
    (min(PHRASE_BELOW, 1.0) - 0.01, True),  # a phrase of what no procedure answers, the model below its bar
    (None, PHRASE_BELOW > 1.0),  # without the model: only if the bar says "whatever the model says"
])
def test_a_phrase_of_what_no_procedure_answers_declines_with_the_model_below_its_bar(probability, expected):
    # far from every declined question, as close to one citizens ask for a procedure
    assert declined_by(0.0, 0.5, probability) is False
    assert declined_by(0.0, 0.5, probability, phrased=True) is expected


def test_without_questions_or_without_example_questions_nothing_is_declined():
    """Beside an index without example questions there is nothing to compare with."""
    for questions in (OutOfScopeQuestions.build((), EXAMPLES), OutOfScopeQuestions.build(DECLINED, [])):
        assert questions.closest("giá vàng hôm nay bao nhiêu") == (0.0, 0.0)
        assert not questions.declines("giá vàng hôm nay bao nhiêu")


def test_a_word_the_questions_do_not_know_is_not_read_as_a_typo_of_one_they_do():
    """"sinh" is not "xinh": the records' words are not these few questions' words."""
    questions = OutOfScopeQuestions.build(("em xinh lắm",), ["đăng ký kết hôn"])
    assert questions.closest("sinh")[0] == 0.0


def test_the_project_file_holds_questions_no_example_question_repeats():
    declined = load_questions()
    assert len(declined) >= 1000
    asked = {folded_text(q) for qs in load_example_questions().values() for q in qs}
    assert not [q for q in declined if folded_text(q) in asked]


@pytest.fixture
def two_records(tmp_path, write_record, monkeypatch):
    folder = tmp_path / "records"
    write_record(folder, id="dang-ky-khai-tu", name="Đăng ký khai tử", field="Hộ tịch", level=["commune"])
    write_record(folder, id="dang-ky-tau-ca", name="Đăng ký tàu cá", field="Thủy sản", level=["province"])
    monkeypatch.setattr(index, "load_questions", lambda: {"dang-ky-khai-tu": tuple(EXAMPLES[1:])})
    return folder


def test_the_index_keeps_them_and_serves_only_the_questions_it_was_built_with(tmp_path, two_records, monkeypatch):
    monkeypatch.setattr(index, "load_out_of_scope", lambda: DECLINED)
    settings = kb_environment(monkeypatch, two_records, tmp_path / "index", KB_CALIBRATION_QUESTIONS="none")
    index.build(settings)
    built = index.load(settings)
    assert built.manifest["out_of_scope_questions"] == questions_hash(DECLINED)
    assert built.out_of_scope.texts == DECLINED
    search = ProcedureSearch(built, no_answer_below=0.0)
    assert search.search("giá vàng hôm nay bao nhiêu", 5) == []
    # the nearest procedures are still there for a "did you mean" (actions/fallback.py)
    assert search.search("giá vàng hôm nay bao nhiêu", 5, with_rejected=True)
    assert [h.id for h in search.search("đăng ký khai tử cho bố", 5)][:1] == ["dang-ky-khai-tu"]
    assert search.asked_out_of_scope("giá vàng hôm nay bao nhiêu")
    assert not search.asked_out_of_scope("đăng ký khai tử cho bố")
    assert not ProcedureSearch(built, no_answer_below=0.0, out_of_scope=False).asked_out_of_scope("giá vàng hôm nay")
    monkeypatch.setattr(index, "load_out_of_scope", lambda: DECLINED[:1])
    assert not index.is_current(settings)
    with pytest.raises(index.IndexMismatch, match="out_of_scope_questions.yml.*rebuild"):
        index.load(settings)


def test_a_procedure_named_inside_a_declined_question_is_still_answered(tmp_path, two_records, monkeypatch):
    """"Bạn nộp hồ sơ đăng ký khai tử giúp tôi được không" is declined; "Đăng ký khai tử" is the name."""
    monkeypatch.setattr(index, "load_out_of_scope", lambda: ("bạn nộp hồ sơ đăng ký khai tử giúp tôi được không",))
    settings = kb_environment(monkeypatch, two_records, tmp_path / "index", KB_CALIBRATION_QUESTIONS="none")
    index.build(settings)
    search = ProcedureSearch(index.load(settings), no_answer_below=0.0)
    assert [h.id for h in search.search("Đăng ký khai tử", 5)][:1] == ["dang-ky-khai-tu"]
    assert search.search("bạn nộp hồ sơ đăng ký khai tử giúp tôi được không ạ", 5) == []


def test_an_index_without_example_questions_declines_nothing_by_them(tmp_path, two_records, monkeypatch):
    monkeypatch.setattr(index, "load_out_of_scope", lambda: DECLINED)
    settings = kb_environment(monkeypatch, two_records, tmp_path / "index", KB_CALIBRATION_QUESTIONS="none",
                              KB_EXAMPLE_QUESTIONS="off")
    index.build(settings)
    built = index.load(settings)
    assert built.out_of_scope.lexical is None and not built.out_of_scope.declines("giá vàng hôm nay bao nhiêu")


def test_a_broken_file_stops_the_build_by_name_and_the_index_in_service_stays(tmp_path, two_records, monkeypatch):
    monkeypatch.setattr(index, "load_out_of_scope", lambda: DECLINED)
    settings = kb_environment(monkeypatch, two_records, tmp_path / "index", KB_CALIBRATION_QUESTIONS="none")
    index.build(settings)
    serving = index.current_build(settings)

    def broken():
        raise OutOfScopeQuestionsError("out_of_scope_questions.yml: topic shopping: expected `topic` and `questions`")

    monkeypatch.setattr(index, "load_out_of_scope", broken)
    with pytest.raises(index.IndexError_, match="out_of_scope_questions.yml: topic shopping"):
        index.build(settings)
    assert index.current_build(settings) == serving
