"""A follow-up that narrows the case, not the procedure: "làm căn cước mất bao lâu" → "con tôi 10 tuổi
thì sao?", "nếu cháu sinh ở nước ngoài thì sao?". Alone it names no procedure (the search finds nothing,
or only a choice between unrelated ones); read with the name of the procedure under discussion, it finds
that procedure's other cases: the card for under-14s, the birth registration with a foreign element.

Only a message that says it narrows the case is read this way: an age, or a cue like "thì sao", "nếu",
"trường hợp", "what about". "thời tiết thế nào?" or "con tôi bị sốt" after a procedure stay "not found".
And only a procedure of the same kind that the message names a case of is kept: its name shares two
adjacent words with the procedure under discussion, neither a word every kind of procedure uses
("căn cước", "khai sinh"; not "đăng ký", "cấp giấy"), and has a word that one's name lacks which the
message uses ("nước ngoài", "tuổi"). After the ID card, "nếu là người nước ngoài thì sao?" names no case
of it (foreigners get no ID card), so nothing is narrowed."""
from __future__ import annotations

import re

from knowledge_base.ages import question_age
from knowledge_base.normalize import FILLERS, fold, folded_text

_CUES = re.compile(
    r"\bthi (?:sao|the nao|lam sao|lam the nao|can gi|phai lam gi)\b|\b(?:neu|truong hop)\b|"
    r"\b(?:what|how) about\b|\bwhat if\b|\bin case\b|\bif (?:i|my|he|she|we|they|the|it)\b"
)
# words of every kind of procedure's name (folded): they tell neither the kind nor the case
_GENERIC = frozenset("cap dang ky thu tuc doi lai giay chung nhan cho nguoi va cua tai thuc hien viec trong "
                     "voi truong hop theo co yeu to ve".split())


def refines(text: str) -> bool:
    """Whether the message narrows the case of the procedure under discussion."""
    return bool(_CUES.search(folded_text(text))) or question_age(text) is not None


def _pairs(name: str) -> set[tuple[str, str]]:
    words = fold(name)
    return {(a, b) for a, b in zip(words, words[1:]) if a not in _GENERIC and b not in _GENERIC}


def same_kind(name: str, other: str) -> bool:
    """Whether two procedure names share two adjacent words, neither of them generic (_GENERIC)."""
    return bool(_pairs(name) & _pairs(other))


def narrows_to(text: str, current: str, other: str) -> bool:
    """Whether the procedure named `other` is a case of the one named `current` that the message names."""
    asked = set(fold(text)) - FILLERS
    new = set(fold(other)) - set(fold(current)) - _GENERIC
    return same_kind(current, other) and bool(new & asked)
