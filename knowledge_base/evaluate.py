"""Retrieval quality on a question file: recall@1/5, MRR, and out-of-scope rejection.

Besides `question` and `expected_id`, a line may say `also_accepted` (other procedures that answer
it just as well, e.g. the province and central versions of one procedure) and, for a question with
no answer among the curated records, `expected_if_indexed`: the procedures of the national catalogue
that do answer it. Such a question counts as in scope when the index searched holds one of them, and
as out of scope otherwise, so one file serves the 42-record and the national index honestly; likewise
a question about a portal procedure is out of scope for an index that does not hold it.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Callable, Container, Iterable

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
        for key in ("also_accepted", "expected_if_indexed"):
            if key in item and not (isinstance(item[key], list) and all(isinstance(i, str) for i in item[key])):
                raise ValueError(f"{path}:{number}: {key}: expected a list of procedure ids")
        questions.append(item)
    return questions


def accepted_ids(item: dict, indexed: Container[str] | None = None) -> set[str]:
    """The procedures that answer the question in an index holding `indexed` (None: any). A question
    whose procedures the index does not hold is out of scope there: the right reply is no procedure."""
    expected = item.get("expected_id")
    if expected is not None:
        ids = {expected, *item.get("also_accepted", ())}
        return ids if indexed is None else {i for i in ids if i in indexed}
    national = [i for i in item.get("expected_if_indexed", ()) if indexed is not None and i in indexed]
    return set(national)


def evaluate(search: Callable[[str, int], list[Hit]], questions: Iterable[dict], *, misses: list | None = None,
             indexed: Container[str] | None = None) -> dict:
    """`indexed`: the procedure ids the searched index holds (for `expected_if_indexed`)."""
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
        accepted = accepted_ids(item, indexed)
        if not accepted:
            out_of_scope += 1
            rejected += not ids
            if ids and misses is not None:
                misses.append({**item, "got": ids[:3]})
            continue
        in_scope += 1
        ranks = [rank for rank, i in enumerate(ids, start=1) if i in accepted]
        if ranks:
            rank = ranks[0]
            at1 += rank == 1
            at5 += rank <= 5
            reciprocal += 1 / rank
        if (not ids or ids[0] not in accepted) and misses is not None:
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
