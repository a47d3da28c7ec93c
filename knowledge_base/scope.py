"""A deployment that answers only some procedures (the 42 curated records, a province's own) can still
read the whole national catalogue as its background: a question about a procedure it does not hold is
then recognised as such and declined, instead of being answered with the nearest procedure it holds.

The background is another built index (`KB_BACKGROUND_INDEX_DIR`) searched with the same question
vector. A question is outside the scope when the background answers it with a procedure the
deployment does not hold and no procedure it holds is even a close choice beside that one: less than
`CLOSE_CHOICE_SHARE` as likely. That share is the one the dialogue offers a second procedure as a
button at (`actions/answer.close_hits`): a held procedure that would not even be offered next to the
background's best one is not what the citizen asked for.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:
    from .retrieval import Hit, ProcedureSearch
    from .schema import Procedure

CLOSE_CHOICE_SHARE = 0.25  # measured on the dev questions for the dialogue's buttons (actions/answer.py)
BACKGROUND_DEPTH = 10  # the background's choices looked at for a held procedure


class Scope:
    """The procedures a deployment answers, known by id and by official code (an imported record and a
    deployment's own record of one procedure share its code, not always its id)."""

    def __init__(self, procedures: Iterable["Procedure"]):
        self.ids: set[str] = set()
        self.codes: set[str] = set()
        for procedure in procedures:
            self.ids.add(procedure.id)
            self.codes.update(procedure.official_code)
            self.codes.update(procedure.supersedes)

    def holds(self, hit: "Hit") -> bool:
        return hit.id in self.ids or any(code in self.codes for code in hit.official_code)


def _weight(hit: "Hit") -> float:
    # the reranker's probability when there is one (the fitted encoder), else the fused score
    return hit.confidence if hit.confidence is not None else hit.score


def outside_scope(background: "ProcedureSearch", scope: Scope, text: str, level: str | None = None) -> "Hit | None":
    """The background's answer to the question when it is a procedure outside the scope and no procedure
    in the scope is a close choice beside it; None otherwise (also when the background has no answer)."""
    hits = background.search(text, BACKGROUND_DEPTH, level=level)
    if not hits or scope.holds(hits[0]):
        return None
    held = max((_weight(h) for h in hits if scope.holds(h)), default=0.0)
    return hits[0] if held < CLOSE_CHOICE_SHARE * _weight(hits[0]) else None
