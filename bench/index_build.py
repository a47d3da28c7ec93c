"""Index build: a full build from scratch (fresh embedding cache) side by side with an incremental
rebuild after one record is edited (warm cache), where the time goes, the memory peak of each build
and the size of the index on disk. Each build runs in its own process so its memory peak is its own.

    .venvs/app/bin/python bench/index_build.py                    # curated + imported records (minutes)
    .venvs/app/bin/python bench/index_build.py --records curated  # the hand-researched records only
"""
from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.measure import OtherLoad, Stopwatch, machine, memory_mb, section, table  # noqa: E402

CURATED = REPO / "knowledge_base" / "records" / "curated"
EDIT_SUFFIX = " (sửa để đo thời gian build)"
NEGLIGIBLE_SECONDS = 0.05  # phases this short get no ratio: it would only show timer noise


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", default="full",
                        help="'full' (default: the configured KB_RECORDS_DIRS, curated + imported), 'curated', "
                             f"or folders joined by '{os.pathsep}'")
    parser.add_argument("--child", help=argparse.SUPPRESS)  # one build, run by this script in a fresh process
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_child(json.loads(args.child))))
        return 0

    from knowledge_base.config import Settings

    settings = Settings.from_env()
    dirs = {"full": settings.records_dirs, "curated": (CURATED,)}.get(
        args.records, tuple(Path(d) for d in args.records.split(os.pathsep) if d))
    print(f"index build benchmark, {dt.datetime.now().isoformat(timespec='minutes')}, {machine()}")
    print(f"records: {', '.join(map(str, dirs))}; encoder {settings.encoder}")
    with tempfile.TemporaryDirectory(prefix="kb-build-bench-") as tmp:
        root = Path(tmp)
        with section("copying the records into a tmp folder (the edit below must not touch the real ones)"):
            copies = []
            for number, directory in enumerate(dirs):
                copy = root / "records" / f"{number}-{Path(directory).name}"
                shutil.copytree(directory, copy)
                copies.append(str(copy))
        spec = {"records_dirs": copies, "index_dir": str(root / "index")}

        with section("full build from scratch: empty embedding cache, every dense passage encoded") as load:
            full = build_in_child(spec)
        full["other_load"] = load.cores
        with section("nothing changed: `build --if-stale` only checks the index against the records"):
            check = build_in_child(spec | {"check_only": True})
            print(f"is_current() = {check['current']} in {check['seconds']:.2f} s")
        with section("one record edited, then rebuilt with the warm embedding cache") as load:
            edited = edit_one_record(copies)
            print(f"edited {edited}: name += {EDIT_SUFFIX!r}")
            incremental = build_in_child(spec)
        incremental["other_load"] = load.cores

        print_builds(full, incremental)
        print_sizes(root / "index")
    return 0


# --- the parent: running builds and printing -----------------------------------------------------------

def build_in_child(spec: dict) -> dict:
    done = subprocess.run([sys.executable, __file__, "--child", json.dumps(spec)], capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"the build failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def edit_one_record(record_dirs: list[str]) -> str:
    """Renames one served record (an imported one when there are any): the costliest one-record edit,
    since the name is in every passage of the record and in its dense name/overview passages."""
    import yaml

    from knowledge_base.records import load_records, merge_curated_first, record_files

    procedures, _ = load_records(map(Path, record_dirs))
    served = {p.id: p for p in merge_curated_first(procedures).procedures}
    files = record_files(map(Path, record_dirs))
    files.sort(key=lambda path: path.suffix != ".json")  # imported records are JSON, curated YAML
    for path in files:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
        if isinstance(data, dict) and data.get("id") in served:
            data["name"] = data["name"] + EDIT_SUFFIX
            path.write_text(json.dumps(data, ensure_ascii=False, indent=1) if path.suffix == ".json"
                            else yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
            return f"{path.name} ({data['id']})"
    sys.exit("no record to edit")


def print_builds(full: dict, incremental: dict) -> None:
    print(f"\n== builds side by side ({full['procedures']} procedures, {full['passages']:,} passages, "
          f"{full['dense_passages']:,} of them dense, FAISS {full['faiss']})")
    rows = []
    for label, key in (("build (index.build), s", "seconds"), ("encoder load before it, s", "model_seconds"),
                       ("passages encoded", "encoded"), ("dense encoding, passages/s", "passages_per_second"),
                       ("VmRSS after encoder load, MB", "rss_after_model"), ("VmHWM peak of the build, MB", "hwm"),
                       ("other processes busy, cores", "other_load")):
        a, b = full.get(key), incremental.get(key)
        numbers = isinstance(a, (int, float)) and isinstance(b, (int, float)) and a
        ratio = b / a if numbers and key != "other_load" else None
        rows.append([label, a, b, ratio])
    print(table(["", "full (fresh cache)", "incremental (1 edit)", "incremental/full"], rows))
    print("\nwhere the build time goes, s:")
    phases = list(dict.fromkeys([*full["phases"], *incremental["phases"]]))
    print(table(["phase", "full", "incremental", "incremental/full"],
                [[phase, full["phases"].get(phase, 0.0), incremental["phases"].get(phase, 0.0),
                  incremental["phases"].get(phase, 0.0) / full["phases"][phase]
                  if full["phases"].get(phase, 0.0) >= NEGLIGIBLE_SECONDS else None]
                 for phase in phases]))
    print(f"\nratio incremental/full: {incremental['seconds'] / full['seconds']:.3f} "
          f"({incremental['seconds']:.1f} s vs {full['seconds']:.1f} s; with encoder load "
          f"{(incremental['seconds'] + incremental['model_seconds']) / (full['seconds'] + full['model_seconds']):.3f})")


def print_sizes(index_dir: Path) -> None:
    build = index_dir / (index_dir / "CURRENT").read_text().strip()
    files = sorted(p for p in build.iterdir() if p.is_file())
    caches = sorted((index_dir.parent / "cache").glob("*.npz"))
    rows = [[f"{build.name}/{p.name}", p.stat().st_size / 1e6] for p in files]
    rows.append(["the build, total", sum(p.stat().st_size for p in files) / 1e6])
    rows += [[f"cache/{p.name} (beside the index, kept across builds)", p.stat().st_size / 1e6] for p in caches]
    kept = [p for p in index_dir.glob("build-*") if p.is_dir()]
    print(f"\n== index size on disk ({len(kept)} builds kept in the index folder)")
    print(table(["file", "MB"], rows))


# --- the child: one build, timed by phase ----------------------------------------------------------------

def run_child(spec: dict) -> dict:
    from knowledge_base import index as kb_index
    from knowledge_base import vectors
    from knowledge_base.config import Settings
    from knowledge_base.encoder import load_encoder

    settings = dataclasses.replace(Settings.from_env(), records_dirs=tuple(map(Path, spec["records_dirs"])),
                                   index_dir=Path(spec["index_dir"]))
    if spec.get("check_only"):
        start = time.perf_counter()
        current = kb_index.is_current(settings)
        return {"current": current, "seconds": time.perf_counter() - start}

    clock = Stopwatch()
    clock.patch(kb_index, "load_records", "read + validate record files")
    clock.patch(kb_index, "merge_curated_first", "merge (curated replace imported)")
    clock.patch(kb_index, "procedure_passages", "split into passages")
    clock.patch(kb_index.EmbeddingCache, "__init__", "embedding cache: read")
    clock.patch(kb_index.EmbeddingCache, "encode", "dense encoding of cache misses (model)")
    clock.patch(kb_index.EmbeddingCache, "save", "embedding cache: write")
    clock.patch(vectors, "build_vector_index", "FAISS index build")
    clock.patch(vectors, "save", "FAISS index write")
    clock.patch(kb_index, "LexicalIndex", "BM25 index build")
    clock.patch(kb_index, "_calibrate", "no-answer threshold calibration (dev questions)")
    start = time.perf_counter()
    encoder = load_encoder(settings.encoder)
    model_seconds = time.perf_counter() - start
    rss_after_model = memory_mb()["rss"]
    with OtherLoad() as load:
        report = kb_index.build(settings, encoder)
    phases = clock.take()
    phases["the rest (pickle + JSON writes, manifest, CURRENT swap)"] = report.seconds - sum(phases.values())
    encoding = phases.get("dense encoding of cache misses (model)", 0.0)
    return {
        "seconds": report.seconds, "model_seconds": model_seconds, "encoded": report.encoded,
        "passages_per_second": report.encoded / encoding if report.encoded >= 100 and encoding else None,
        "procedures": report.manifest["procedures"], "passages": report.manifest["passages"],
        "dense_passages": report.manifest["dense_passages"], "faiss": report.manifest["faiss"],
        "rss_after_model": rss_after_model, "hwm": memory_mb()["hwm"], "phases": phases,
        "problems": len(report.problems), "other_load_in_child": load.cores,
    }


if __name__ == "__main__":
    sys.exit(main())
