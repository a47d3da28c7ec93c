"""Administrative units (đơn vị: tỉnh, trung tâm phục vụ hành chính công, xã/phường) the bot serves.

Read from a YAML file (default `units/demo-province.yml`, or `UNITS_FILE`); no Rasa imports, so the
action server, the channels and the dashboard all use the same loader.
"""
from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import yaml

DEFAULT_FILE = Path(__file__).resolve().parent / "demo-province.yml"
KINDS = ("province", "service_centre", "commune", "ward")


class UnitsFileError(ValueError):
    """The units file is missing a field or refers to an unknown unit."""


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
    office_hours_en: Optional[str] = None


@dataclass(frozen=True)
class UnitDirectory:
    units: dict[str, Unit]
    default_code: str
    demo: bool = False

    def get(self, code: Optional[str]) -> Unit:
        """The unit with this code, or the default unit when the code is empty or unknown."""
        return self.units.get(code or "", self.units[self.default_code])

    def __contains__(self, code: object) -> bool:
        return code in self.units


def load_units(path: Optional[Path | str] = None) -> UnitDirectory:
    path = Path(path or os.environ.get("UNITS_FILE") or DEFAULT_FILE)
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    units: dict[str, Unit] = {}
    for number, row in enumerate(data.get("units") or [], start=1):
        missing = [f for f in ("code", "kind", "name", "address", "hotline", "office_hours") if not row.get(f)]
        if missing:
            raise UnitsFileError(f"{path}: unit #{number} lacks {', '.join(missing)}")
        if row["kind"] not in KINDS:
            raise UnitsFileError(f"{path}: unit {row['code']} has unknown kind {row['kind']!r}")
        units[row["code"]] = Unit(**{k: (str(v) if v is not None else None) for k, v in row.items()})
    for unit in units.values():
        if unit.parent and unit.parent not in units:
            raise UnitsFileError(f"{path}: unit {unit.code} has unknown parent {unit.parent}")
    default = data.get("default_unit")
    if default not in units:
        raise UnitsFileError(f"{path}: default_unit {default!r} is not one of the units")
    return UnitDirectory(units=units, default_code=default, demo=bool(data.get("demo")))


@functools.lru_cache(maxsize=1)
def directory() -> UnitDirectory:
    """The units of this deployment, read once per process."""
    return load_units()
