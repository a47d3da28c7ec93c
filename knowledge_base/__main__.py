"""Command line: build, search, eval, import, check, coverage (python -m knowledge_base --help)."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .config import Settings


def _print_json(value) -> None:
    print(json.dumps(value, ensure_ascii=False))


def cmd_build(args, settings: Settings) -> int:
    from .index import build, is_current

    if args.if_stale and is_current(settings):
        print(f"index in {settings.index_dir} is up to date")
        return 0
    report = build(settings)
    for problem in report.problems:
        print(f"skipped: {problem}", file=sys.stderr)
    m = report.manifest
    print(f"built {report.path} in {report.seconds:.1f}s: {m['procedures']} procedures, {m['passages']} passages "
          f"({report.encoded} encoded now, the rest from cache), encoder {m['model']}, faiss {m['faiss']}, "
          f"no-answer threshold {m.get('calibration', {}).get('no_answer_below', 'default')}")
    return 0


def _searcher(args, settings: Settings):
    from .retrieval import load_search

    mode = getattr(args, "mode", "hybrid")
    return load_search(settings, use_lexical=mode != "dense", use_dense=mode != "lexical")


def cmd_search(args, settings: Settings) -> int:
    from .retrieval import InvalidQuery

    searcher = _searcher(args, settings)
    elsewhere = None
    try:
        hits = searcher.search(args.query, args.k)
        if not hits and not args.json:  # a scoped index (scope.py) names what it declined
            elsewhere = searcher.outside_scope(args.query)
    except InvalidQuery as error:
        print(f"invalid question: {error}", file=sys.stderr)
        hits = []
    if args.json:
        _print_json([h.as_json() for h in hits])
    elif not hits:
        if elsewhere is not None:
            print(f"Thủ tục ngoài phạm vi dữ liệu này (outside this index's scope): {elsewhere.id} {elsewhere.name}")
        else:
            print("Không tìm thấy thủ tục phù hợp (no procedure found).")
    for hit in hits if not args.json else []:
        print(f"{hit.score:.3f}  {hit.id:40s} {hit.name}  [{hit.aspect}]")
    return 0


def cmd_eval(args, settings: Settings) -> int:
    from .evaluate import evaluate, read_questions

    searcher = _searcher(args, settings)
    try:
        questions = read_questions(Path(args.questions))
    except (OSError, ValueError) as error:
        print(f"cannot read questions: {error}", file=sys.stderr)
        return 2
    misses: list = []
    result = evaluate(searcher.search, questions, misses=misses, indexed=searcher.index.procedures)
    if args.show_misses:
        for miss in misses:
            print(json.dumps(miss, ensure_ascii=False), file=sys.stderr)
    _print_json(result)
    return 0


def cmd_check(args, settings: Settings) -> int:
    from .records import load_records

    procedures, problems = load_records(settings.records_dirs)
    for problem in problems:
        print(problem)
    print(f"{len(procedures)} valid records, {len(problems)} problems")
    return 1 if problems else 0


def cmd_import(args, settings: Settings) -> int:
    from .importer import ImportRefused, import_file

    try:
        report = import_file(Path(args.file), Path(args.dest) if args.dest else None)
    except ImportRefused as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for problem in report.problems:
        print(f"invalid: {problem}", file=sys.stderr)
    print(f"imported {report.written} records into {report.dest}; {len(report.problems)} problems "
          f"in {report.rejected} rejected rows")
    return 0 if report.written else 1


def cmd_coverage(args, settings: Settings) -> int:
    from .coverage import coverage_report, format_coverage
    from .records import load_records

    procedures, problems = load_records(settings.records_dirs)
    report = coverage_report(procedures)
    report["record_problems"] = len(problems)
    if args.json:
        _print_json(report)
    else:
        print(format_coverage(report))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m knowledge_base", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build the search index from the records")
    b.add_argument("--if-stale", action="store_true", help="do nothing when the index matches the records")
    s = sub.add_parser("search", help="search procedures for a question")
    s.add_argument("query")
    s.add_argument("--k", type=int, default=5)
    s.add_argument("--json", action="store_true")
    s.add_argument("--mode", choices=("hybrid", "lexical", "dense"), default="hybrid")
    e = sub.add_parser("eval", help="evaluate retrieval on a JSONL question file")
    e.add_argument("--questions", required=True)
    e.add_argument("--mode", choices=("hybrid", "lexical", "dense"), default="hybrid")
    e.add_argument("--show-misses", action="store_true")
    sub.add_parser("check", help="validate every record file")
    i = sub.add_parser("import", help="import procedure records from a CSV/JSON/JSONL export")
    i.add_argument("file")
    i.add_argument("--dest", help="folder the import owns and replaces whole (default var/records/<file name>)")
    c = sub.add_parser("coverage", help="procedures per ministry, level and origin; parsed fields; import flags")
    c.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
    except ValueError as error:  # a KB_* variable that cannot be read
        print(f"error: configuration: {error}", file=sys.stderr)
        return 2
    from .index import IndexError_

    try:
        return {"build": cmd_build, "search": cmd_search, "eval": cmd_eval, "check": cmd_check,
                "import": cmd_import, "coverage": cmd_coverage}[args.command](args, settings)
    except IndexError_ as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
