"""Grid over fusion weight and no-answer threshold on a question file (use the DEV set, never the
evaluation set): prints recall@1/@5, MRR and out-of-scope rejection for each setting.

    .venvs/app/bin/python scripts/tune_retrieval.py tests/knowledge_base/dev_questions.jsonl
"""
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from knowledge_base.config import Settings  # noqa: E402
from knowledge_base.evaluate import read_questions  # noqa: E402
from knowledge_base.index import load  # noqa: E402
from knowledge_base.retrieval import ProcedureSearch, validate_query  # noqa: E402


def main(path: str, show_misses: bool = False) -> None:
    index = load(Settings.from_env())
    search = ProcedureSearch(index)
    ids = index.procedure_ids
    rows = []
    for q in read_questions(Path(path)):
        text = validate_query(q["question"])
        scores = search.score_procedures(text)
        rows.append((q, scores.lexical.copy(), scores.dense.copy(), search.dense_weight_for(text)))

    def run(scale_dense: float, threshold: float, misses: list | None = None):
        at1 = at5 = rr = n = oos = rejected = 0
        for q, lexical, dense, weight in rows:
            fused = search.fuse(lexical, dense, weight * scale_dense)
            order = np.argsort(-fused)[:5]
            got = [ids[i] for i in order if fused[i] >= threshold and fused[i] > 0]
            expected = q.get("expected_id")
            if expected is None:
                oos += 1
                rejected += not got
            else:
                n += 1
                if expected in got:
                    rank = got.index(expected) + 1
                    at1 += rank == 1
                    at5 += 1
                    rr += 1 / rank
            if misses is not None and (got[:1] != [expected] if expected else got):
                misses.append((expected, [ids[i] for i in order[:3]], [round(float(fused[i]), 2) for i in order[:3]],
                               q["question"]))
        return at1 / n, at5 / n, rr / n, rejected / max(oos, 1)

    for scale in (0.0, 0.5, 1.0, 1.5):
        for threshold in (0.0, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35):
            r1, r5, mrr, rej = run(scale, threshold)
            print(f"dense×{scale:<4} no-answer<{threshold:<5} r@1={r1:.3f} r@5={r5:.3f} mrr={mrr:.3f} oos={rej:.3f}")
    if show_misses:
        misses: list = []
        run(1.0, 0.0, misses)
        for miss in misses:
            print(*miss, sep=" | ")


if __name__ == "__main__":
    main(sys.argv[1], "--misses" in sys.argv)
