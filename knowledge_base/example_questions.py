"""Example questions: how citizens ask for each procedure (example_questions.yml).

Procedure names are legal language and aliases are short; citizens describe their situation ("mẹ tôi
mới mất thì làm giấy gì", "cty chuyển văn phòng sang phường khác báo ai"). The project's file gives
each procedure of the catalogue a few such questions, keyed by record id. With KB_EXAMPLE_QUESTIONS=on
the index holds them as passages matched like names, both ways (passages.py); they are never shown
to a citizen and never the source of an answer. The build records the file's hash in its manifest,
so editing the file (or switching the setting) makes the index stale.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from .yaml_files import read_yaml

QUESTIONS_FILE = Path(__file__).with_name("example_questions.yml")
MAX_QUESTION_CHARS = 500



class ExampleQuestionsError(ValueError):
    """example_questions.yml cannot be used; the message names the file and the procedure id."""


def load_questions(path: Path = QUESTIONS_FILE) -> dict[str, tuple[str, ...]]:
    """Per procedure id its questions, spaces normalised; {} without the file."""
    data = read_yaml(path, ExampleQuestionsError)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ExampleQuestionsError(f"{path}: expected procedure ids, each with a list of questions")
    questions = {}
    for procedure_id, entry in data.items():
        if (not isinstance(entry, list) or not all(isinstance(q, str) and q.strip() for q in entry)
                or any(len(q) > MAX_QUESTION_CHARS for q in entry)):
            raise ExampleQuestionsError(
                f"{path}: {procedure_id}: expected a list of questions "
                f"(text of at most {MAX_QUESTION_CHARS} characters)")
        questions[str(procedure_id)] = tuple(" ".join(q.split()) for q in entry)
    return questions


def model_file(default: Path, example_questions: bool) -> Path:
    """Where a model's coefficients for an index built with or without the example questions are: the
    fit for an index holding them (their evidence differs) sits beside the default, named *-examples."""
    return default.with_name(f"{default.stem}-examples{default.suffix}") if example_questions else default


def questions_hash(questions: dict[str, tuple[str, ...]]) -> str:
    """What an index built with these questions records in its manifest."""
    digest = hashlib.sha256()
    for procedure_id in sorted(questions):
        digest.update("\x1e".join((procedure_id, *questions[procedure_id])).encode("utf-8") + b"\x1f")
    return digest.hexdigest()[:16]
