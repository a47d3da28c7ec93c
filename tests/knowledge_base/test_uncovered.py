"""Subjects of fields the catalogue lacks (knowledge_base/uncovered.py) and how the search uses them."""
import json
from dataclasses import replace

import pytest

from knowledge_base.answerability import FEATURES as ANSWER_FEATURES
from knowledge_base.answerability import DEFAULT_UNCOVERED_BAR, NoAnswerModel, fit_uncovered_bar
from knowledge_base.retrieval import ProcedureSearch
from knowledge_base.uncovered import Subject, UncoveredFields, UncoveredFieldsError, default_fields


def test_subjects_are_found_with_or_without_diacritics():
    fields = default_fields()
    assert Subject("thuoc la", "Công Thương", "industry and trade") in fields.subjects("xin giấy phép bán thuốc lá")
    assert Subject("thuoc la", "Công Thương", "industry and trade") in fields.subjects("xin giay phep ban thuoc la")
    assert {s.field for s in fields.subjects("mở phòng khám tư nhân cần gì")} == {"Y tế"}
    assert fields.subjects("đăng ký khai sinh cho con") == set()


def test_the_longest_phrase_is_taken(tmp_path):
    path = tmp_path / "fields.yml"
    path.write_text("a:\n  field: Giáo dục\n  field_en: education\n  phrases: [trường mầm non, mầm non]\n",
                    encoding="utf-8")
    assert UncoveredFields.load(path).subjects("thành lập trường mầm non") == {
        Subject("truong mam non", "Giáo dục", "education")}


def test_a_procedure_mentioning_the_subject_covers_it():
    fields = default_fields()
    assert "thuoc la" in fields.mentioned(["Cấp Giấy phép bán lẻ sản phẩm thuốc lá", "Hồ sơ gồm ..."])
    assert fields.mentioned(["Giấy phép bán lẻ rượu"]) == set()


@pytest.mark.parametrize("content, where", [
    ("[]\n", "expected fields"),
    ("a:\n  field: Y tế\n", "a: expected exactly the keys"),
    ("a:\n  field: Y tế\n  field_en: health\n  phrases: [phòng khám, 3]\n", "a.phrases"),
    ("a:\n  field: Y tế\n  field_en: ''\n  phrases: [phòng khám]\n", "a: expected exactly the keys"),
    ("a: [unclosed\n", "fields.yml"),
])
def test_a_broken_file_is_refused_with_its_name_and_entry(tmp_path, content, where):
    path = tmp_path / "fields.yml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(UncoveredFieldsError, match="fields.yml") as error:
        UncoveredFields.load(path)
    assert where in str(error.value)


def _model(probability_logit: float) -> NoAnswerModel:
    n = len(ANSWER_FEATURES)
    return NoAnswerModel(encoder="hashing-256", features=ANSWER_FEATURES, mean=(0.0,) * n, scale=(1.0,) * n,
                         weights=(0.0,) * n, bias=probability_logit, threshold=0.35)


def test_an_unmentioned_uncovered_subject_needs_a_surer_answer(curated_index):
    unsure = ProcedureSearch(curated_index, no_answer_model=_model(0.0))  # probability 0.5: above 0.35
    assert 0.35 < 0.5 < unsure.no_answer_model.uncovered_bar
    assert unsure.search("xin giấy phép bán lẻ rượu")  # no uncovered subject: answered
    assert unsure.search("xin giấy phép bán thuốc lá") == []  # tobacco: no curated record mentions it
    assert unsure.search("xin giấy phép bán thuốc lá", with_rejected=True)  # still there for staff tools
    sure = ProcedureSearch(curated_index, no_answer_model=_model(3.0))  # probability 0.95
    assert sure.search("xin giấy phép bán thuốc lá")
    without = ProcedureSearch(curated_index, no_answer_model=_model(0.0), uncovered=False)
    assert without.search("xin giấy phép bán thuốc lá")


def test_the_fields_of_unmentioned_subjects_are_told(curated_index):
    search = ProcedureSearch(curated_index)

    def subjects(question: str):
        return search.uncovered_subjects(question, search.search(question, 3, with_rejected=True))

    assert {s.field for s in subjects("xin giấy phép bán thuốc lá")} == {"Công Thương"}
    assert subjects("đăng ký khai sinh cho con") == set()
    # an English question is read in its Vietnamese search text too: "cigarettes" is "thuốc lá"
    assert {s.field_en for s in subjects("I want to sell cigarettes, which licence do I need?")} == {
        "industry and trade"}
    assert subjects("how do I register my baby's birth") == set()


def test_an_english_question_is_read_in_vietnamese_only_for_the_telling(curated_index):
    """The search's own check reads the question as asked: its bar was fitted that way."""
    search = ProcedureSearch(curated_index)
    question = "I want to sell cigarettes, which licence do I need?"
    numbers = [curated_index.procedure_numbers[h.id] for h in search.search(question, 3, with_rejected=True)]
    assert search.unmentioned_subjects(question, numbers) == set()


def test_the_bar_is_the_no_answer_models_own(curated_index):
    """A fit whose probabilities run higher (an index with the example questions) carries a higher bar."""
    lenient = ProcedureSearch(curated_index, no_answer_model=replace(_model(0.0), uncovered_bar=0.45))
    assert lenient.search("xin giấy phép bán thuốc lá")  # probability 0.5 reaches its bar
    strict = ProcedureSearch(curated_index, no_answer_model=replace(_model(3.0), uncovered_bar=0.96))
    assert strict.search("xin giấy phép bán thuốc lá") == []  # 0.95 does not


def test_a_model_file_without_the_bar_gets_the_default(tmp_path):
    path = tmp_path / "model.json"
    saved = replace(_model(0.0), uncovered_bar=0.81)
    saved.save(path)
    assert NoAnswerModel.load(path) == saved
    data = json.loads(path.read_text(encoding="utf-8"))
    del data["uncovered_bar"]
    path.write_text(json.dumps(data), encoding="utf-8")
    assert NoAnswerModel.load(path).uncovered_bar == DEFAULT_UNCOVERED_BAR


@pytest.mark.parametrize("threshold, searches, bar", [
    # out of scope at 0.50 and 0.77, answerable at 0.82 and 0.90: the middle of 0.78-0.82
    (0.34, [(0.50, False, True), (0.77, False, True), (0.82, True, False), (0.90, True, False)], 0.8),
    # an in-scope search the five best miss (answerable False, not out of scope) counts neither way
    (0.34, [(0.77, False, True), (0.79, False, False), (0.82, True, False)], 0.8),
    # nothing to decline: the lowest run of bars, from the threshold to the answerable one
    (0.30, [(0.40, True, False)], 0.35),
    (0.34, [], DEFAULT_UNCOVERED_BAR),
])
def test_the_bar_is_fitted_between_the_dev_searches_it_separates(threshold, searches, bar):
    assert fit_uncovered_bar(threshold, searches) == pytest.approx(bar)


def test_english_words_in_an_english_question_are_not_a_vietnamese_subject():
    fields = default_fields()
    assert fields.subjects("We plan a factory in an industrial park, which licence do we need?") == set()
    assert {s.phrase for s in fields.subjects("xin giay phep in an")} == {"in an"}  # Vietnamese without diacritics
    assert {s.phrase for s in fields.subjects("how to get a karaoke licence")} == {"karaoke"}
