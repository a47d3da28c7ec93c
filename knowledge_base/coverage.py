"""What the catalogue covers: procedures per ministry, level and origin, how many carry each parsed
field and each import flag (`python -m knowledge_base coverage`)."""
from __future__ import annotations

from collections import Counter

from .records import merge_curated_first
from .schema import Procedure

CURATED_MINISTRY = "curated (hand-researched)"
UNKNOWN_MINISTRY = "(ministry not given)"
ORIGINS = ("curated", "portal", "import")
FIELDS = ("fee", "processing_time", "documents", "steps", "legal_basis")


def ministry_of(procedure: Procedure) -> str:
    """Bộ, ngành quản lý; curated records are researched by hand and usually name none."""
    if procedure.ministry:
        return procedure.ministry
    return CURATED_MINISTRY if procedure.origin == "curated" else UNKNOWN_MINISTRY


def has_field(procedure: Procedure, field: str) -> bool:
    """Whether the record says something for this field, on the record or on one of its channels."""
    if field == "fee":
        return bool(procedure.fee.summary) or any(c.fee for c in procedure.channels)
    if field == "processing_time":
        return bool(procedure.processing_time) or any(c.processing_time for c in procedure.channels)
    return bool(getattr(procedure, field))


def flag_name(flag: str) -> str:
    """`unknown_level:huyện` and `unknown_level:tổ` are one kind of defect."""
    return flag.split(":", 1)[0]


def coverage_report(procedures: list[Procedure]) -> dict:
    """Coverage of the procedures citizens get answers from: the loaded records after curated ones
    replaced the imported records they cover (the replaced ones are only counted)."""
    catalogue = merge_curated_first(procedures)
    served = catalogue.procedures
    by_origin = Counter(p.origin for p in served)
    flags = Counter(name for p in served for name in dict.fromkeys(map(flag_name, p.flags)))
    return {
        "records": len(procedures),
        "procedures": len(served),
        "replaced_by_curated": sum(len(replaced) for replaced in catalogue.second_sources.values()),
        "by_ministry": dict(Counter(map(ministry_of, served)).most_common()),
        # a procedure done at several levels counts under each of them
        "by_level": dict(Counter(level for p in served for level in p.level).most_common()),
        "by_origin": dict(by_origin.most_common()),
        "with_field": {field: sum(has_field(p, field) for p in served) for field in FIELDS},
        "with_field_by_origin": {
            origin: {field: sum(has_field(p, field) for p in served if p.origin == origin) for field in FIELDS}
            for origin in ORIGINS if by_origin[origin]
        },
        "flagged": sum(bool(p.flags) for p in served),
        "by_flag": dict(flags.most_common()),
    }


def format_coverage(report: dict) -> str:
    """The report as aligned text for a person."""
    total = report["procedures"]

    def share(n: int, of: int = total) -> str:
        return f"{n:6d}  {100 * n / of:5.1f}%" if of else f"{n:6d}"

    lines = [f"{total} procedures answered from ({report['records']} records loaded, "
             f"{report['replaced_by_curated']} imported records replaced by curated ones)"]
    if report.get("record_problems"):
        lines[0] += f"; {report['record_problems']} record problems (see `python -m knowledge_base check`)"
    for title, key in (("By ministry", "by_ministry"), ("By level (a procedure at several levels counts under each)",
                                                         "by_level"), ("By origin", "by_origin")):
        lines += ["", f"{title}:"] + [f"  {share(n)}  {name}" for name, n in report[key].items()]
    origins = list(report["with_field_by_origin"])
    lines += ["", "With the field filled (parsed):", "  " + f"{'':17s}{'all':>15s}" +
              "".join(f"{origin:>15s}" for origin in origins)]
    for field in FIELDS:
        cells = [share(report["with_field"][field])]
        cells += [share(report["with_field_by_origin"][o][field], report["by_origin"][o]) for o in origins]
        lines.append(f"  {field:17s}" + "".join(f"{cell:>15s}" for cell in cells))
    flagged = report["flagged"]
    lines += ["", f"Flagged on import (defects shown to staff): {flagged} procedures"
                  f" ({100 * flagged / total if total else 0:.1f}%), by flag:"]
    lines += [f"  {share(n)}  {name}" for name, n in report["by_flag"].items()]
    return "\n".join(lines)
