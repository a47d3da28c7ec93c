"""Phrases of what a question asks that no procedure answers (knowledge_base/out_of_scope_phrases.py)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from knowledge_base import index
from knowledge_base.example_questions import load_questions as load_example_questions
from knowledge_base.out_of_scope_phrases import (
    MAX_PHRASE_CHARS, OutOfScopePhrases, OutOfScopePhrasesError, load_phrases,
)
from knowledge_base.retrieval import ProcedureSearch
from tests.knowledge_base.conftest import kb_environment

QUESTIONS = Path(__file__).parent
DEV_SETS = ("dev_questions", "national_dev", "english_dev", "english_dev2", "english_dev3", "dev_questions2",
            "national_dev2")


def test_the_file_is_read_kind_by_kind_in_order_without_repeats(tmp_path):
    path = tmp_path / "phrases.yml"
    path.write_text("- kind: advice\n  phrases: [có nên, 'nên  mua']\n"
                    "- kind: amounts\n  phrases: [phạt bao nhiêu, có nên]\n", encoding="utf-8")
    assert [p.text for p in load_phrases(path).phrases] == ["có nên", "nên mua", "phạt bao nhiêu"]
    assert load_phrases(tmp_path / "missing.yml").phrases == ()


@pytest.mark.parametrize("content, where", [
    ("kind: advice", "expected a list of kinds"),
    ("- kind: advice\n  phrases: có nên", "kind advice"),
    ("- phrases: [có nên]", "kind 1"),
    ("- kind: advice\n  phrases: ['  ']", "kind advice"),
    (f"- kind: advice\n  phrases: [{'a' * (MAX_PHRASE_CHARS + 1)}]", "kind advice"),
    ("- kind: advice\n  phrases: [có nên", "phrases.yml"),
])
def test_a_broken_file_names_the_file_and_the_kind(tmp_path, content, where):
    path = tmp_path / "phrases.yml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(OutOfScopePhrasesError, match=where):
        load_phrases(path)


def test_a_phrase_is_found_as_whole_words_in_order_with_or_without_diacritics_and_abbreviated():
    phrases = OutOfScopePhrases.of(["có nên", "phạt bao nhiêu", "bị tù"])
    assert phrases.found("Có nên mua đất chưa có sổ không?") == "có nên"
    assert phrases.found("co nen mua dat chua co so ko") == "có nên"
    assert phrases.found("vượt đèn đỏ phạt bn tiền") == "phạt bao nhiêu"  # "bn" = "bao nhiêu"
    assert phrases.found("đánh nhau có bị tù không") == "bị tù"
    assert phrases.found("danh nhau co bi tu khong") == "bị tù"  # without tones it may be either


@pytest.mark.parametrize("question", [
    "xây nhà trong hẻm có bị từ chối cấp phép không",  # typed with tones: "từ" is not "tù"
    "đổ nền nhà có nền móng thì xin phép ở đâu",  # "nền" is not "nên"
    "nên làm căn cước ở đâu",  # not in that order
    "phạt",  # part of a phrase
])
def test_tones_typed_and_word_order_count(question):
    assert OutOfScopePhrases.of(["có nên", "bị tù", "phạt bao nhiêu", "căn cước nên"]).found(question) is None


def test_the_project_phrases_occur_in_no_example_question_and_no_dev_question_a_procedure_answers():
    phrases = load_phrases()
    assert len(phrases.phrases) >= 40
    examples = [q for qs in load_example_questions().values() for q in qs]
    assert not [q for q in examples if phrases.found(q)]
    answered = [item["question"] for name in DEV_SETS
                for item in map(json.loads, (QUESTIONS / f"{name}.jsonl").read_text(encoding="utf-8").splitlines())
                if item.get("expected_id") or item.get("expected_if_indexed")]
    assert len(answered) > 900
    assert not [q for q in answered if phrases.found(q)]


def test_the_search_declines_a_question_asking_what_no_procedure_answers(tmp_path, write_record, monkeypatch):
    folder = tmp_path / "records"
    write_record(folder, id="dang-ky-khai-tu", name="Đăng ký khai tử", field="Hộ tịch", level=["commune"])
    monkeypatch.setattr(index, "load_out_of_scope", lambda: ())
    settings = kb_environment(monkeypatch, folder, tmp_path / "index", KB_CALIBRATION_QUESTIONS="none")
    index.build(settings)
    built = index.load(settings)
    search = ProcedureSearch(built, no_answer_below=0.0)
    assert search.asks_beyond_procedures("khai tử muộn thì bị phạt bao nhiêu tiền")
    assert not search.asks_beyond_procedures("đăng ký khai tử ở đâu")
    # a phrase declines whatever the model says (PHRASE_BELOW over 1), so without one too
    assert search.search("khai tử muộn thì bị phạt bao nhiêu tiền", 5) == []
    assert [h.id for h in search.search("đăng ký khai tử ở đâu", 5)][:1] == ["dang-ky-khai-tu"]
    # the nearest procedures stay for the reply (actions/fallback.py offers them as related)
    assert search.search("khai tử muộn thì bị phạt bao nhiêu tiền", 5, with_rejected=True)
    unchecked = ProcedureSearch(built, no_answer_below=0.0, out_of_scope=False)
    assert [h.id for h in unchecked.search("khai tử muộn thì bị phạt bao nhiêu tiền", 5)][:1] == ["dang-ky-khai-tu"]
