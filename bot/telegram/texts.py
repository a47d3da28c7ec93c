"""The Telegram channel's own texts (help, errors, command menu), read from messages.yml."""
from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Optional

from bot.catalogue import load_catalogue

CATALOGUE_FILE = Path(__file__).with_name("messages.yml")
LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"


def normalise_language(code: Optional[str]) -> str:
    """"en" for English (also "en-GB"), Vietnamese for everything else."""
    return "en" if (code or "").lower().startswith("en") else DEFAULT_LANGUAGE


@functools.lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, Any]]:
    return load_catalogue(CATALOGUE_FILE)


def text(key: str, language: Optional[str] = None) -> str:
    return catalogue()[normalise_language(language)][key]


def commands(language: Optional[str] = None) -> dict[str, str]:
    """Command name → description for the bot menu, in the catalogue's order."""
    return dict(catalogue()[normalise_language(language)]["commands"])
