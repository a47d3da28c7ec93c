"""Which part of a procedure a question asks about, from cue words (folded, so diacritics don't matter)."""
from __future__ import annotations

import re

from .normalize import folded_text

# The cue nearest the end of the question wins: Vietnamese questions end on what is asked
# ("hỗ trợ chi phí mai táng cần giấy tờ gì" asks for documents; "làm online mất bao lâu" for time).
ASPECT_CUES: dict[str, tuple[str, ...]] = {
    "fee": ("le phi", "phi", "bao nhieu tien", "het bao nhieu", "mat bao nhieu", "ton bao nhieu", "tien",
            "fee", "fees", "cost", "costs", "how much", "price", "charge", "charges", "is it free", "free of charge",
            "mien phi"),
    "time": ("bao lau", "may ngay", "bao nhieu ngay", "thoi gian", "thoi han", "khi nao co", "bao gio co",
             "bao gio thi co", "khi nao thi co", "khi nao lay", "bao gio lay", "khi nao nhan", "bao gio nhan",
             "may hom", "bao nhieu hom", "bao lau thi xong",
             "how long", "how many days", "how many weeks", "how many months", "processing time", "how soon",
             "when will i get", "when can i get", "when will i receive", "when can i receive"),
    "documents": ("giay to", "ho so", "hs", "can gi", "can nhung gi", "gom nhung gi", "nop nhung gi", "mang gi",
                  "mang theo", "chuan bi", "thanh phan", "to khai",
                  "documents", "papers", "paper", "paperwork", "what do i need", "bring"),
    "where": ("o dau", "noi nao", "cho nao", "co quan nao", "nop o", "lam o", "den dau", "di dau", "nop cho ai",
              "where", "which office"),
    "online": ("online", "truc tuyen", "qua mang", "tren mang", "dich vu cong", "vneid", "internet", "tai nha"),
    "eligibility": ("ai duoc", "ai phai", "dieu kien", "doi tuong", "co duoc khong", "eligible", "who can",
                    "requirements", "conditions", "condition", "eligibility", "qualify", "am i allowed"),
    "steps": ("cac buoc", "nhung buoc", "buoc nao", "trinh tu", "quy trinh", "nhu the nao", "the nao", "lam sao",
              "ra sao", "cach lam", "steps", "procedure for", "how to", "how do i"),
    "result": ("nhan duoc gi", "ket qua", "duoc cap gi", "result", "what do i get", "what will i get",
               "what will i receive", "valid", "validity"),
}

_PATTERNS = {
    aspect: re.compile(r"\b(?:" + "|".join(re.escape(c) for c in cues) + r")\b")
    for aspect, cues in ASPECT_CUES.items()
}


# "thế nào", "ra sao" asked right after another part ("phí thế nào", "hồ sơ thì ra sao") ask about that part
_GENERIC_TAILS = frozenset({"the nao", "nhu the nao", "ra sao", "lam sao"})
_TAIL_GAP_WORDS = 1  # "phí thì thế nào": one word between


def asked_aspect(question: str) -> str | None:
    """The aspect the question asks about, or None for a general question."""
    text = folded_text(question)
    matches = sorted((match.end(), match.start(), aspect, match.group(0) in _GENERIC_TAILS)
                     for aspect, pattern in _PATTERNS.items() for match in pattern.finditer(text))
    if not matches:
        return None
    end, start, aspect, generic = matches[-1]
    if generic:
        before = [m for m in matches if not m[3] and m[0] <= start
                  and len(text[m[0]:start].split()) <= _TAIL_GAP_WORDS]
        if before:
            return before[-1][2]
    return aspect
