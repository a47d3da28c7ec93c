"""How a record's text is written for the reader: amounts in dong in the reader's notation, a bare
duration or "Miễn phí" in the conversation's language, steps without the portal's own numbering, and
whether a summary only lists what the per-channel lines already say. The words shown are domain
fragments; what is matched here is the records' Vietnamese."""
from __future__ import annotations

import re
from typing import Callable, Optional

Fragment = Callable[..., str]  # renders a domain fragment in the conversation's language

# The portal writes amounts the English way ("20,000 Việt Nam Đồng"); Vietnamese readers expect
# "20.000 đồng". Only whole amounts followed by the currency are rewritten.
_PORTAL_AMOUNT = re.compile(r"(?<![\d.,])(\d{1,3}(?:,\d{3})+|\d+)\s*(?:Việt Nam Đồng|VNĐ|VND)(?!\w)")
_BARE_DURATION = re.compile(r"^(\d+(?:[.,]\d+)?) (ngày làm việc|ngày|giờ làm việc|giờ|tháng|năm)$")
_DURATION_FRAGMENT = {"ngày làm việc": "frag_duration_working_days", "ngày": "frag_duration_days",
                      "giờ làm việc": "frag_duration_working_hours", "giờ": "frag_duration_hours",
                      "tháng": "frag_duration_months", "năm": "frag_duration_years"}
_FREE = frozenset({"miễn phí", "không thu phí", "không"})
_STEP_NUMBER = re.compile(r"^\s*(?:Bước|Step)\s*\d+\s*[:.)\-–]\s*", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\u00a0]{2,}")
# the importer's summary of values that differ by channel: "Trực tuyến: …; Trực tiếp: …"
# (knowledge_base/portal.summarise_by_channel)
_CHANNEL_LABEL = re.compile(r"(?:Trực tiếp|Trực tuyến|Dịch vụ bưu chính): ")


def amounts(frag: Fragment, lang: str, text: str) -> str:
    """Amounts in dong as the reader writes them: 20.000 đồng / 20,000 VND."""
    def written(found: re.Match) -> str:
        amount = found.group(1) if lang == "en" else found.group(1).replace(",", ".")
        return frag("frag_amount_dong", amount=amount)

    return _PORTAL_AMOUNT.sub(written, text)


def fee(frag: Fragment, lang: str, text: Optional[str]) -> Optional[str]:
    """A fee for the reader: amounts in their notation; a bare "Miễn phí" in their language."""
    if not text:
        return text
    if lang != "vi" and text.strip().rstrip(".").lower() in _FREE:
        return frag("frag_free_of_charge")
    return amounts(frag, lang, text)


def duration(frag: Fragment, lang: str, text: Optional[str]) -> Optional[str]:
    """A bare duration ("15 ngày làm việc") in the reader's language; any other text as the record writes it."""
    found = _BARE_DURATION.match(text.strip()) if lang != "vi" and text else None
    return frag(_DURATION_FRAGMENT[found.group(2)], amount=found.group(1)) if found else text


def step(text: str) -> str:
    """A step as listed under its number: without the portal's own "Bước 2:" (the list numbers it) and
    without the runs of spaces its pages leave inside sentences."""
    return _SPACES.sub(" ", _STEP_NUMBER.sub("", text, count=1)).strip()


def lists_the_channels(summary: Optional[str], values: list[str]) -> bool:
    """The summary only repeats, channel by channel, what the per-channel lines say."""
    return bool(summary) and len(_CHANNEL_LABEL.findall(summary)) >= 2 and all(v in summary for v in values)


def shortened(text: str, limit: int) -> str:
    """`text` cut at a word before `limit` characters, marked with "…"."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,;:") + "…"


def case_headings(notes: list[Optional[str]]) -> list[Optional[str]]:
    """For each document, the case it belongs to, or None: the importer keeps the portal's case
    heading ("(1.1) Đối với công trình không theo tuyến:") as the note of every document under it, so
    a note two or more documents in a row share is a heading, not a remark on one document (516
    records list their documents by case)."""
    cases: list[Optional[str]] = [None] * len(notes)
    start = 0
    for end in range(1, len(notes) + 1):
        if end == len(notes) or notes[end] != notes[start]:
            if notes[start] and end - start >= 2:
                cases[start:end] = [notes[start]] * (end - start)
            start = end
    return cases
