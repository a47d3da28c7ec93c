"""Merge a reviewed aliases file ({id: {aliases, name_en, aliases_en}}) into the curated YAML records.

Only the alias keys are touched; the facts stay as they are. Idempotent.
"""
import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1] / "knowledge_base/records/curated"


def main(source: Path) -> None:
    aliases = json.loads(source.read_text(encoding="utf-8"))
    for pid, names in aliases.items():
        path = ROOT / f"{pid}.yml"
        record = yaml.safe_load(path.read_text(encoding="utf-8"))
        merged = {}
        for key, value in record.items():
            merged[key] = value
            if key == "name":
                merged["name_en"] = names["name_en"]
        merged["aliases"] = names["aliases"]
        merged["aliases_en"] = names["aliases_en"]
        ordered = {k: merged[k] for k in ("id", "official_code", "name", "name_en", "aliases", "aliases_en")}
        ordered.update({k: v for k, v in merged.items() if k not in ordered})
        path.write_text(yaml.safe_dump(ordered, allow_unicode=True, sort_keys=False, width=100), encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
