"""Ages: a procedure whose name holds an age condition ("Cấp thẻ căn cước cho người dưới 14 tuổi") and the
same procedure without it or for the other ages ("Cấp thẻ căn cước", "… từ đủ 14 tuổi trở lên") differ
only in who they are for. Their words match a question alike, so "làm căn cước cho con 10 tuổi" ranked
the general one first. When the question gives an age, the member of such a family whose condition it
meets comes first, then one without a condition, then one whose condition it breaks; other choices keep
their places.
"""
from __future__ import annotations

import math
import re

from .normalize import folded_text
from .variants import name_key

# "10 tuổi", "10t", "6 year old", "6-year-old", "6 yo" ("5 years" alone is a duration); "8 tháng tuổi"
# (months) and newborns are age 0
_AGE = re.compile(r"\b(\d{1,3})\s*(?:tuoi|t|-?\s*years?\s*-?\s*old|yo)\b")
_MONTHS = re.compile(r"\b\d{1,2}\s*(?:thang tuoi|months?(?:\s*-?\s*old)?)\b|\b(?:so sinh|moi sinh|newborn)\b")
# in a folded name or question: "dưới 14 tuổi", "từ đủ 14 tuổi trở lên", "trên 60 tuổi" ("dưới 6t" typed),
# with whom it is for before it
_CONDITION = re.compile(r"(?:\bcho (?:nguoi|tre em|tre)\s+)?\b(duoi|tu du|du|tren|tu)\s+(\d{1,3})\s*(?:tuoi|t)\b"
                        r"(?:\s+tro len)?")
# an English name may say it where the Vietnamese one does not: "ID card issuance (first time, age 14+)"
_CONDITION_EN = re.compile(r"\b(?:(age|aged) (\d{1,3})\s*\+|(under|over|above) (\d{1,3})\b)")


def question_age(text: str) -> int | None:
    """The age the question gives, in years; None when it gives none (or several different ones). An age
    condition ("trẻ dưới 6 tuổi", "under 14") is not an age: its words match the procedure's name."""
    folded = _CONDITION_EN.sub(" ", _CONDITION.sub(" ", folded_text(text)))
    ages = {int(n) for n in _AGE.findall(folded)}
    if _MONTHS.search(folded):
        ages.add(0)
    return ages.pop() if len(ages) == 1 else None


def age_range(name: str, name_en: str | None = None) -> tuple[float, float] | None:
    """The ages (inclusive) a procedure's name is for, or None when its names set none."""
    found = _CONDITION.search(folded_text(name))
    if found is None:
        english = _CONDITION_EN.search(name_en.lower()) if name_en else None
        if english is None:
            return None
        if english.group(3) == "under":
            return 0, int(english.group(4)) - 1
        if english.group(3):  # over, above
            return int(english.group(4)) + 1, math.inf
        return int(english.group(2)), math.inf
    word, years = found.group(1), int(found.group(2))
    if word == "duoi":
        return 0, years - 1
    if word == "tren":
        return years + 1, math.inf
    return years, math.inf  # từ đủ, đủ, từ … (trở lên)


def family(name: str) -> str:
    """The name without its age condition (and without what tells level variants apart)."""
    return " ".join(_CONDITION.sub(" ", name_key(name)).split())


def fit(age: int, name: str, name_en: str | None = None) -> int:
    """0: the name's condition holds for the age, 1: the name sets none, 2: the age breaks it."""
    ages = age_range(name, name_en)
    if ages is None:
        return 1
    return 0 if ages[0] <= age <= ages[1] else 2


def age_order(text: str, names: list[tuple[str, str | None]]) -> list[int]:
    """Positions of the choices (their names and English names, best first) in their new order: within
    each family of names that differ only by an age condition, the best ranked of the members fitting the
    question's age best moves up to the family's best place; the choices it passes move down one."""
    order = list(range(len(names)))
    age = question_age(text)
    if age is None or not any(age_range(*n) for n in names):
        return order
    families: dict[str, list[int]] = {}
    for position, (name, _) in enumerate(names):
        families.setdefault(family(name), []).append(position)
    for members in families.values():
        best = min(members, key=lambda p: fit(age, *names[p]))  # min keeps the better ranked of equals
        if best != members[0]:
            order.remove(best)
            order.insert(order.index(members[0]), best)
    return order
