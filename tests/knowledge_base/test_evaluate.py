"""Evaluation figures: several acceptable answers, and questions answerable only at national scale."""
from __future__ import annotations

import json

import pytest

from knowledge_base.evaluate import accepted_ids, evaluate, read_questions
from knowledge_base.retrieval import Hit


def searcher(answers: dict[str, list[str]]):
    def search(question: str, k: int) -> list[Hit]:
        return [Hit(id=i, name=i, score=1.0, aspect="overview") for i in answers.get(question, [])][:k]
    return search


def test_also_accepted_counts_as_found():
    questions = [{"question": "q", "expected_id": "a", "also_accepted": ["b"]}]
    result = evaluate(searcher({"q": ["b", "a"]}), questions)
    assert result["recall_at_1"] == 1.0 and result["mrr"] == 1.0


def test_national_answer_counts_only_when_the_index_holds_it():
    questions = [{"question": "q", "expected_id": None, "expected_if_indexed": ["portal-1"]}]
    answered = searcher({"q": ["portal-1"]})
    curated = evaluate(answered, questions, indexed={"dang-ky-khai-sinh"})
    assert curated["out_of_scope"] == 1 and curated["out_of_scope_rejected"] == 0.0
    national = evaluate(answered, questions, indexed={"portal-1"})
    assert national["in_scope"] == 1 and national["recall_at_1"] == 1.0
    assert evaluate(searcher({}), questions, indexed={"portal-1"})["recall_at_5"] == 0.0


def test_a_procedure_the_index_does_not_hold_makes_its_question_out_of_scope_there():
    questions = [{"question": "q", "expected_id": "portal-1", "also_accepted": ["portal-2"]}]
    curated = evaluate(searcher({"q": ["dang-ky-khai-sinh"]}), questions, indexed={"dang-ky-khai-sinh"})
    assert curated["in_scope"] == 0 and curated["out_of_scope"] == 1 and curated["out_of_scope_rejected"] == 0.0
    assert evaluate(searcher({}), questions, indexed={"dang-ky-khai-sinh"})["out_of_scope_rejected"] == 1.0
    assert accepted_ids(questions[0], indexed={"portal-2"}) == {"portal-2"}
    assert accepted_ids(questions[0]) == {"portal-1", "portal-2"}


def test_without_knowing_the_index_a_national_answer_stays_out_of_scope():
    assert accepted_ids({"expected_id": None, "expected_if_indexed": ["portal-1"]}) == set()


@pytest.mark.parametrize("key", ["also_accepted", "expected_if_indexed"])
@pytest.mark.parametrize("value", ["portal-1", [1], {"a": 1}])
def test_malformed_extra_keys_are_reported_with_line_and_key(tmp_path, key, value):
    path = tmp_path / "q.jsonl"
    path.write_text(json.dumps({"question": "q", "expected_id": None, key: value}) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=f"q.jsonl:1: {key}"):
        read_questions(path)


def test_question_files_name_only_well_formed_ids():
    from knowledge_base.config import REPO_ROOT

    for name in ("eval_questions.jsonl", "dev_questions.jsonl", "national_questions.jsonl"):
        for item in read_questions(REPO_ROOT / "tests" / "knowledge_base" / name):
            assert all(isinstance(i, str) and i for i in accepted_ids(item, indexed=_Everything()))


class _Everything:
    def __contains__(self, item) -> bool:
        return True
