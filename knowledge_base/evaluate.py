"""Retrieval quality on a question file: recall@1/5, MRR, and out-of-scope rejection."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Callable, Iterable

from .retrieval import Hit, InvalidQuery


def read_questions(path: Path) -> list[dict]:
    questions = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as error:
            raise ValueError(f"{path}:{number}: not JSON ({error.msg})") from None
        if not isinstance(item, dict) or not isinstance(item.get("question"), str):
            raise ValueError(f"{path}:{number}: question: expected a string")
        if item.get("expected_id") is not None and not isinstance(item["expected_id"], str):
            raise ValueError(f"{path}:{number}: expected_id: expected a string or null")
        questions.append(item)
    return questions


def evaluate(search: Callable[[str, int], list[Hit]], questions: Iterable[dict], *, misses: list | None = None) -> dict:
    n = in_scope = at1 = at5 = 0
    reciprocal = 0.0
    out_of_scope = rejected = 0
    for item in questions:
        n += 1
        try:
            hits = search(item["question"], 5)
        except InvalidQuery:
            hits = []
        ids = [h.id for h in hits]
        expected = item.get("expected_id")
        if expected is None:
            out_of_scope += 1
            rejected += not ids
            if ids and misses is not None:
                misses.append({**item, "got": ids[:3]})
            continue
        in_scope += 1
        if expected in ids:
            rank = ids.index(expected) + 1
            at1 += rank == 1
            at5 += rank <= 5
            reciprocal += 1 / rank
        if (not ids or ids[0] != expected) and misses is not None:
            misses.append({**item, "got": ids[:3]})
    return {
        "n": n,
        "in_scope": in_scope,
        "recall_at_1": round(at1 / in_scope, 4) if in_scope else None,
        "recall_at_5": round(at5 / in_scope, 4) if in_scope else None,
        "mrr": round(reciprocal / in_scope, 4) if in_scope else None,
        "out_of_scope": out_of_scope,
        "out_of_scope_rejected": round(rejected / out_of_scope, 4) if out_of_scope else None,
    }
