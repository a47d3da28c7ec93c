"""Administrative units (đơn vị) the bot serves and ratings are kept for: the province, its public
administration service centre, provincial departments (sở, ban, ngành), communes and wards (no district
level since the 1 July 2025 reform), each with its one-stop desks, contact details and the procedures
it handles (knowledge-base ids).

Read from a YAML file (default `units/demo-province.yml`, or `UNITS_FILE`); a deployment replaces the
file, not the code. Bad rows are reported by file, row and field and skipped; the rest still load.
`python -m units check [FILE]` prints the problems. No Rasa imports, so the action server, the channels,
the store and the dashboard all use the same loader.
"""
from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import yaml

DEFAULT_FILE = Path(__file__).resolve().parent / "demo-province.yml"
KINDS = ("province", "service_centre", "department", "commune", "ward")
REQUIRED = ("code", "kind", "name", "address", "hotline", "office_hours")
TEXT_FIELDS = REQUIRED + ("parent", "name_en", "short_name", "office_hours_en")
KNOWN_FIELDS = set(TEXT_FIELDS) | {"desks", "procedures"}
DESK_FIELDS = {"code", "name", "name_en"}
_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


class UnitsFileError(ValueError):
    """The units file cannot be used at all (unreadable, or no valid default unit)."""


@dataclass(frozen=True)
class Problem:
    """One bad row: where it is and what is wrong."""

    file: str
    row: int  # 1-based position in the `units:` list
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: row {self.row}, field {self.field}: {self.message}"


@dataclass(frozen=True)
class Desk:
    """Quầy / bộ phận một cửa: where a citizen files and collects a dossier."""

    code: str
    name: str
    name_en: Optional[str] = None


@dataclass(frozen=True)
class Unit:
    """Đơn vị: where a citizen can reach a person."""

    code: str
    kind: str
    name: str
    address: str
    hotline: str
    office_hours: str
    parent: Optional[str] = None
    name_en: Optional[str] = None
    short_name: Optional[str] = None  # for buttons
    office_hours_en: Optional[str] = None
    desks: tuple[Desk, ...] = ()
    procedures: tuple[str, ...] = ()  # knowledge-base procedure ids handled here

    def label(self, lang: str = "vi") -> str:
        if lang == "en" and self.name_en:
            return self.name_en
        return self.short_name or self.name


@dataclass(frozen=True)
class UnitDirectory:
    units: dict[str, Unit]
    default_code: str
    demo: bool = False
    problems: tuple[Problem, ...] = field(default=())

    def get(self, code: Optional[str]) -> Unit:
        """The unit with this code, or the default unit when the code is empty or unknown."""
        return self.units.get(code or "", self.units[self.default_code])

    def __contains__(self, code: object) -> bool:
        return code in self.units

    def children(self, code: str) -> list[Unit]:
        return [u for u in self.units.values() if u.parent == code]

    def descendants(self, code: str) -> list[str]:
        """The unit's code and those of every unit under it (for reports "incl. children")."""
        found, queue = [], [code]
        while queue:
            current = queue.pop(0)
            if current in found:
                continue
            found.append(current)
            queue.extend(u.code for u in self.children(current))
        return found

    def rateable(self) -> list[Unit]:
        """Units a citizen deals with directly (everything but the province itself)."""
        return [u for u in self.units.values() if u.kind != "province"]

    def handling(self, procedure_id: str) -> list[Unit]:
        return [u for u in self.units.values() if procedure_id in u.procedures]


def _text(value) -> Optional[str]:
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def _row_problems(path: str, number: int, row: dict) -> list[Problem]:
    problems = [Problem(path, number, name, "missing") for name in REQUIRED if not _text(row.get(name))]
    code = _text(row.get("code"))
    if code and not _CODE.match(code):
        problems.append(Problem(path, number, "code", f"{code!r} is not lower-case letters, digits and '-'"))
    kind = _text(row.get("kind"))
    if kind and kind not in KINDS:
        problems.append(Problem(path, number, "kind", f"unknown kind {kind!r} (one of {', '.join(KINDS)})"))
    for name in sorted(set(row) - KNOWN_FIELDS):
        problems.append(Problem(path, number, name, "unknown field"))
    desks = row.get("desks") or []
    if not isinstance(desks, list) or not all(isinstance(d, dict) and _text(d.get("code")) and _text(d.get("name"))
                                              for d in desks):
        problems.append(Problem(path, number, "desks", "each desk needs a code and a name"))
    elif len({d["code"] for d in desks}) != len(desks):
        problems.append(Problem(path, number, "desks", "desk codes repeat"))
    else:
        # an unquoted name with a comma inside `{...}` splits into stray keys: say so instead of cutting it
        for desk in desks:
            for name in sorted(set(desk) - DESK_FIELDS, key=str):
                problems.append(Problem(path, number, f"desks.{desk['code']}.{name}",
                                        "unknown desk field (quote a name that contains a comma)"))
    procedures = row.get("procedures") or []
    if not isinstance(procedures, list) or not all(isinstance(p, str) and _CODE.match(p) for p in procedures):
        problems.append(Problem(path, number, "procedures", "a list of knowledge-base procedure ids"))
    return problems


def load_units(path: Optional[Path | str] = None) -> UnitDirectory:
    path = Path(path or os.environ.get("UNITS_FILE") or DEFAULT_FILE)
    name = str(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise UnitsFileError(f"{name}: cannot read units: {error}") from error
    rows = data.get("units") if isinstance(data, dict) else None
    if not isinstance(rows, list):
        raise UnitsFileError(f"{name}: no `units:` list")
    problems: list[Problem] = []
    units: dict[str, Unit] = {}
    positions: dict[str, int] = {}
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            problems.append(Problem(name, number, "-", "not a mapping"))
            continue
        row_problems = _row_problems(name, number, row)
        code = _text(row.get("code"))
        if code in units:
            row_problems.append(Problem(name, number, "code", f"{code} repeats row {positions[code]}"))
        if row_problems:
            problems.extend(row_problems)
            continue
        values = {k: _text(row.get(k)) for k in TEXT_FIELDS}
        units[code] = Unit(**values,
                           desks=tuple(Desk(_text(d["code"]), _text(d["name"]), _text(d.get("name_en")))
                                       for d in row.get("desks") or []),
                           procedures=tuple(row.get("procedures") or []))
        positions[code] = number
    changed = True
    while changed:  # a unit whose parent is missing or was rejected goes too (and then its children)
        changed = False
        for unit in list(units.values()):
            if unit.parent and unit.parent not in units:
                problems.append(Problem(name, positions[unit.code], "parent", f"unknown parent {unit.parent}"))
                del units[unit.code]
                changed = True
    default = data.get("default_unit")
    if default not in units:
        detail = "; ".join(str(p) for p in problems)
        raise UnitsFileError(f"{name}: default_unit {default!r} is not one of the valid units"
                             + (f" ({detail})" if detail else ""))
    return UnitDirectory(units=units, default_code=default, demo=bool(data.get("demo")), problems=tuple(problems))


@functools.lru_cache(maxsize=1)
def directory() -> UnitDirectory:
    """The units of this deployment, read once per process (bad rows are logged and skipped)."""
    loaded = load_units()
    if loaded.problems:
        import logging

        for problem in loaded.problems:
            logging.getLogger(__name__).warning("units: %s", problem)
    return loaded
