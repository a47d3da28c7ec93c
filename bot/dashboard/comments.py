"""Citizens' comments with filters (unit, period, level, procedure, literal text search, bounded paging),
and their CSV/XLSX download. Comments are shown as text, never as HTML."""
from __future__ import annotations

from starlette.responses import Response

from store import dashboard_queries as queries
from store import scoring

from .downloads import download, filename
from .filters import PERIOD_KINDS, parse_choice, parse_period, parse_search
from .procedures import names_of, procedure_label
from .reports import unit_choices
from .web import Context, label, local_time, unit_name

EXPORT_ROWS = 10_000  # a download holds at most this many comments (the newest)


def _request(ctx: Context):
    scope = ctx.scope(ctx.params.get("unit"))
    choice = parse_period(ctx.params)
    level = parse_choice(ctx.params, "level", scoring.OVERALL_LABELS, "bad_level")
    procedure = ctx.params.get("procedure", "").strip()[:128] or None
    text = parse_search(ctx.params)
    return scope, choice, level, procedure, text


def comments_page(ctx: Context) -> Response:
    scope, choice, level, procedure, text = _request(ctx)
    paging = ctx.paging()
    found = queries.comments(scope.rows, choice.period, level=level, procedure=procedure, text=text,
                             page=paging.page, size=paging.size)
    procedures = queries.comment_procedures(scope.rows, choice.period)
    query = {"unit": scope.unit, **choice.query(), "level": level, "procedure": procedure, "q": text,
             "size": paging.size if paging.size != 50 else None}
    return ctx.render("comments.html", found=found, scope=scope, choice=choice, kinds=PERIOD_KINDS,
                      unit_choices=unit_choices(ctx), level=level, procedure=procedure, text=text,
                      procedures=names_of(procedures), levels=list(scoring.OVERALL_LABELS), query=query,
                      procedure_label=procedure_label)


def comments_download(ctx: Context, fmt: str) -> Response:
    scope, choice, level, procedure, text = _request(ctx)

    def tables() -> list:
        from .exports import Column, Table

        found = queries.comments(scope.rows, choice.period, level=level, procedure=procedure, text=text,
                                 page=1, size=EXPORT_ROWS)
        return [Table(f"Góp ý của người dân – {unit_name(scope.unit)} – {choice.period}",
                      [Column("Thời gian"), Column("Mã đơn vị"), Column("Đơn vị"), Column("Quầy"),
                       Column("Thủ tục"), Column("Kênh"), Column("Mức đánh giá"), Column("Góp ý", width=80)],
                      [[local_time(row.created_at), row.unit, unit_name(row.unit), row.desk or "",
                        procedure_label(row.procedure_id), label("channels", row.channel),
                        label("levels", row.overall), row.comment] for row in found.rows], sheet="Góp ý")]

    return download(ctx, fmt, filename("gop-y", scope.unit, choice.start, choice.end, fmt), tables)
