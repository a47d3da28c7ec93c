"""Reading the knowledge base's own YAML files (example questions, out-of-scope questions, records)."""
from __future__ import annotations

from pathlib import Path

import yaml

# the files are large: the C loader reads the example questions in 0.05 s
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_grouped_texts(path: Path, error: type[Exception], group: str, items: str, max_chars: int) -> tuple[str, ...]:
    """A file listing groups, each `{group: name, items: [text, ...]}` (out-of-scope questions by topic,
    phrases by kind): every text, spaces normalised, in file order without repeats; () without the file. A
    file of another shape raises `error` naming the file and the group."""
    data = read_yaml(path, error)
    if data is None:
        return ()
    if not isinstance(data, list):
        raise error(f"{path}: expected a list of {group}s, each with its {items}")
    texts: dict[str, None] = {}
    for number, entry in enumerate(data, 1):
        name = entry.get(group) if isinstance(entry, dict) else None
        listed = entry.get(items) if isinstance(entry, dict) else None
        if (not isinstance(name, str) or not isinstance(listed, list)
                or not all(isinstance(t, str) and t.strip() and len(t) <= max_chars for t in listed)):
            raise error(f"{path}: {group} {name if isinstance(name, str) else number}: expected `{group}` and "
                        f"`{items}`, a list of {items} (text of at most {max_chars} characters)")
        texts.update((" ".join(t.split()), None) for t in listed)
    return tuple(texts)


def read_yaml(path: Path, error: type[Exception]) -> object | None:
    """The file's content, None without the file; a file that cannot be read or parsed raises `error`
    naming it."""
    if not path.exists():
        return None
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=LOADER)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as problem:
        raise error(f"{path}: {problem}") from None
