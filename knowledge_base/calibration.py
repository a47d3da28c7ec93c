"""Calibrating the "no answer" threshold of a built index on labelled questions.

The threshold depends on the corpus (42 curated procedures or the whole national catalogue) and on
the encoder, so it is chosen per build and stored in the manifest, on questions that are not the
evaluation set.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .evaluate import read_questions
from .retrieval import ProcedureSearch, validate_query

CANDIDATE_THRESHOLDS = np.round(np.arange(0.10, 0.50, 0.01), 2)


def calibrate_threshold(search: ProcedureSearch, questions_file: Path) -> dict:
    """The threshold maximising recall@1 + out-of-scope rejection on the questions."""
    ids = search.index.procedure_ids
    tops: list[tuple[str | None, str, float]] = []
    for item in read_questions(questions_file):
        fused = search.score_procedures(validate_query(item["question"])).fused
        best = int(np.argmax(fused))
        tops.append((item.get("expected_id"), ids[best], float(fused[best])))
    in_scope = sum(1 for e, _, _ in tops if e is not None) or 1
    out_of_scope = sum(1 for e, _, _ in tops if e is None) or 1
    best_value, best_threshold = -1.0, float(search.no_answer_below)
    for threshold in CANDIDATE_THRESHOLDS:
        right = sum(1 for e, top, s in tops if e is not None and top == e and s >= threshold)
        rejected = sum(1 for e, _, s in tops if e is None and s < threshold)
        value = right / in_scope + rejected / out_of_scope
        if value > best_value:
            best_value, best_threshold = value, float(threshold)
    return {"no_answer_below": best_threshold, "questions": str(questions_file), "objective": round(best_value, 4)}
