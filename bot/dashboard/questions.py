"""The log of citizens' questions the bot could not answer, grouped by their folded text with counts,
most asked first — the list staff work through to extend the knowledge base — and its download."""
from __future__ import annotations

from starlette.responses import Response

from store import dashboard_queries as queries

from .downloads import download, filename
from .filters import PERIOD_KINDS, parse_period, parse_search
from .procedures import procedure_label
from .reports import unit_choices
from .web import Context, label, local_time, unit_name


def _request(ctx: Context):
    scope = ctx.scope(ctx.params.get("unit"))
    return scope, parse_period(ctx.params), parse_search(ctx.params)


def questions_page(ctx: Context) -> Response:
    scope, choice, text = _request(ctx)
    paging = ctx.paging()
    groups, truncated = queries.grouped_questions(scope.rows, choice.period, text=text)
    shown = groups[paging.offset:paging.offset + paging.size]
    query = {"unit": scope.unit, **choice.query(), "q": text, "size": paging.size if paging.size != 50 else None}
    return ctx.render("questions.html", groups=shown, total_groups=len(groups),
                      total_questions=sum(g.count for g in groups), truncated=truncated, paging=paging,
                      pages=max(1, -(-len(groups) // paging.size)), scope=scope, choice=choice, kinds=PERIOD_KINDS,
                      unit_choices=unit_choices(ctx), text=text, query=query, procedure_label=procedure_label)


def questions_download(ctx: Context, fmt: str) -> Response:
    scope, choice, text = _request(ctx)

    def tables() -> list:
        from .exports import Column, Table

        groups, _ = queries.grouped_questions(scope.rows, choice.period, text=text)
        return [Table(f"Câu hỏi chưa trả lời được – {unit_name(scope.unit)} – {choice.period}",
                      [Column("Câu hỏi", width=70), Column("Số lần", "int"), Column("Đơn vị"), Column("Lý do"),
                       Column("Lần đầu"), Column("Lần gần nhất"), Column("Thủ tục bot đã gợi ý", width=50)],
                      [[g.text, g.count, ", ".join(unit_name(u) for u in g.units),
                        ", ".join(f"{label('question_reasons', r)}: {n}" for r, n in g.reasons.items()),
                        local_time(g.first_asked), local_time(g.last_asked),
                        "; ".join(procedure_label(c) for c in g.candidates)] for g in groups], sheet="Câu hỏi")]

    return download(ctx, fmt, filename("cau-hoi", scope.unit, choice.start, choice.end, fmt), tables)
