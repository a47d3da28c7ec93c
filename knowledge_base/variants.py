"""Variants of one procedure: the same name at several levels ("Cấp lại thẻ căn cước (thực hiện tại
cấp tỉnh)" / "(… cấp trung ương)") or repeated by several provinces. They count as one choice in the
results, shown by the version the citizen meets.

A citizen goes to the commune (xã/phường) first, then the province; central versions are for the
rare cases the question says so, and its words then give them the higher score.
"""
from __future__ import annotations

import re

import numpy as np

from .normalize import folded_text

# preferred level first; a procedure at several levels counts at its best one
LEVEL_ORDER = ("commune", "province", "central", "other")
SAME_SCORE = 0.02  # variants scoring within 2 % of the best one are a tie: the level preference decides
LEVEL_FLOOR = 0.8  # a variant at the citizen's own level is shown if it reaches 80 % of the best one

_PARENTHESES = re.compile(r"\([^)]*\)")


def name_key(name: str) -> str:
    """The name without what tells variants apart: a bracketed level or place, 'Thủ tục', punctuation."""
    key = folded_text(_PARENTHESES.sub(" ", name))
    return key[len("thu tuc "):] if key.startswith("thu tuc ") else key


def group_numbers(procedures: list) -> np.ndarray:
    """Per procedure (in index order) the number of its group of variants."""
    numbers: dict[str, int] = {}
    return np.array([numbers.setdefault(name_key(p.name), len(numbers)) for p in procedures], dtype=np.int64)


def level_rank(levels, preferred: str | None = None) -> int:
    """Smaller is better: the citizen's own level first, then the usual order."""
    levels = set(levels or ())
    if preferred and preferred in levels:
        return -1
    return min((LEVEL_ORDER.index(level) for level in levels if level in LEVEL_ORDER), default=len(LEVEL_ORDER))


def representative(members: list[int], scores: np.ndarray, levels: list, preferred: str | None = None) -> int:
    """The variant to show among `members` (procedure numbers, best score first): the best one,
    unless another is as good (or, for the citizen's own level, nearly as good) at a preferred level."""
    best = members[0]
    top = float(scores[best])
    candidates = [m for m in members if float(scores[m]) >= top * (1 - SAME_SCORE)
                  or (preferred and preferred in (levels[m] or ()) and float(scores[m]) >= top * LEVEL_FLOOR)]
    return min(candidates, key=lambda m: (level_rank(levels[m], preferred), -float(scores[m])))
