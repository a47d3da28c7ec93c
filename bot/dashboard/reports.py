"""The report page of a unit and period — survey figures, levels, indicators, SIPAS, Decision 766, by
procedure and channel — with the monthly trend and the ranking of the units under it, and its CSV/XLSX
downloads. Figures come from `store.reports`; this module only chooses, arranges and draws them."""
from __future__ import annotations

from starlette.responses import Response

import units
from store import reports, scoring

from . import access, charts
from .downloads import download, filename
from .filters import PERIOD_KINDS, PeriodChoice, parse_period
from .procedures import names_of
from .web import Context, label

MONTH_LABELS = [f"T{m}" for m in range(1, 13)]


def unit_choices(ctx: Context) -> list[tuple[str, str]]:
    """(code, label) of the units the account may pick, indented under their parents."""
    directory = units.directory()
    allowed = access.visible_units(ctx.user)
    depth: dict[str, int] = {}
    for code in allowed:
        parent = directory.units[code].parent
        depth[code] = depth.get(parent, -1) + 1 if parent in depth else 0
    return [(code, "\u00a0\u00a0" * depth[code] + directory.units[code].label()) for code in allowed]


def report_request(ctx: Context) -> tuple[access.Scope, PeriodChoice]:
    scope = ctx.scope(ctx.params.get("unit"))
    return scope, parse_period(ctx.params)


def _ranked_children(scope: access.Scope) -> list[str]:
    """Units directly under the chosen one (within the account's reach), for the ranking."""
    if not scope.include_children:
        return []
    return [u.code for u in units.directory().children(scope.unit) if u.code in scope.codes]


def report_page(ctx: Context) -> Response:
    scope, choice = report_request(ctx)
    report = reports.unit_report(scope.unit, choice.period, include_children=scope.include_children)
    year = choice.period.end.year
    trend = reports.monthly_trend(scope.unit, year, include_children=scope.include_children)
    ranking = reports.compare_units(_ranked_children(scope), choice.period)
    names = names_of(row.key for row in report.by_procedure)
    trend_svg = charts.trend_chart(
        [charts.TrendPoint(MONTH_LABELS[m - 1], n, rate.percent) for m, n, rate in trend],
        f"Số phiếu thu về và tỉ lệ hài lòng theo tháng năm {year}", "phiếu thu về", "tỉ lệ hài lòng (%)")
    ranking_svg = charts.ranking_chart(
        [charts.RankRow(units.directory().units[r.unit].label(), r.sipas_index.percent,
                        f"{r.sipas_index.numerator}/{r.sipas_index.denominator}") for r in ranking],
        "Xếp hạng đơn vị theo tỉ lệ hài lòng") if ranking else None
    levels_svg = charts.levels_chart(
        [(f"level-{level}", label("levels", level), report.levels.get(level, 0)) for level in scoring.OVERALL_LABELS],
        "Số phiếu theo mức hài lòng")
    query = {"unit": scope.unit, **choice.query()}
    return ctx.render("report.html", report=report, scope=scope, choice=choice, kinds=PERIOD_KINDS,
                      unit_choices=unit_choices(ctx), trend=trend, trend_svg=trend_svg, ranking=ranking,
                      ranking_svg=ranking_svg, levels_svg=levels_svg, names=names, year=year, query=query,
                      sipas_aspects=scoring.SIPAS_ASPECTS, sipas_levels=scoring.SIPAS_LEVELS,
                      levels=list(scoring.OVERALL_LABELS))


def report_download(ctx: Context, fmt: str) -> Response:
    scope, choice = report_request(ctx)

    def tables() -> list:
        from . import exports

        report = reports.unit_report(scope.unit, choice.period, include_children=scope.include_children)
        year = choice.period.end.year
        built = exports.unit_report_tables(report, names_of(row.key for row in report.by_procedure))
        built.append(exports.trend_table(scope.unit, year, reports.monthly_trend(
            scope.unit, year, include_children=scope.include_children)))
        children = _ranked_children(scope)
        if children:
            built.append(exports.comparison_table(reports.compare_units(children, choice.period)))
        return built

    return download(ctx, fmt, filename("bao-cao", scope.unit, choice.start, choice.end, fmt), tables)
