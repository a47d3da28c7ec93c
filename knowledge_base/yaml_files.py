"""Reading the knowledge base's own YAML files (example questions, out-of-scope questions, records)."""
from __future__ import annotations

from pathlib import Path

import yaml

# the files are large: the C loader reads the example questions in 0.05 s
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path, error: type[Exception]) -> object | None:
    """The file's content, None without the file; a file that cannot be read or parsed raises `error`
    naming it."""
    if not path.exists():
        return None
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=LOADER)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as problem:
        raise error(f"{path}: {problem}") from None
