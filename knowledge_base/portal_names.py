"""Everyday names of imported portal procedures (portal_aliases.yml).

A portal record carries only its legal name ("Giải quyết hưởng bảo hiểm xã hội một lần"); citizens
say "rút bảo hiểm một lần", and foreigners search in English. The project's own file gives the most
citizen-facing imported procedures aliases and an English name, keyed by official code, so a
re-import of the portal keeps them and the portal's text stays as published. They are added when the
records are loaded (records.load_records), so the index, the coverage report and the answers all see
the same names, and editing the file makes the index stale like editing a record does.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from .phrases import read_lexicon
from .schema import Procedure

NAMES_FILE = Path(__file__).with_name("portal_aliases.yml")


class PortalNamesError(ValueError):
    """portal_aliases.yml cannot be used; the message names the file and the code."""


@dataclass(frozen=True)
class EverydayNames:
    aliases: tuple[str, ...]
    name_en: str | None


def load_names(path: Path = NAMES_FILE) -> dict[str, EverydayNames]:
    if not path.exists():
        return {}
    data = read_lexicon(path, PortalNamesError, "official codes, each with aliases and name_en")
    names = {}
    for code, entry in data.items():
        aliases = entry.get("aliases", []) if isinstance(entry, dict) else None
        name_en = entry.get("name_en") if isinstance(entry, dict) else None
        if (not isinstance(entry, dict) or set(entry) - {"aliases", "name_en"} or not isinstance(aliases, list)
                or not all(isinstance(a, str) and a.strip() for a in aliases)
                or not (name_en is None or isinstance(name_en, str) and name_en.strip())):
            raise PortalNamesError(f"{path}: {code}: expected aliases (a list of names) and name_en (a name)")
        names[str(code)] = EverydayNames(tuple(a.strip() for a in aliases), name_en.strip() if name_en else None)
    return names


@lru_cache(maxsize=1)
def default_names() -> dict[str, EverydayNames]:
    return load_names()


def with_everyday_names(procedures: Iterable[Procedure], names: dict[str, EverydayNames] | None = None
                        ) -> list[Procedure]:
    """The procedures, imported portal ones with the aliases and English name of their code added
    (what a record already has comes first and is never replaced)."""
    names = default_names() if names is None else names
    out = []
    for p in procedures:
        entry = next((names[c] for c in p.official_code if c in names), None) if p.origin == "portal" else None
        if entry is not None:
            p = p.model_copy(update={"aliases": list(dict.fromkeys([*p.aliases, *entry.aliases])),
                                     "name_en": p.name_en or entry.name_en})
        out.append(p)
    return out
