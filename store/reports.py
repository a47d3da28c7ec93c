"""Report queries per unit (and everything under it) and period, for the dashboard and exports.

Plain functions returning plain dataclasses; every figure is computed by `store.scoring`. Periods are
calendar days in Vietnam time (UTC+7), both ends included; a rating belongs to the period of its first
submission (an update does not move it).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Iterable, Optional
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, select

from . import scoring
from .db import database
from .models import CITIZEN_INDICATORS, SIPAS_ASPECTS, Rating, SurveyInvitation

REPORT_TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")
MAX_PERIOD_DAYS = 366 * 10


@dataclass(frozen=True)
class Period:
    """Calendar days, both included."""

    start: dt.date
    end: dt.date

    def __post_init__(self):
        if self.end < self.start:
            raise ValueError(f"period ends ({self.end}) before it starts ({self.start})")
        if (self.end - self.start).days > MAX_PERIOD_DAYS:
            raise ValueError("period longer than ten years")

    @classmethod
    def month(cls, year: int, month: int) -> "Period":
        first = dt.date(year, month, 1)
        following = dt.date(year + month // 12, month % 12 + 1, 1)
        return cls(first, following - dt.timedelta(days=1))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> "Period":
        if quarter not in (1, 2, 3, 4):
            raise ValueError("quarter is 1 to 4")
        return cls(cls.month(year, 3 * quarter - 2).start, cls.month(year, 3 * quarter).end)

    @classmethod
    def year(cls, year: int) -> "Period":
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31))

    def bounds_utc(self) -> tuple[dt.datetime, dt.datetime]:
        """[start, end) instants in UTC."""
        start = dt.datetime.combine(self.start, dt.time(), REPORT_TIMEZONE)
        end = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time(), REPORT_TIMEZONE)
        return start.astimezone(dt.timezone.utc), end.astimezone(dt.timezone.utc)

    def __str__(self) -> str:
        return f"{self.start:%d/%m/%Y}–{self.end:%d/%m/%Y}"


@dataclass
class IndicatorBreakdown:
    key: str
    letter: str
    name: str
    citizen: dict[int, int]  # points -> ratings (citizen's answers); skipped not counted
    agency: dict[int, int]  # points -> ratings (agency's assessment)
    citizen_average: Optional[float]
    agency_average: Optional[float]


@dataclass
class GroupRow:
    """One procedure or one channel."""

    key: Optional[str]
    returned: int
    levels: dict[str, int]
    satisfaction: scoring.Rate
    average_score: Optional[float]


@dataclass
class UnitReport:
    unit: str
    units: list[str]  # the unit and everything under it that was counted
    period: Period
    issued: int  # links and QR codes generated
    returned: int  # surveys completed
    response_rate: scoring.Rate  # returned ÷ issued (a desk poster is one issue but many returns)
    dossier_issued: int  # one-dossier links generated
    dossier_returned: int  # of those, rated in the period
    dossier_response_rate: scoring.Rate
    levels: dict[str, int]  # very_satisfied / satisfied / dissatisfied -> count
    sipas_index: scoring.Rate  # (Rất hài lòng + Hài lòng) ÷ returned
    satisfied_dossiers: scoring.Rate  # Decision 766: per dossier, latest assessment
    indicators: list[IndicatorBreakdown]
    scored: int  # ratings with all nine indicators known
    average_score: Optional[float]  # 18-point scale
    grade: Optional[scoring.Grade]
    average_citizen_score: Optional[float]  # the citizen's four indicators, 0–8
    sipas_aspects: dict[str, scoring.Rate]
    sipas_aspect_levels: dict[str, dict[int, int]]
    by_procedure: list[GroupRow] = field(default_factory=list)
    by_channel: list[GroupRow] = field(default_factory=list)


def unit_codes(unit: str, include_children: bool = True) -> list[str]:
    import units

    directory = units.directory()
    if unit not in directory:
        raise LookupError(f"unknown unit {unit!r}")
    return directory.descendants(unit) if include_children else [unit]


def _in_scope(codes: list[str], period: Period):
    start, end = period.bounds_utc()
    return and_(Rating.unit.in_(codes), Rating.created_at >= start, Rating.created_at < end)


def _level_columns():
    return [func.sum(case((Rating.overall == level, 1), else_=0)).label(level) for level in scoring.OVERALL_LABELS]


def _resolved_total_expression():
    """The 18-point total in SQL: NULL while any indicator is unknown (NULL propagates through +)."""
    terms = []
    for indicator in scoring.INDICATORS:
        agency = getattr(Rating, f"agency_{indicator.key}")
        if indicator.citizen:
            terms.append(func.coalesce(getattr(Rating, f"citizen_{indicator.key}"), agency))
        else:
            terms.append(agency)
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return total


def _citizen_total_expression():
    total = None
    for key in CITIZEN_INDICATORS:
        column = getattr(Rating, f"citizen_{key}")
        total = column if total is None else total + column
    return total


def _levels(row) -> dict[str, int]:
    return {level: int(getattr(row, level) or 0) for level in scoring.OVERALL_LABELS}


def _average(value) -> Optional[float]:
    return round(float(value), 2) if value is not None else None


def _groups(session, scope, column) -> list[GroupRow]:
    total = _resolved_total_expression()
    query = (select(column.label("key"), func.count().label("returned"), *_level_columns(),
                    func.avg(total).label("average"))
             .where(scope).group_by(column).order_by(func.count().desc(), column))
    rows = []
    for row in session.execute(query):
        levels = _levels(row)
        rows.append(GroupRow(key=row.key, returned=row.returned, levels=levels,
                             satisfaction=scoring.sipas_index(levels), average_score=_average(row.average)))
    return rows


def unit_report(unit: str, period: Period, *, include_children: bool = True) -> UnitReport:
    codes = unit_codes(unit, include_children)
    scope = _in_scope(codes, period)
    start, end = period.bounds_utc()
    with database().session() as session:
        issued_scope = and_(SurveyInvitation.unit.in_(codes), SurveyInvitation.issued_at >= start,
                            SurveyInvitation.issued_at < end)
        issued, dossier_issued = session.execute(select(
            func.count(), func.sum(case((SurveyInvitation.kind == "dossier", 1), else_=0))).where(issued_scope)).one()
        dossier_returned = session.scalar(
            select(func.count(func.distinct(Rating.invitation_id)))
            .join(SurveyInvitation, SurveyInvitation.id == Rating.invitation_id)
            .where(scope, SurveyInvitation.kind == "dossier", issued_scope))

        total, citizen_total = _resolved_total_expression(), _citizen_total_expression()
        indicator_columns = []
        for indicator in scoring.INDICATORS:
            sides = [("agency", getattr(Rating, f"agency_{indicator.key}"))]
            if indicator.citizen:
                sides.insert(0, ("citizen", getattr(Rating, f"citizen_{indicator.key}")))
            for side, column in sides:
                for points in (2, 1, 0):
                    indicator_columns.append(
                        func.sum(case((column == points, 1), else_=0)).label(f"{side}_{indicator.key}_{points}"))
                indicator_columns.append(func.avg(column).label(f"{side}_{indicator.key}_avg"))
        sipas_columns = [func.sum(case((getattr(Rating, f"sipas_{aspect}") == level, 1), else_=0))
                         .label(f"sipas_{aspect}_{level}") for aspect in SIPAS_ASPECTS for level in range(1, 6)]
        row = session.execute(select(
            func.count().label("returned"), *_level_columns(), func.count(total).label("scored"),
            func.avg(total).label("average"), func.avg(citizen_total).label("citizen_average"),
            *indicator_columns, *sipas_columns).where(scope)).one()

        # Decision 766 counts dossiers: the latest rating of each (unit, dossier) decides
        latest: dict[tuple[str, str], tuple[dt.datetime, int, str]] = {}
        for unit_code, dossier, created, updated, rating_id, overall in session.execute(
                select(Rating.unit, Rating.dossier_code, Rating.created_at, Rating.updated_at, Rating.id,
                       Rating.overall).where(scope, Rating.dossier_code.is_not(None))):
            when = (updated or created, rating_id)
            key = (unit_code, dossier)
            if key not in latest or when > latest[key][:2]:
                latest[key] = (*when, overall)

        by_procedure = _groups(session, scope, Rating.procedure_id)
        by_channel = _groups(session, scope, Rating.channel)

    levels = _levels(row)
    indicators = []
    for indicator in scoring.INDICATORS:
        def counts(side: str) -> dict[int, int]:
            return {p: int(getattr(row, f"{side}_{indicator.key}_{p}", 0) or 0) for p in (2, 1, 0)}

        indicators.append(IndicatorBreakdown(
            key=indicator.key, letter=indicator.letter, name=indicator.name,
            citizen=counts("citizen") if indicator.citizen else {},
            agency=counts("agency"),
            citizen_average=_average(getattr(row, f"citizen_{indicator.key}_avg")) if indicator.citizen else None,
            agency_average=_average(getattr(row, f"agency_{indicator.key}_avg"))))
    aspect_levels = {aspect: {level: int(getattr(row, f"sipas_{aspect}_{level}") or 0) for level in range(1, 6)}
                     for aspect in SIPAS_ASPECTS}
    average = _average(row.average)
    return UnitReport(
        unit=unit, units=codes, period=period, issued=int(issued or 0), returned=int(row.returned or 0),
        response_rate=scoring.Rate(int(row.returned or 0), int(issued or 0)),
        dossier_issued=int(dossier_issued or 0), dossier_returned=int(dossier_returned or 0),
        dossier_response_rate=scoring.Rate(int(dossier_returned or 0), int(dossier_issued or 0)),
        levels=levels, sipas_index=scoring.sipas_index(levels),
        satisfied_dossiers=scoring.satisfied_dossier_ratio(v[2] for v in latest.values()),
        indicators=indicators, scored=int(row.scored or 0), average_score=average,
        grade=scoring.grade(average) if average is not None else None,
        average_citizen_score=_average(row.citizen_average),
        sipas_aspects={a: scoring.sipas_aspect_rate(levels_) for a, levels_ in aspect_levels.items()},
        sipas_aspect_levels=aspect_levels, by_procedure=by_procedure, by_channel=by_channel)


def monthly_trend(unit: str, year: int, *, include_children: bool = True) -> list[tuple[int, int, scoring.Rate]]:
    """(month, returned, SIPAS index) for each month of a year — the dashboard's trend chart."""
    return [(month, (report := unit_report(unit, Period.month(year, month), include_children=include_children))
             .returned, report.sipas_index) for month in range(1, 13)]


def compare_units(unit_codes_: Iterable[str], period: Period) -> list[UnitReport]:
    """One report per unit (each with its children), best SIPAS index first — the ranking table."""
    reports = [unit_report(code, period) for code in unit_codes_]
    return sorted(reports, key=lambda r: (r.sipas_index.percent is None, -(r.sipas_index.percent or 0), r.unit))
