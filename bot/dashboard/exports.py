"""Report downloads: a generic `Table` written as CSV (UTF-8 with BOM, for Excel) or XLSX (one sheet per
table, real number formats), and the builders that turn `store.reports` results into tables.

Cell values by column kind — text: str; int: int; decimal: float/Decimal (an average); percent: a
percentage such as Decimal("92.09") (what `Rate.percent` returns); rate: `store.scoring.Rate`; date:
`datetime.date`; datetime: `datetime.datetime` (aware values are shown in Vietnam time). None is an empty
cell everywhere. Titles and labels come from exports.yml.
"""
from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional, Sequence, Union
from zoneinfo import ZoneInfo

import yaml

from store import scoring

LABELS_FILE = Path(__file__).with_name("exports.yml")
KINDS = ("text", "int", "decimal", "percent", "rate", "date", "datetime")
LOCAL_TIME = ZoneInfo("Asia/Ho_Chi_Minh")  # the reports' calendar (store.reports.REPORT_TIMEZONE)

# A spreadsheet treats a cell starting with one of these as a formula (or, for tab and CR, as a cell
# that another program may re-split), so citizens' comments could run code on a staff computer.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_XLSX_CELL_CHARS = 32767  # Excel's own limit; longer text would be cut by Excel, unannounced
MAX_SHEET_NAME_CHARS = 31
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # control characters XML 1.0 cannot carry
XLSX_FORMATS = {"int": "#,##0", "decimal": "0.00", "percent": "0.00%", "date": "dd/mm/yyyy",
                "datetime": "dd/mm/yyyy hh:mm"}


@functools.lru_cache(maxsize=1)
def labels() -> dict:
    return yaml.safe_load(LABELS_FILE.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Column:
    title: str
    kind: str = "text"
    width: Optional[int] = None  # XLSX characters; measured from the content when None

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"column {self.title!r}: kind must be one of {', '.join(KINDS)}, not {self.kind!r}")


@dataclass
class Table:
    """One report table: a title (the CSV title line, the XLSX print header), typed columns and rows."""

    title: str
    columns: Sequence[Column]
    rows: list[Sequence[Any]] = field(default_factory=list)
    sheet: Optional[str] = None  # short XLSX sheet name; derived from the title when None

    def __post_init__(self):
        self.columns = [c if isinstance(c, Column) else Column(*c) for c in self.columns]
        for number, row in enumerate(self.rows, start=1):
            if len(row) != len(self.columns):
                raise ValueError(f"table {self.title!r}: row {number} has {len(row)} cells for "
                                 f"{len(self.columns)} columns")


Tables = Union[Table, Iterable[Table]]


def _as_list(tables: Tables) -> list[Table]:
    return [tables] if isinstance(tables, Table) else list(tables)


# ------------------------------------------------------------------ cell values
def guard_text(text: str) -> str:
    """Text that a spreadsheet will not run as a formula: an apostrophe before a dangerous first character."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _local(value: dt.datetime) -> dt.datetime:
    return value.astimezone(LOCAL_TIME).replace(tzinfo=None) if value.tzinfo else value


def _number_text(value, decimals: int) -> str:
    return f"{Decimal(str(value)):.{decimals}f}".replace(".", ",")  # Vietnamese decimal comma


def _percent_text(percent) -> str:
    return f"{_number_text(percent, 2)} %" if percent is not None else labels()["missing"]


_TYPES = {"text": (str,), "int": (int,), "decimal": (int, float, Decimal), "percent": (int, float, Decimal),
          "rate": (scoring.Rate,), "date": (dt.date,), "datetime": (dt.datetime,)}


def _checked(column: Column, value):
    """The value, refused with a clear message when it does not fit the column's kind."""
    if value is None:
        return None
    fits = isinstance(value, _TYPES[column.kind]) and not isinstance(value, bool)
    if column.kind == "date" and isinstance(value, dt.datetime):
        fits = False  # a datetime is a date too, but would lose its time silently
    if not fits:
        raise TypeError(f"column {column.title!r} ({column.kind}) cannot hold {type(value).__name__} {value!r}")
    return value


def csv_cell(column: Column, value) -> str:
    value = _checked(column, value)
    if value is None:
        return ""
    kind = column.kind
    if kind == "text":
        return guard_text(value)
    if kind == "int":
        return str(value)
    if kind == "decimal":
        return _number_text(value, 2)
    if kind == "percent":
        return _percent_text(value)
    if kind == "rate":
        return f"{value.numerator}/{value.denominator} ({_percent_text(value.percent)})"
    if kind == "date":
        return f"{value:%d/%m/%Y}"
    return f"{_local(value):%d/%m/%Y %H:%M}"


# ------------------------------------------------------------------ CSV
def to_csv(tables: Tables) -> bytes:
    """Every table as: a title line, the header, the rows; tables separated by a blank line. UTF-8 with a
    byte-order mark, which is how Excel recognises UTF-8 (without it Vietnamese turns into mojibake)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for number, table in enumerate(_as_list(tables)):
        if number:
            writer.writerow([])
        writer.writerow([guard_text(table.title)])
        writer.writerow([guard_text(c.title) for c in table.columns])
        for row in table.rows:
            writer.writerow([csv_cell(c, v) for c, v in zip(table.columns, row)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# ------------------------------------------------------------------ XLSX
def sheet_names(titles: Iterable[str]) -> list[str]:
    """Names Excel accepts: no []:*?/\\, not empty, no apostrophe at either end, at most 31 characters,
    unique regardless of case (a repeat gets " (2)", " (3)"…)."""
    names: list[str] = []
    taken: set[str] = set()
    for title in titles:
        base = _SHEET_FORBIDDEN.sub(" ", _XLSX_ILLEGAL.sub("", title or ""))
        base = " ".join(base.split()).strip("'").strip() or "Bảng"
        if base.lower() == "history":  # reserved by Excel
            base = "History (1)"
        name, counter = base[:MAX_SHEET_NAME_CHARS].rstrip("'").strip(), 1
        while name.lower() in taken:
            counter += 1
            suffix = f" ({counter})"
            name = base[:MAX_SHEET_NAME_CHARS - len(suffix)].rstrip("'").strip() + suffix
        taken.add(name.lower())
        names.append(name)
    return names


def _xlsx_text(text: str) -> str:
    return _XLSX_ILLEGAL.sub("", text)[:MAX_XLSX_CELL_CHARS]


def _xlsx_columns(column: Column) -> list[tuple[str, str]]:
    """(title, kind) of the spreadsheet columns one table column becomes: a rate keeps its two counts."""
    if column.kind != "rate":
        return [(column.title, column.kind)]
    numerator, denominator = (part.format(title=column.title) for part in labels()["rate_parts"])
    return [(column.title, "percent"), (numerator, "int"), (denominator, "int")]


def _xlsx_values(column: Column, value) -> list:
    value = _checked(column, value)
    kind = column.kind
    if kind == "rate":
        if value is None:
            return [None, None, None]
        percent = value.percent
        return [float(percent / 100) if percent is not None else None, value.numerator, value.denominator]
    if value is None:
        return [None]
    if kind == "text":
        return [_xlsx_text(value)]
    if kind == "percent":
        return [float(Decimal(str(value)) / 100)]
    if kind == "decimal":
        return [float(value)]
    if kind == "datetime":
        return [_local(value)]
    return [value]


def _display_width(kind: str, value) -> int:
    if value is None:
        return 0
    if kind == "text":
        return max((len(line) for line in str(value).splitlines()), default=0)
    return {"int": len(f"{value:,}") if isinstance(value, int) else 6, "decimal": 6, "percent": 8,
            "date": 10, "datetime": 16}.get(kind, 10)


def to_xlsx(tables: Tables) -> bytes:
    """A workbook with one sheet per table: bold header row frozen at the top, numbers stored as numbers
    with number, percent and date formats, widths from the content, the full title as the print header."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    tables = _as_list(tables)
    workbook = Workbook()
    workbook.remove(workbook.active)
    bold = Font(bold=True)
    for table, name in zip(tables, sheet_names(t.sheet or t.title for t in tables)):
        sheet = workbook.create_sheet(name)
        layout = [(column, part) for column in table.columns for part in _xlsx_columns(column)]
        widths = []
        for index, (column, (title, kind)) in enumerate(layout, start=1):
            cell = sheet.cell(row=1, column=index, value=_xlsx_text(title))
            cell.data_type = "s"  # a title is never a formula
            cell.font = bold
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            widths.append(column.width or min(max(len(title) // 2 + 2, 10), 40))
        for row_number, row in enumerate(table.rows, start=2):
            values = [v for column, value in zip(table.columns, row) for v in _xlsx_values(column, value)]
            for index, (value, (column, (_, kind))) in enumerate(zip(values, layout), start=1):
                cell = sheet.cell(row=row_number, column=index, value=value)
                if kind == "text" and value is not None:
                    cell.data_type = "s"  # openpyxl would store "=…" as a formula; this keeps it text
                elif kind in XLSX_FORMATS:
                    cell.number_format = XLSX_FORMATS[kind]
                if not column.width:
                    widths[index - 1] = min(max(widths[index - 1], _display_width(kind, value) + 2), 60)
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.freeze_panes = "A2"
        if table.rows:
            sheet.auto_filter.ref = f"A1:{get_column_letter(len(layout))}{len(table.rows) + 1}"
        # printing: landscape, one page wide, header row repeated, the full title at the top of each page
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
        sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.print_title_rows = "1:1"
        sheet.oddHeader.center.text = table.title.replace("&", "&&")  # & starts a header code in Excel
        sheet.oddFooter.right.text = "&P / &N"
    if not tables:
        workbook.create_sheet("Bảng")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# ------------------------------------------------------------------ builders from store.reports
def _unit_name(code: str) -> str:
    import units

    unit = units.directory().units.get(code)
    return unit.name if unit else code


def _columns(section: Mapping[str, str], kinds: Mapping[str, str]) -> list[Column]:
    return [Column(section[key], kind) for key, kind in kinds.items()]


SUMMARY_KINDS = {
    "unit_code": "text", "unit": "text", "units_counted": "int", "start": "date", "end": "date",
    "issued": "int", "returned": "int", "response_rate": "rate",
    "dossier_issued": "int", "dossier_returned": "int", "dossier_response_rate": "rate",
    "very_satisfied": "int", "satisfied": "int", "dissatisfied": "int",
    "sipas_index": "rate", "satisfied_dossiers": "rate", "scored": "int", "average_score": "decimal",
    "grade": "text", "average_citizen_score": "decimal",
}


def _summary_row(report) -> list:
    return [report.unit, _unit_name(report.unit), len(report.units), report.period.start, report.period.end,
            report.issued, report.returned, report.response_rate,
            report.dossier_issued, report.dossier_returned, report.dossier_response_rate,
            *(report.levels.get(level, 0) for level in scoring.OVERALL_LABELS),
            report.sipas_index, report.satisfied_dossiers, report.scored, report.average_score,
            report.grade.label if report.grade else None, report.average_citizen_score]


def _summary_columns() -> list[Column]:
    names = dict(labels()["summary"]["columns"])
    # the level columns carry the survey's own words (store.scoring.OVERALL_LABELS)
    names.update(scoring.OVERALL_LABELS)
    return _columns(names, SUMMARY_KINDS)


def _group_table(section: dict, rows, report, name_of) -> Table:
    shared = labels()["groups"]
    columns = [Column(section["columns"]["key"]), Column(section["columns"]["name"]),
               Column(shared["returned"], "int"),
               *(Column(label, "int") for label in scoring.OVERALL_LABELS.values()),
               Column(shared["satisfaction"], "rate"), Column(shared["average_score"], "decimal")]
    body = [[row.key, name_of(row.key), row.returned, *(row.levels.get(level, 0) for level in scoring.OVERALL_LABELS),
             row.satisfaction, row.average_score] for row in rows]
    return Table(section["title"].format(unit=_unit_name(report.unit), period=report.period), columns, body,
                 sheet=section["sheet"])


def unit_report_tables(report, names: Mapping[str, str] = {}) -> list[Table]:
    """A `store.reports.UnitReport` as five tables: summary, indicators, SIPAS aspects, by procedure (names
    from `names`, procedure id -> name), by channel."""
    text = labels()
    unit, period = _unit_name(report.unit), report.period
    summary = Table(text["summary"]["title"].format(unit=unit, period=period), _summary_columns(),
                    [_summary_row(report)], sheet=text["summary"]["sheet"])

    section = text["indicators"]["columns"]
    indicator_kinds = {"letter": "text", "name": "text", "citizen_2": "int", "citizen_1": "int", "citizen_0": "int",
                       "citizen_average": "decimal", "agency_2": "int", "agency_1": "int", "agency_0": "int",
                       "agency_average": "decimal"}
    indicators = Table(
        text["indicators"]["title"].format(unit=unit, period=period), _columns(section, indicator_kinds),
        [[i.letter, i.name, *((i.citizen.get(p, 0) for p in (2, 1, 0)) if i.citizen else (None,) * 3),
          i.citizen_average, *(i.agency.get(p, 0) for p in (2, 1, 0)), i.agency_average]
         for i in report.indicators], sheet=text["indicators"]["sheet"])

    section = text["sipas"]["columns"]
    sipas = Table(
        text["sipas"]["title"].format(unit=unit, period=period),
        [Column(section["aspect"]),
         *(Column(f"{level} – {label}", "int") for level, label in scoring.SIPAS_LEVELS.items()),
         Column(section["satisfied"], "rate")],
        [[scoring.SIPAS_ASPECTS.get(aspect, aspect),
          *(report.sipas_aspect_levels.get(aspect, {}).get(level, 0) for level in scoring.SIPAS_LEVELS), rate]
         for aspect, rate in report.sipas_aspects.items()], sheet=text["sipas"]["sheet"])

    unknown = text["unknown"]
    procedures = _group_table(text["procedures"], report.by_procedure, report,
                              lambda key: names.get(key, "") if key else unknown)
    channels = _group_table(text["channels_table"], report.by_channel, report,
                            lambda key: text["channels"].get(key, key) if key else unknown)
    return [summary, indicators, sipas, procedures, channels]


def comparison_table(reports: Iterable) -> Table:
    """The ranking of units (`store.reports.compare_units`, best SIPAS index first): one summary row each,
    with the rank; units without any rating share no rank."""
    reports = list(reports)
    text = labels()["comparison"]
    period = reports[0].period if reports else ""
    rows, rank = [], 0
    for report in reports:
        rank += 1
        rows.append([rank if report.sipas_index.denominator else None, *_summary_row(report)])
    return Table(text["title"].format(period=period), [Column(text["rank"], "int"), *_summary_columns()], rows,
                 sheet=text["sheet"])


def trend_table(unit: str, year: int, rows: Iterable[tuple[int, int, scoring.Rate]]) -> Table:
    """`store.reports.monthly_trend` output: one row per month."""
    text = labels()["trend"]
    kinds = {"year": "int", "month": "int", "returned": "int", "sipas_index": "rate"}
    return Table(text["title"].format(unit=_unit_name(unit), year=year), _columns(text["columns"], kinds),
                 [[year, month, returned, rate] for month, returned, rate in rows], sheet=text["sheet"])
