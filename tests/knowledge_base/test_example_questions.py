"""Example questions: how citizens ask for each procedure (knowledge_base/example_questions.py,
KB_EXAMPLE_QUESTIONS)."""
from __future__ import annotations

import pytest

from knowledge_base import index
from knowledge_base.config import Settings
from knowledge_base import answerability, reranker
from knowledge_base.example_questions import (
    MAX_QUESTION_CHARS, ExampleQuestionsError, load_questions, model_file, questions_hash,
)
from knowledge_base.passages import procedure_passages
from knowledge_base.records import load_records, merge_curated_first
from knowledge_base.retrieval import ProcedureSearch
from knowledge_base.schema import Procedure
from tests.knowledge_base.conftest import kb_environment

QUESTION = "mẹ tôi mới mất thì làm giấy gì"
EXAMPLES = {"dang-ky-khai-tu": ("người nhà mới mất thì làm giấy gì", "bo toi mat bao tu o dau")}


def test_the_file_is_read_by_procedure_id(tmp_path):
    path = tmp_path / "example_questions.yml"
    path.write_text("khai-tu:\n  - mẹ tôi mới mất thì  làm giấy gì\n  - \"bo toi mat, bao tu o dau\"\n",
                    encoding="utf-8")
    assert load_questions(path) == {"khai-tu": ("mẹ tôi mới mất thì làm giấy gì", "bo toi mat, bao tu o dau")}
    assert load_questions(tmp_path / "absent.yml") == {}


@pytest.mark.parametrize("content, where", [
    ("khai-tu: mẹ tôi mới mất\n", "khai-tu: expected a list of questions"),
    ("khai-tu:\n  - a\n  - ''\n", "khai-tu: expected a list of questions"),
    ("khai-tu:\n  - 3\n", "khai-tu: expected a list of questions"),
    (f"khai-tu:\n  - {'a' * (MAX_QUESTION_CHARS + 1)}\n", f"at most {MAX_QUESTION_CHARS} characters"),
    ("- a\n", "expected procedure ids"),
    ("khai-tu: [a\n", "example_questions.yml"),
])
def test_a_broken_file_names_the_file_and_procedure(tmp_path, content, where):
    path = tmp_path / "example_questions.yml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ExampleQuestionsError, match="example_questions.yml") as error:
        load_questions(path)
    assert where in str(error.value)


def test_the_hash_follows_every_question():
    assert questions_hash(EXAMPLES) == questions_hash(dict(EXAMPLES))
    assert questions_hash(EXAMPLES) != questions_hash({"dang-ky-khai-tu": EXAMPLES["dang-ky-khai-tu"][:1]})


def test_each_model_has_its_fit_for_an_index_with_the_example_questions_beside_it():
    for default in (answerability.MODEL_FILE, reranker.MODEL_FILE):
        assert model_file(default, False) == default
        fitted = model_file(default, True)
        assert fitted.parent == default.parent and fitted.name == default.stem + "-examples.json"
        assert fitted.exists()


def test_example_questions_are_name_passages_marked_as_examples(record_fields):
    p = Procedure.model_validate(record_fields(id="dang-ky-khai-tu", name="Đăng ký khai tử"))
    asked = [x for x in procedure_passages(p, (QUESTION, QUESTION, p.name)) if x.is_example]
    assert [(x.text, x.aspect, x.is_name) for x in asked] == [(QUESTION, "overview", True)]
    assert not any(x.is_example for x in procedure_passages(p))


def test_every_id_of_the_project_file_is_a_procedure_of_the_catalogue():
    """A question filed under an id no record has would be silently lost."""
    procedures, _ = load_records(Settings.from_env().records_dirs)
    known = {p.id for p in merge_curated_first(procedures).procedures}
    unknown = sorted(set(load_questions()) - known)
    assert not unknown, unknown[:10]


@pytest.fixture
def two_records(tmp_path, write_record):
    folder = tmp_path / "records"
    write_record(folder, id="dang-ky-khai-tu", name="Đăng ký khai tử", field="Hộ tịch", level=["commune"])
    write_record(folder, id="dang-ky-tau-ca", name="Đăng ký tàu cá", field="Thủy sản", level=["province"])
    return folder


def test_a_question_in_citizens_words_finds_the_procedure_its_examples_describe(tmp_path, two_records, monkeypatch):
    monkeypatch.setattr(index, "load_questions", lambda: EXAMPLES)
    plain = kb_environment(monkeypatch, two_records, tmp_path / "plain", KB_CALIBRATION_QUESTIONS="none",
                           KB_EXAMPLE_QUESTIONS="off")
    index.build(plain)
    assert ProcedureSearch(index.load(plain), no_answer_below=0.3).search(QUESTION, 5) == []
    asked = kb_environment(monkeypatch, two_records, tmp_path / "asked", KB_CALIBRATION_QUESTIONS="none",
                           KB_EXAMPLE_QUESTIONS="on")
    index.build(asked)
    built = index.load(asked)
    assert built.manifest["example_questions"] == questions_hash(EXAMPLES)
    assert [h.id for h in ProcedureSearch(built, no_answer_below=0.3).search(QUESTION, 5)][:1] == ["dang-ky-khai-tu"]


def test_an_index_serves_only_the_setting_and_the_questions_it_was_built_with(tmp_path, two_records, monkeypatch):
    monkeypatch.setattr(index, "load_questions", lambda: EXAMPLES)
    settings = kb_environment(monkeypatch, two_records, tmp_path / "index", KB_CALIBRATION_QUESTIONS="none",
                              KB_EXAMPLE_QUESTIONS="on")
    index.build(settings)
    assert index.is_current(settings)
    monkeypatch.setattr(index, "load_questions", lambda: {"dang-ky-khai-tu": ("một câu khác",)})
    with pytest.raises(index.IndexMismatch, match="example questions.*rebuild"):
        index.load(settings)
    off = kb_environment(monkeypatch, two_records, tmp_path / "index", KB_EXAMPLE_QUESTIONS="off")
    with pytest.raises(index.IndexMismatch, match="KB_EXAMPLE_QUESTIONS is off"):
        index.load(off)


def test_a_broken_file_stops_the_build_by_name_and_the_index_in_service_stays(tmp_path, two_records, monkeypatch):
    monkeypatch.setattr(index, "load_questions", lambda: EXAMPLES)
    settings = kb_environment(monkeypatch, two_records, tmp_path / "index", KB_CALIBRATION_QUESTIONS="none",
                              KB_EXAMPLE_QUESTIONS="on")
    index.build(settings)
    serving = index.current_build(settings)

    def broken():
        raise ExampleQuestionsError("example_questions.yml: dang-ky-khai-tu: expected a list of questions")

    monkeypatch.setattr(index, "load_questions", broken)
    with pytest.raises(index.IndexError_, match="KB_EXAMPLE_QUESTIONS is on but example_questions.yml: dang-ky"):
        index.build(settings)
    assert index.current_build(settings) == serving


def test_the_setting_is_on_or_off_and_on_by_default(monkeypatch):
    monkeypatch.delenv("KB_EXAMPLE_QUESTIONS", raising=False)
    assert Settings.from_env().example_questions is True and Settings().example_questions is True
    for value, expected in (("on", True), ("OFF", False), ("1", True), ("", False)):
        monkeypatch.setenv("KB_EXAMPLE_QUESTIONS", value)
        assert Settings.from_env().example_questions is expected
    monkeypatch.setenv("KB_EXAMPLE_QUESTIONS", "maybe")
    with pytest.raises(ValueError, match="KB_EXAMPLE_QUESTIONS must be on or off"):
        Settings.from_env()


def test_the_command_line_refuses_a_bad_setting_politely(monkeypatch, capsys):
    from knowledge_base.__main__ import main

    monkeypatch.setenv("KB_EXAMPLE_QUESTIONS", "maybe")
    assert main(["search", "đăng ký khai sinh"]) == 2
    assert "KB_EXAMPLE_QUESTIONS must be on or off" in capsys.readouterr().err


def test_an_example_question_naming_an_uncovered_subject_is_not_what_the_procedure_covers(
        tmp_path, two_records, monkeypatch):
    """uncovered.py: a subject the best choices' records do not mention asks for a surer answer; a
    helper-written question that happens to name it is not the record."""
    monkeypatch.setattr(index, "load_questions", lambda: {"dang-ky-tau-ca": ("tàu cá chở thuốc lá thì đăng ký ở đâu",)})
    settings = kb_environment(monkeypatch, two_records, tmp_path / "index", KB_CALIBRATION_QUESTIONS="none",
                              KB_EXAMPLE_QUESTIONS="on")
    index.build(settings)
    built = index.load(settings)
    assert any("thuốc lá" in p.text for p in built.passages if p.is_example)
    search = ProcedureSearch(built)
    number = built.procedure_numbers["dang-ky-tau-ca"]
    assert {s.phrase for s in search.unmentioned_subjects("xin giấy phép bán thuốc lá", [number])} == {"thuoc la"}
