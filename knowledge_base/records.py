"""Loading procedure records from their files, reporting each bad file by path and field."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import yaml
from pydantic import ValidationError

from .portal_names import NAMES_FILE, PortalNamesError, with_everyday_names
from .schema import Procedure
from .yaml_files import LOADER

RECORD_SUFFIXES = (".yml", ".yaml", ".json")


@dataclass(frozen=True)
class RecordProblem:
    """One problem found while loading: which file (and row), which field, what is wrong."""

    path: str
    field: str
    message: str
    row: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.row}" if self.row is not None else self.path
        return f"{where}: {self.field}: {self.message}"


def validation_problems(path: str, error: ValidationError, row: int | None = None) -> list[RecordProblem]:
    return [
        RecordProblem(path, ".".join(str(p) for p in e["loc"]) or "(record)", e["msg"], row)
        for e in error.errors()
    ]


def parse_record(data: object, path: str, row: int | None = None) -> tuple[Procedure | None, list[RecordProblem]]:
    if not isinstance(data, dict):
        return None, [RecordProblem(path, "(record)", "expected a mapping of fields", row)]
    try:
        return Procedure.model_validate(data), []
    except ValidationError as error:
        return None, validation_problems(path, error, row)


def read_record_file(path: Path) -> tuple[Procedure | None, list[RecordProblem]]:
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix == ".json" else yaml.load(text, Loader=LOADER)
    except UnicodeDecodeError as error:
        return None, [RecordProblem(str(path), "(file)", f"not UTF-8 text ({error.reason})")]
    except (yaml.YAMLError, json.JSONDecodeError) as error:
        return None, [RecordProblem(str(path), "(file)", f"not valid {path.suffix[1:].upper()}: {error}")]
    return parse_record(data, str(path))


def record_files(dirs: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for directory in dirs:
        files.extend(p for p in sorted(Path(directory).rglob("*")) if p.suffix in RECORD_SUFFIXES)
    return files


def load_records(dirs: Iterable[Path]) -> tuple[list[Procedure], list[RecordProblem]]:
    """Every valid record under `dirs`, imported portal records with the project's everyday names
    (portal_names.py); a bad file is reported and the others still load."""
    procedures: list[Procedure] = []
    problems: list[RecordProblem] = []
    seen: dict[str, str] = {}
    for path in record_files(dirs):
        record, found = read_record_file(path)
        problems.extend(found)
        if record is None:
            continue
        if record.id in seen:
            problems.append(RecordProblem(str(path), "id", f"duplicate id {record.id!r}, first in {seen[record.id]}"))
            continue
        seen[record.id] = str(path)
        procedures.append(record)
    try:
        return with_everyday_names(procedures), problems
    except PortalNamesError as error:  # the records still load, without the everyday names
        return procedures, [*problems, RecordProblem(str(NAMES_FILE), "portal_aliases", str(error))]


@dataclass(frozen=True)
class Catalogue:
    """The procedures the bot answers from, after curated records replaced the imported ones they
    cover; `second_sources` keeps the replaced imported records per curated id."""

    procedures: list[Procedure]
    second_sources: dict[str, list[Procedure]]


def merge_curated_first(procedures: list[Procedure]) -> Catalogue:
    """A curated record whose official code(s), or the outdated codes it supersedes, match imported
    records replaces them (keeping its own id), so no procedure appears twice in results."""
    owner_of_code = {
        code: p.id for p in procedures if p.origin == "curated" for code in (*p.official_code, *p.supersedes)
    }
    kept: list[Procedure] = []
    second: dict[str, list[Procedure]] = {}
    for p in procedures:
        owner = next((owner_of_code[c] for c in p.official_code if c in owner_of_code), None)
        if p.origin != "curated" and owner is not None:
            second.setdefault(owner, []).append(p)
        else:
            kept.append(p)
    return Catalogue(kept, second)
