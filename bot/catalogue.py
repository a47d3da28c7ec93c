"""Message catalogues of the front ends: one YAML file per channel, Vietnamese and English."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


def load_catalogue(path: Path) -> dict[str, dict[str, Any]]:
    """The catalogue {language: {key: text}}; refused when a key is missing in one language."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    different = set(data["vi"]) ^ set(data["en"])
    if different:
        raise ValueError(f"{path}: keys not in both languages: {sorted(different)}")
    return data
