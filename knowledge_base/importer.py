"""Bulk import of procedure records from CSV, JSON or JSON Lines exports (optionally .gz).

Rows already in the project's schema are validated as they are; national-portal crawl rows
(recognised by `ma_thu_tuc`) go through `portal.parse_portal_record`. Every valid row is written as
one JSON file; every invalid one is reported with file, row and field, and the others still load.
"""
from __future__ import annotations

import csv
import gzip
import io
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from .config import REPO_ROOT
from .records import RecordProblem, parse_record

MAX_FIELD_CHARS = 200_000
IMPORT_MARKER = ".imported"  # marks a folder the importer owns and may replace whole
csv.field_size_limit(2**31 - 1)  # oversized cells are reported per row by _oversized, not by csv
LIST_SEPARATOR = " | "  # CSV cells holding a list (steps, documents, aliases, legal basis)
CSV_LIST_FIELDS = ("official_code", "supersedes", "aliases", "aliases_en", "level", "steps", "legal_basis")


@dataclass
class ImportReport:
    dest: Path
    written: int = 0
    rejected: int = 0
    problems: list[RecordProblem] = field(default_factory=list)


def _open_text(path: Path) -> io.TextIOBase:
    raw = gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")
    return io.TextIOWrapper(raw, encoding="utf-8", errors="strict", newline="")


def _format_of(path: Path) -> str:
    suffixes = [s for s in path.suffixes if s != ".gz"]
    return (suffixes[-1] if suffixes else "").lstrip(".").lower()


def read_rows(path: Path, problems: list[RecordProblem]) -> Iterator[tuple[int, object]]:
    """(row number, row) for each row; unreadable rows and truncated files become problems."""
    kind = _format_of(path)
    try:
        with _open_text(path) as handle:
            if kind == "jsonl":
                number = 0
                for number, line in enumerate(handle, start=1):
                    if not line.strip():
                        continue
                    try:
                        yield number, json.loads(line)
                    except json.JSONDecodeError as error:
                        problems.append(RecordProblem(str(path), "(row)", f"not JSON: {error.msg}", number))
            elif kind == "json":
                data = json.load(handle)
                rows = data if isinstance(data, list) else [data]
                yield from enumerate(rows, start=1)
            elif kind == "csv":
                for number, row in enumerate(csv.DictReader(handle), start=2):  # row 1 is the header
                    yield number, _csv_record(row)
            else:
                problems.append(RecordProblem(str(path), "(file)", "unknown format: use .csv, .json or .jsonl(.gz)"))
    except (UnicodeDecodeError, EOFError, OSError, json.JSONDecodeError, csv.Error) as error:
        problems.append(RecordProblem(str(path), "(file)", f"unreadable or truncated: {error}"))


def _csv_record(row: dict) -> dict:
    record: dict = {}
    for key, value in row.items():
        if key is None:  # more cells than headers
            record["(extra cells)"] = value
            continue
        value = (value or "").strip()
        if not value:
            continue
        if len(value) > MAX_FIELD_CHARS:  # kept whole so the report names the CSV column
            record[key] = value
        elif key in CSV_LIST_FIELDS:
            record[key] = [v.strip() for v in value.replace(";", LIST_SEPARATOR).split(LIST_SEPARATOR.strip())
                           if v.strip()]
        elif key == "documents":
            record[key] = [{"name": v.strip()} for v in value.split(LIST_SEPARATOR.strip()) if v.strip()]
        elif key in ("fee", "fee_summary"):
            record.setdefault("fee", {})["summary"] = value
        elif key in ("agency_receives", "agency_decides"):
            record.setdefault("agency", {})[key.split("_")[1]] = value
        elif key in ("source_title", "source_url"):
            record.setdefault("sources", [{}])[0][key.split("_")[1]] = value
        else:
            record[key] = value
    return record


def _oversized(value: object, path: str = "") -> str | None:
    """The dotted path of the first string longer than MAX_FIELD_CHARS, at any depth."""
    if isinstance(value, str):
        return path or "(value)" if len(value) > MAX_FIELD_CHARS else None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        found = _oversized(item, f"{path}.{key}" if path else str(key))
        if found:
            return found
    return None


def convert_row(row: object, path: str, number: int) -> tuple[dict | None, list[RecordProblem]]:
    if not isinstance(row, dict):
        return None, [RecordProblem(path, "(row)", "expected an object of fields", number)]
    big = _oversized(row)
    if big:
        return None, [RecordProblem(path, big, f"field too large (over {MAX_FIELD_CHARS} characters)", number)]
    if "ma_thu_tuc" in row:
        from .portal import parse_portal_record

        parsed = parse_portal_record(row)
        problems = [RecordProblem(path, f, m, number) for f, m in parsed.errors]
        return (parsed.record if not problems else None), problems
    # rows without an origin are imports: only files in records/curated are hand-curated
    record, problems = parse_record({"origin": "import", **row}, path, number)
    return (record.model_dump(mode="json", exclude_defaults=True) if record else None), problems


class ImportRefused(ValueError):
    pass


def import_file(path: Path, dest: Path | None = None) -> ImportReport:
    dest = dest or REPO_ROOT / "var" / "records" / path.name.split(".")[0]
    if dest.exists() and any(dest.iterdir()) and not (dest / IMPORT_MARKER).exists():
        raise ImportRefused(f"{dest} holds files the importer did not write; choose an empty or new --dest folder")
    report = ImportReport(dest)
    seen: dict[str, int] = {}
    staged: list[tuple[str, dict]] = []
    for number, row in read_rows(path, report.problems):
        record, problems = convert_row(row, str(path), number)
        if record is not None and record["id"] in seen:
            problems = [RecordProblem(str(path), "id", f"duplicate of row {seen[record['id']]}", number)]
            record = None
        report.problems.extend(problems)
        if record is None:
            report.rejected += 1
            continue
        seen[record["id"]] = number
        staged.append((record["id"], record))
    if staged:
        _replace_folder(dest, staged)
    report.written = len(staged)
    return report


def _replace_folder(dest: Path, records: list[tuple[str, dict]]) -> None:
    """Write the import next to `dest`, then swap it in, so readers never see half an import and
    records dropped from the source disappear."""
    staging = dest.with_name(dest.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    (staging / IMPORT_MARKER).write_text("written by python -m knowledge_base import; replaced on re-import\n")
    for record_id, record in records:
        (staging / f"{record_id}.json").write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    old = dest.with_name(dest.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if dest.exists():
        os.replace(dest, old)
    os.replace(staging, dest)
    shutil.rmtree(old, ignore_errors=True)
