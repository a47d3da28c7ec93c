"""`python -m units check [FILE]`: list the bad rows of a units file (exit status 1 if any)."""
from __future__ import annotations

import sys

from . import UnitsFileError, load_units


def main(argv: list[str]) -> int:
    if not argv or argv[0] != "check":
        print("usage: python -m units check [FILE]", file=sys.stderr)
        return 2
    try:
        loaded = load_units(argv[1] if len(argv) > 1 else None)
    except UnitsFileError as error:
        print(error, file=sys.stderr)
        return 1
    for problem in loaded.problems:
        print(problem)
    print(f"{len(loaded.units)} units, {sum(len(u.desks) for u in loaded.units.values())} desks, "
          f"{len(loaded.problems)} problems")
    return 1 if loaded.problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
