"""Understanding survey answers: button payloads and free text (numbers, "1 lần", "rất hài lòng",
"ko hài lòng", no diacritics, a little English). Each parser returns the canonical value stored in
the form's slot, SKIP, or None when it did not understand. Parsers accept their own canonical values,
so answers restored on resume validate again. No Rasa imports."""
from __future__ import annotations

import json
import re
from typing import Callable, Optional

from knowledge_base.normalize import folded_text

from store.alerts import normalise_phone
from store.surveys import normalise_dossier_code

SKIP = "skip"
CANCEL, PAUSE = "cancel", "pause"
MAX_COMMENT_CHARS = 2000

_PAYLOAD = re.compile(r"^/(\w+)(\{.*\})?\s*$", re.S)

# whole-message control words (folded)
_CANCEL_WORDS = {"huy", "huy bo", "huy danh gia", "huy phieu", "thoi", "thoi khong danh gia nua",
                 "dung lai", "khong danh gia nua", "cancel", "stop", "quit", "exit"}
_PAUSE_WORDS = {"de sau", "tam dung", "tam dung danh gia", "lat nua", "de luc khac", "danh gia sau",
                "pause", "later", "not now"}
_SKIP_WORDS = {"bo qua", "skip", "khong co", "khong co ma", "khong nho", "khong biet", "khong can", "khong", "next",
               "no", "none", "qua", "cau khac", "khong ro", "khong co gi", "khong y kien", "khong gop y", "het",
               "thoi bo qua", "chua co", "chua co ma", "i don t know", "n a"}


def payload(text: str) -> tuple[Optional[str], dict]:
    """(intent, entities) of a button payload such as /survey_answer{"answer":"2"}; (None, {}) otherwise."""
    match = _PAYLOAD.match((text or "").strip())
    if not match:
        return None, {}
    try:
        entities = json.loads(match.group(2)) if match.group(2) else {}
    except ValueError:
        entities = {}
    return match.group(1), entities if isinstance(entities, dict) else {}


def answer_text(text: Optional[str]) -> str:
    """The answer a message carries: a button's `answer`, or the text itself."""
    intent, entities = payload(text or "")
    if intent == "survey_answer" and isinstance(entities.get("answer"), str):
        return entities["answer"]
    return text or ""


def control(text: Optional[str]) -> Optional[str]:
    """CANCEL or PAUSE when the whole message asks for it, else None."""
    intent, _ = payload(text or "")
    if intent in ("cancel", "cancel_survey"):
        return CANCEL
    if intent in ("pause", "pause_survey"):
        return PAUSE
    folded = folded_text(text or "")
    if folded in _CANCEL_WORDS:
        return CANCEL
    if folded in _PAUSE_WORDS:
        return PAUSE
    return None


def is_skip(text: str) -> bool:
    return text == SKIP or folded_text(text) in _SKIP_WORDS


def _has(folded: str, *phrases: str) -> bool:
    return any(re.search(rf"(?:^| ){re.escape(p)}(?: |$)", folded) for p in phrases)


_NUMBER_WORDS = {"mot": 1, "hai": 2, "ba": 3, "bon": 4, "nam": 5, "sau": 6, "bay": 7, "tam": 8, "chin": 9,
                 "muoi": 10, "one": 1, "once": 1, "two": 2, "twice": 2, "three": 3, "four": 4, "five": 5}


def _first_number(folded: str) -> Optional[int]:
    for token in folded.split():
        if token.isdigit():
            return int(token)
        if token in _NUMBER_WORDS:
            return _NUMBER_WORDS[token]
    return None


def parse_count(text: str) -> Optional[str]:
    """Times contacted or bodies dealt with: "1", "2" or "3+"."""
    if text in ("1", "2", "3+"):
        return text
    folded = folded_text(text)
    if _has(folded, "nhieu", "nhieu lan", "tro len", "hon 2", "qua nhieu", "many", "more", "several"):
        return "3+"
    number = _first_number(folded)
    if number is None:
        if _has(folded, "lan dau", "ngay lan dau", "khong phai di lai", "chi mot", "duy nhat", "just one"):
            return "1"
        return None
    if number <= 1:  # "0 lần" phải đi lại = the one visit to file
        return "1"
    return "2" if number == 2 else "3+"


# Cue tables: a button value passes as it is; free text takes the FIRST label (in table order) whose
# phrase it contains, so the negative and specific phrases come before the general ones.
_PUBLICITY = {
    "partial": ("chua day du", "khong day du", "thieu", "mot phan", "chua du", "khong du", "chua ro",
                "partial", "partly", "incomplete"),
    "none": ("khong cong khai", "khong dung", "sai", "khong", "chua", "no", "wrong", "not"),
    "full": ("day du", "dung", "co", "ro rang", "cong khai", "du", "yes", "full", "correct", "ok", "roi"),
}
_ATTITUDE = {
    "bad": ("phien ha", "nhung nhieu", "hach dich", "kho chiu", "te", "thieu ton trong", "quat",
            "vo le", "khong tot", "kem", "gay kho", "cau co", "bad", "rude", "poor", "khong lich su",
            "khong nhiet tinh", "tho lo"),
    "normal": ("binh thuong", "tam duoc", "tam", "trung binh", "normal", "average", "ok", "okay", "duoc"),
    "good": ("lich su", "tan tinh", "tot", "vui ve", "nhiet tinh", "chu dao", "de thuong", "than thien",
             "good", "polite", "friendly", "kind", "helpful", "great"),
}
_OVERALL = {
    "dissatisfied": ("khong hai long", "chua hai long", "khong vua y", "khong on", "chua on", "that vong", "te",
                     "kem", "buc xuc", "dissatisfied", "unsatisfied", "unhappy", "not satisfied", "not happy",
                     "bad"),
    "very_satisfied": ("rat hai long", "rat tot", "tuyet voi", "xuat sac", "very satisfied", "very happy",
                       "excellent", "great"),
    "satisfied": ("hai long", "tot", "on", "duoc", "vua y", "satisfied", "happy", "good", "ok", "okay", "fine"),
}
_YES_NO = {
    "no": ("khong", "bo qua", "thoi", "khoi", "no", "skip"),
    "yes": ("co", "yes", "dong y", "ok", "duoc", "vang", "u", "sure"),
}


def _classify(text: str, cues: dict[str, tuple[str, ...]]) -> Optional[str]:
    if text in cues:
        return text
    folded = folded_text(text)
    return next((label for label, phrases in cues.items() if _has(folded, *phrases)), None)


def parse_publicity(text: str) -> Optional[str]:
    return _classify(text, _PUBLICITY)


def parse_attitude(text: str) -> Optional[str]:
    return _classify(text, _ATTITUDE)


def parse_overall(text: str) -> Optional[str]:
    return _classify(text, _OVERALL)


def parse_yes_no(text: str) -> Optional[str]:
    if is_skip(text) and text not in _YES_NO:
        return "no"
    return _classify(text, _YES_NO)


def parse_sipas(text: str) -> Optional[str]:
    """A 5-level answer: "1" (Rất không hài lòng) … "5" (Rất hài lòng)."""
    if text in ("1", "2", "3", "4", "5"):
        return text
    folded = folded_text(text)
    if _has(folded, "rat khong hai long", "very dissatisfied"):
        return "1"
    if _has(folded, "khong hai long", "chua hai long", "dissatisfied", "te", "kem"):
        return "2"
    if _has(folded, "binh thuong", "trung binh", "tam duoc", "neutral", "average", "normal"):
        return "3"
    if _has(folded, "rat hai long", "rat tot", "tuyet voi", "very satisfied", "excellent"):
        return "5"
    if _has(folded, "hai long", "tot", "satisfied", "good"):
        return "4"
    number = _first_number(folded)
    return str(number) if number is not None and 1 <= number <= 5 else None


def parse_dossier(text: str) -> Optional[str]:
    if is_skip(text):
        return SKIP
    return normalise_dossier_code(text)


def parse_phone(text: str) -> Optional[str]:
    if is_skip(text):
        return SKIP
    return normalise_phone(text)


def parse_comment(text: str) -> Optional[str]:
    text = (text or "").strip()
    if not text or text.startswith("/"):
        return None
    if is_skip(text):
        return SKIP
    return text[:MAX_COMMENT_CHARS]


PARSERS: dict[str, Callable[[str], Optional[str]]] = {
    "survey_contacts": parse_count,
    "survey_bodies": parse_count,
    "survey_publicity": parse_publicity,
    "survey_attitude": parse_attitude,
    "survey_overall": parse_overall,
    "survey_more": parse_yes_no,
    "survey_dossier": parse_dossier,
    "survey_comment": parse_comment,
    "survey_callback": parse_phone,
    **{f"survey_sipas_{aspect}": parse_sipas for aspect in ("access", "procedure", "officials", "result", "feedback")},
}
