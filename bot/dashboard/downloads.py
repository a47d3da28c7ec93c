"""Turning a page's tables into a CSV or XLSX download (the writers are `exports.to_csv` / `to_xlsx`)."""
from __future__ import annotations

import datetime as dt
import re
from typing import Callable
from urllib.parse import quote

from starlette.responses import Response

from .web import Context, error_page

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def filename(stem: str, unit: str, start: dt.date, end: dt.date, fmt: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", f"{stem}-{unit}-{start:%Y%m%d}-{end:%Y%m%d}")
    return f"{safe}.{fmt}"


def download(ctx: Context, fmt: str, name: str, tables: Callable[[], list]) -> Response:
    try:
        from . import exports
    except ImportError:
        return error_page(ctx, 503, "export_unavailable")
    built = tables()
    body = exports.to_csv(built) if fmt == "csv" else exports.to_xlsx(built)
    return Response(body, media_type=FORMATS[fmt], headers={
        "Content-Disposition": f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(name)}",
        "Cache-Control": "no-store"})


def for_format(handler: Callable[[Context, str], Response], fmt: str) -> Callable[[Context], Response]:
    """A page function that answers `handler` with the format fixed (one route per format)."""
    def page(ctx: Context) -> Response:
        return handler(ctx, fmt)

    page.__name__ = f"{handler.__name__}_{fmt}"
    return page
