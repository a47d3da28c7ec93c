"""Splitting a procedure into passages, one per aspect a citizen may ask about."""
from __future__ import annotations

from dataclasses import dataclass

from .schema import Procedure

CHANNEL_NAMES = {"truc_tiep": "nộp trực tiếp", "buu_chinh": "qua bưu chính", "truc_tuyen": "nộp trực tuyến online"}
LEVEL_NAMES = {"central": "cấp bộ trung ương", "province": "cấp tỉnh", "commune": "cấp xã phường",
               "other": "cơ quan khác"}


@dataclass(frozen=True)
class Passage:
    procedure_id: str
    aspect: str
    text: str
    # the official name, one alias or one example question: scored on how much of it the question covers too
    is_name: bool = False
    is_example: bool = False  # an example question: how citizens ask, not what the record says


def _join(*parts: object) -> str:
    return ". ".join(str(p) for p in parts if p)


def procedure_passages(p: Procedure, examples: tuple[str, ...] = ()) -> list[Passage]:
    """One short passage per name and alias (how citizens name the procedure) and per example question
    (how they ask for it, example_questions.py), then one per aspect; every aspect passage repeats the
    name so a question about one aspect ("phí làm hộ chiếu") still matches on the procedure words."""
    title = p.name
    names = [p.name, *p.aliases, *([p.name_en] if p.name_en else []), *p.aliases_en]
    passages = [Passage(p.id, "overview", name, is_name=True) for name in dict.fromkeys(names) if name]
    passages += [Passage(p.id, "overview", question, is_name=True, is_example=True)
                 for question in dict.fromkeys(examples) if question and question not in names]
    texts = {
        "overview": _join(p.name, p.field, p.eligibility),
        "documents": _join(title, "hồ sơ giấy tờ cần chuẩn bị", "; ".join(d.name for d in p.documents)),
        "fee": _join(title, "phí lệ phí", p.fee.summary, p.fee.exemptions),
        "time": _join(title, "thời hạn giải quyết", p.processing_time),
        "where": _join(
            title, "nơi nộp cơ quan giải quyết", p.agency.receives, p.agency.decides,
            ", ".join(LEVEL_NAMES[level] for level in p.level),
        ),
        "steps": _join(title, "trình tự các bước thực hiện", " ".join(p.steps)),
        "online": _join(title, ", ".join(CHANNEL_NAMES[c.kind] for c in p.channels)),
        "eligibility": _join(title, "đối tượng điều kiện", p.eligibility, p.requirements),
        "result": _join(title, "kết quả", p.result),
    }
    return passages + [Passage(p.id, aspect, text) for aspect, text in texts.items() if text]
