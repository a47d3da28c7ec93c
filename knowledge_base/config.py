"""Knowledge-base settings, read once from the environment (KB_*), with laptop defaults."""
from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Settings:
    records_dirs: tuple[Path, ...] = field(default_factory=tuple)
    index_dir: Path = REPO_ROOT / "var" / "index"
    encoder: str = "minilm"  # "minilm" (packaged), "hashing" (tests), or a sentence-transformers name/path
    approximate_above: int = 50_000  # passages; above this FAISS uses an IVF index
    # questions the no-answer threshold is calibrated on at build time (never the evaluation set)
    calibration_questions: Path | None = REPO_ROOT / "tests" / "knowledge_base" / "dev_questions.jsonl"
    # a built index of the whole catalogue (such as the default var/index) that a deployment answering only
    # some procedures declines the others with (scope.py); None: no background
    background_index_dir: Path | None = None
    # the project's example questions (example_questions.yml) indexed as passages (on by default since
    # session 9; README "Example questions" says what they gain and cost); off: the records' text only
    example_questions: bool = True

    @classmethod
    def from_env(cls) -> "Settings":
        dirs = os.environ.get("KB_RECORDS_DIRS")
        records_dirs = (
            tuple(Path(d) for d in dirs.split(os.pathsep) if d)
            if dirs
            else (REPO_ROOT / "knowledge_base" / "records", REPO_ROOT / "var" / "records")
        )
        return cls(
            records_dirs=records_dirs,
            index_dir=Path(os.environ.get("KB_INDEX_DIR", REPO_ROOT / "var" / "index")),
            encoder=os.environ.get("KB_ENCODER", "minilm"),
            approximate_above=int(os.environ.get("KB_APPROXIMATE_ABOVE", "50000")),
            calibration_questions=_optional_path(
                os.environ.get(
                    "KB_CALIBRATION_QUESTIONS", REPO_ROOT / "tests" / "knowledge_base" / "dev_questions.jsonl"
                )
            ),
            background_index_dir=_optional_path(os.environ.get("KB_BACKGROUND_INDEX_DIR", "")),
            example_questions=_switch("KB_EXAMPLE_QUESTIONS", "on"),
        )

    def background(self) -> "Settings | None":
        """The settings the background index is read with: its folder, this encoder."""
        if self.background_index_dir is None:
            return None
        return replace(self, index_dir=self.background_index_dir, background_index_dir=None)


def _switch(name: str, default: str) -> bool:
    """Environment variable `name` as "on"/"off" (also true/false, 1/0, yes/no); anything else is
    refused with the variable's name."""
    value = os.environ.get(name, default)
    setting = value.strip().lower()
    if setting in ("on", "true", "1", "yes"):
        return True
    if setting in ("off", "false", "0", "no", ""):
        return False
    raise ValueError(f"{name} must be on or off, not {value!r}")


def _optional_path(value) -> Path | None:
    """A path from the environment; "" or "none" switches the feature off."""
    return None if str(value).strip().lower() in ("", "none") else Path(value)
