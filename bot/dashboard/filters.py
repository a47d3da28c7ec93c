"""Reading what a page was asked for — period, paging, search text, choices — from query strings and
forms. Anything that does not fit raises `BadInput` with a message key; nothing here touches data."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Mapping, Optional

from store.reports import REPORT_TIMEZONE, Period

PERIOD_KINDS = ("month", "quarter", "year", "custom")
MIN_YEAR, MAX_YEAR = 2000, 2100
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
MAX_PAGE = 100_000
MAX_SEARCH_CHARS = 200
_INT = re.compile(r"^\s*\d{1,12}\s*$")


class BadInput(ValueError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class PeriodChoice:
    """The period form as the user filled it (to show it again) and the period it means."""

    kind: str
    year: int
    month: int
    quarter: int
    start: dt.date
    end: dt.date
    period: Period

    def query(self) -> dict[str, str]:
        """The query parameters that select this period again (links, downloads)."""
        values = {"period": self.kind, "year": str(self.year)}
        if self.kind == "month":
            values["month"] = str(self.month)
        elif self.kind == "quarter":
            values["quarter"] = str(self.quarter)
        elif self.kind == "custom":
            values.update(start=self.start.isoformat(), end=self.end.isoformat())
        return values


def today() -> dt.date:
    return dt.datetime.now(REPORT_TIMEZONE).date()


def _text(params: Mapping[str, str], name: str) -> str:
    value = params.get(name)
    return value.strip() if isinstance(value, str) else ""


def _int(params: Mapping[str, str], name: str, default: int, low: int, high: int, code: str) -> int:
    text = _text(params, name)
    if not text:
        return default
    if not _INT.match(text) or not low <= int(text) <= high:
        raise BadInput(code)
    return int(text)


def _date(params: Mapping[str, str], name: str, default: dt.date) -> dt.date:
    text = _text(params, name)
    if not text:
        return default
    try:
        value = dt.date.fromisoformat(text[:10]) if len(text) == 10 else None
    except ValueError:
        value = None
    if value is None or not MIN_YEAR <= value.year <= MAX_YEAR:
        raise BadInput("bad_date")
    return value


def parse_period(params: Mapping[str, str], now: Optional[dt.date] = None) -> PeriodChoice:
    """period=month|quarter|year|custom with year, month, quarter, start, end; default: this month."""
    now = now or today()
    kind = _text(params, "period") or "month"
    if kind not in PERIOD_KINDS:
        raise BadInput("bad_period_kind")
    year = _int(params, "year", now.year, MIN_YEAR, MAX_YEAR, "bad_year")
    month = _int(params, "month", now.month, 1, 12, "bad_month")
    quarter = _int(params, "quarter", (now.month - 1) // 3 + 1, 1, 4, "bad_quarter")
    start = _date(params, "start", now.replace(day=1))
    end = _date(params, "end", now)
    try:
        if kind == "month":
            period = Period.month(year, month)
        elif kind == "quarter":
            period = Period.quarter(year, quarter)
        elif kind == "year":
            period = Period.year(year)
        else:
            if end < start:
                raise BadInput("reversed_period")
            period = Period(start, end)
    except BadInput:
        raise
    except ValueError:
        raise BadInput("too_long_period") from None
    return PeriodChoice(kind=kind, year=year, month=month, quarter=quarter, start=period.start, end=period.end,
                        period=period)


@dataclass(frozen=True)
class Paging:
    page: int
    size: int
    capped: bool  # the size asked for was above MAX_PAGE_SIZE

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size


def parse_paging(params: Mapping[str, str]) -> Paging:
    page_text, size_text = _text(params, "page"), _text(params, "size")
    for text in (page_text, size_text):
        if text and not _INT.match(text):
            raise BadInput("bad_number")
    page = int(page_text) if page_text else 1
    size = int(size_text) if size_text else DEFAULT_PAGE_SIZE
    if page < 1 or size < 1:
        raise BadInput("bad_number")
    return Paging(page=min(page, MAX_PAGE), size=min(size, MAX_PAGE_SIZE), capped=size > MAX_PAGE_SIZE)


def parse_search(params: Mapping[str, str], name: str = "q") -> str:
    text = _text(params, name)
    if len(text) > MAX_SEARCH_CHARS:
        raise BadInput("search_too_long")
    return text


def parse_choice(params: Mapping[str, str], name: str, choices, code: str) -> Optional[str]:
    text = _text(params, name)
    if not text:
        return None
    if text not in choices:
        raise BadInput(code)
    return text
