"""One-off conversion of ../shared/knowledge/curated.jsonl into one YAML record per procedure.

Kept for provenance: it shows how each curated field maps onto knowledge_base.schema.
Re-running it overwrites knowledge_base/records/curated/*.yml (hand edits would be lost).
"""
import json
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from knowledge_base.schema import Procedure  # noqa: E402

LEVELS = {"commune": ["commune"], "province": ["province"], "several": ["province", "commune"]}
CHECKED = "2026-11-23"


def channels(raw: dict) -> list[dict]:
    out = []
    url = next((s for s in raw["sources"] if s.startswith("https://dichvucong.gov.vn")), None)
    fully = {"toàn trình": True, "một phần": False}.get(raw.get("online_level"))
    for text in raw["channels"]:
        low = text.lower()
        kinds = []
        if "trực tiếp" in low or "văn bản" in low:
            kinds.append("truc_tiep")
        if "bưu chính" in low:
            kinds.append("buu_chinh")
        if "trực tuyến" in low:
            kinds.append("truc_tuyen")
        for kind in kinds:
            if any(c["kind"] == kind for c in out):
                continue
            channel = {"kind": kind}
            if text.strip() not in ("trực tiếp", "bưu chính", "trực tuyến"):
                channel["description"] = text
            if kind == "truc_tuyen":
                channel["online_url"] = url or "https://dichvucong.gov.vn"
                if fully is not None:
                    channel["fully_online"] = fully
            out.append(channel)
    return out


def source(text: str) -> dict:
    if text.startswith("http"):
        kind = "official_portal" if "dichvucong.gov.vn" in text or "bocongan.gov.vn" in text else "provincial_portal"
        return {"title": text.split("/")[2], "url": text, "kind": kind}
    repo, _, path = text.partition(":")
    return {"title": f"{repo} ({path})" if path else repo, "kind": "secondary"}


def convert(raw: dict) -> dict:
    codes = [c.strip() for c in (raw.get("official_code") or "").split(";") if c.strip()]
    record = {
        "id": raw["id"],
        "official_code": codes,
        "name": raw["name"],
        "aliases": [],
        "field": raw["field"],
        "level": LEVELS[raw["level"]],
        "agency": {"receives": raw.get("agency"), "decides": None},
        "channels": channels(raw),
        "steps": raw.get("steps") or [],
        "documents": [{"name": d} for d in raw.get("documents") or []],
        "processing_time": raw.get("processing_time") or None,
        "fee": {"summary": raw.get("fee") or None},
        "requirements": raw.get("requirements") or None,
        "result": raw.get("result") or None,
        "legal_basis": raw.get("legal_basis") or [],
        "sources": [source(s) for s in raw["sources"]],
        "updated": CHECKED,
        "confidence": raw.get("confidence"),
        "notes": raw.get("notes") or None,
        "origin": "curated",
    }
    Procedure.model_validate(record)
    return record


def main(src: Path, dest: Path) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    for line in src.read_text(encoding="utf-8").splitlines():
        record = convert(json.loads(line))
        text = yaml.safe_dump(record, allow_unicode=True, sort_keys=False, width=100)
        (dest / f"{record['id']}.yml").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    root = Path(__file__).resolve().parents[1]
    main(root.parent / "shared/knowledge/curated.jsonl", root / "knowledge_base/records/curated")
