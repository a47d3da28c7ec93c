"""Procedure names for the reports, read straight from the knowledge base's record files.

Ratings store a procedure's knowledge-base id; record files are named after their id, so a name is one
small file read (cached), with no index and no encoder loaded in the dashboard process.
"""
from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Optional

import yaml

from knowledge_base.config import Settings

_SAFE_ID = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_.")


@functools.lru_cache(maxsize=1)
def _files() -> dict[str, Path]:
    """Record id (the file's stem) → file, over the configured record folders."""
    found: dict[str, Path] = {}
    for folder in Settings.from_env().records_dirs:
        if not Path(folder).is_dir():
            continue
        for path in sorted(Path(folder).rglob("*")):
            if path.suffix in (".yml", ".yaml", ".json"):
                found.setdefault(path.stem, path)
    return found


@functools.lru_cache(maxsize=4096)
def procedure_name(procedure_id: Optional[str]) -> Optional[str]:
    """The procedure's name, or None when no record file has this id."""
    if not procedure_id or not set(procedure_id.lower()) <= _SAFE_ID:
        return None
    path = _files().get(procedure_id)
    if path is None:
        return None
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (OSError, ValueError, yaml.YAMLError):
        return None
    name = data.get("name") if isinstance(data, dict) else None
    return name if isinstance(name, str) and name.strip() else None


def procedure_label(procedure_id: Optional[str]) -> str:
    """The name with the id, or the id alone when no record has it."""
    if not procedure_id:
        return ""
    name = procedure_name(procedure_id)
    return f"{name} ({procedure_id})" if name else procedure_id


def names_of(procedure_ids) -> dict[str, str]:
    return {p: procedure_name(p) or p for p in procedure_ids if p}
