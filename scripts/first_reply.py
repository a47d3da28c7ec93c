"""What the citizen's first reply holds, per question file: the right procedure alone, the right one
among the buttons of a choice (actions/answer.close_hits), a wrong answer, or "not found".

    .venvs/app/bin/python scripts/first_reply.py tests/knowledge_base/dev_questions.jsonl [...]

recall@1 counts a choice whose right button is second as a miss and one whose right button is first
as a hit; a citizen sees neither as a wrong answer. Each file is measured twice on the default index:
with the rule the bot uses and with the older rule (fused scores within CLOSE_SCORE_GAP, the hits'
reranker confidence ignored), side by side. In-scope questions only: out-of-scope rejection does not
depend on the choice.
"""
import dataclasses
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import knowledge_base  # noqa: E402
from actions.answer import close_hits  # noqa: E402
from knowledge_base.evaluate import accepted_ids, read_questions  # noqa: E402
from knowledge_base.retrieval import InvalidQuery  # noqa: E402

OUTCOMES = ("right alone", "right, asked", "rescued by a choice", "wrong", "not found")


def outcome(text: str, hits: list, accepted: set[str]) -> str:
    if not hits:
        return "not found"
    shown = close_hits(text, hits)
    if len(shown) == 1:
        return "right alone" if shown[0].id in accepted else "wrong"
    if not any(h.id in accepted for h in shown):
        return "wrong"
    return "right, asked" if shown[0].id in accepted else "rescued by a choice"


def main(paths: list[str]) -> None:
    search = knowledge_base.default_search()
    indexed = set(search.index.procedure_ids)
    print(f"{len(indexed)} procedures; per file: the bot's rule | fused-score gap only")
    print(f"{'file':24} {'n':>4}  " + "  ".join(f"{o:>20}" for o in OUTCOMES) + "  reply holds the right one")
    for path in paths:
        counts = {rule: dict.fromkeys(OUTCOMES, 0) for rule in ("now", "gap")}
        n = 0
        for item in read_questions(Path(path)):
            accepted = accepted_ids(item, indexed)
            if not accepted:
                continue
            n += 1
            try:
                hits = search.search(item["question"], 5)
            except InvalidQuery:
                hits = []
            counts["now"][outcome(item["question"], hits, accepted)] += 1
            plain = [dataclasses.replace(h, confidence=None) for h in hits]
            counts["gap"][outcome(item["question"], plain, accepted)] += 1
        for rule, label in (("now", Path(path).stem), ("gap", "  (gap only)")):
            c = counts[rule]
            holds = (n - c["wrong"] - c["not found"]) / n if n else 0.0
            print(f"{label:24} {n:>4}  " + "  ".join(f"{c[o]:>20}" for o in OUTCOMES) + f"  {holds:.3f}")


if __name__ == "__main__":
    main(sys.argv[1:])
