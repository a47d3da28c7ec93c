"""Every satisfaction computation, in one place: indicator points, the 18-point total and its grade,
the SIPAS index, and the satisfied-dossier ratio. Pure functions on plain values (no database), so the
reports, the dashboard and the tests share them.

Sources used
- Decree 61/2018/NĐ-CP Art. 31(2), as amended by Decree 107/2021/NĐ-CP: nine indicators for assessing
  how a procedure was handled — a) total time against the legal limit, b) each body's time,
  c) times the citizen had to contact the desk to complete the dossier, d) number of bodies contacted,
  đ) handled through the one-stop desk, e) publicity of the procedure, g) officers' attitude,
  h) reception of and answers to feedback, i) progress and quality of the online service. Each scores
  2 (tốt), 1 (trung bình) or 0 (kém): 9 × 2 = 18 points.
- Grade bands: the provincial one-stop systems' "Bảng đánh giá việc giải quyết thủ tục hành chính" grade
  the 18-point total as Xuất sắc / Tốt / Khá / Trung bình / Yếu with lower bounds 15 / 12 / 9 / 6 / 0
  ("từ 12 đến dưới 15" and so on). A published implementation found while checking this
  (DichVuCong_KhoaLuan_PASETO, ExportExcelBaoCao02DGHL.tsx) writes the top band as "> 15" and the next as
  "< 15", so a total of exactly 15 gets no grade at all; here every band is closed at its lower bound,
  so 15 is Xuất sắc and every integer 0–18 has exactly one grade (tests check each edge). The
  official gazette text could not be retrieved from this workplace: confirm the bands against it and
  change only GRADE_BANDS if they differ.
- SIPAS (Chỉ số hài lòng về sự phục vụ hành chính, Ministry of Home Affairs): satisfaction index =
  (Rất hài lòng + Hài lòng) ÷ answers; the five aspects are rated on a 5-level scale.
- Decision 766/QĐ-TTg (2022), indicator of citizen satisfaction: dossiers assessed as satisfied ÷
  dossiers assessed, each dossier counted once (its latest assessment).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Iterable, Mapping, Optional

MAX_POINTS = 2
MAX_TOTAL = 18


@dataclass(frozen=True)
class Indicator:
    key: str
    letter: str  # point of Art. 31(2)
    name: str
    citizen: bool  # answered by the citizen in the survey (the agency may assess it too)


INDICATORS: tuple[Indicator, ...] = (
    Indicator("total_time", "a", "Tổng thời gian giải quyết thủ tục hành chính so với quy định", False),
    Indicator("step_time", "b", "Thời gian thực hiện của từng cơ quan, đơn vị tham gia giải quyết", False),
    Indicator("contacts", "c", "Số lần phải liên hệ với nơi tiếp nhận hồ sơ để hoàn thiện hồ sơ", True),
    Indicator("bodies", "d", "Số lượng cơ quan, đơn vị, tổ chức phải liên hệ để hoàn thiện hồ sơ", True),
    Indicator("one_stop", "đ", "Thực hiện tiếp nhận, giải quyết, trả kết quả tại Bộ phận Một cửa", False),
    Indicator("publicity", "e", "Công khai các thủ tục hành chính", True),
    Indicator("attitude", "g", "Thái độ của cán bộ, công chức, viên chức", True),
    Indicator("feedback", "h", "Tiếp thu, giải trình đối với ý kiến phản ánh, kiến nghị", False),
    Indicator("online", "i", "Tiến độ và chất lượng cung cấp dịch vụ công trực tuyến", False),
)
INDICATOR_KEYS = tuple(i.key for i in INDICATORS)
CITIZEN_INDICATOR_KEYS = tuple(i.key for i in INDICATORS if i.citizen)

OVERALL_LABELS = {"very_satisfied": "Rất hài lòng", "satisfied": "Hài lòng", "dissatisfied": "Không hài lòng"}
SATISFIED_LEVELS = frozenset({"very_satisfied", "satisfied"})

SIPAS_ASPECTS = {"access": "Tiếp cận dịch vụ", "procedure": "Thủ tục hành chính",
                 "officials": "Công chức phục vụ", "result": "Kết quả giải quyết",
                 "feedback": "Tiếp nhận, xử lý ý kiến góp ý, phản ánh"}
SIPAS_LEVELS = {1: "Rất không hài lòng", 2: "Không hài lòng", 3: "Bình thường", 4: "Hài lòng", 5: "Rất hài lòng"}
SIPAS_SATISFIED_FROM = 4

# (lower bound, code, label), highest first; a score belongs to the first band whose bound it reaches,
# i.e. closed intervals on the 0–18 integers: [15, 18] [12, 14] [9, 11] [6, 8] [0, 5].
GRADE_BANDS: tuple[tuple[int, str, str], ...] = (
    (15, "excellent", "Xuất sắc"),
    (12, "good", "Tốt"),
    (9, "fair", "Khá"),
    (6, "average", "Trung bình"),
    (0, "poor", "Yếu"),
)


# ------------------------------------------------------------------ citizen answers -> points
def points_for_count(times: str) -> int:
    """Times contacted, or number of bodies: "1" -> 2, "2" -> 1, "3+" (three or more) -> 0.
    One contact (the filing itself) or one body is what the one-stop mechanism promises."""
    return {"1": 2, "2": 1, "3+": 0}[times]


PUBLICITY_POINTS = {"full": 2, "partial": 1, "none": 0}  # publicised fully and correctly / partly / not or wrongly
ATTITUDE_POINTS = {"good": 2, "normal": 1, "bad": 0}  # courteous / ordinary / troublesome or harassing


# ------------------------------------------------------------------ one rating
def resolved_points(citizen: Mapping[str, Optional[int]],
                    agency: Mapping[str, Optional[int]]) -> dict[str, Optional[int]]:
    """Points per indicator: the citizen's for the four they answer (their view is the one the decree asks
    for; the agency's stays beside it for comparison), the agency's for the rest; None when unknown."""
    points = {}
    for indicator in INDICATORS:
        value = citizen.get(indicator.key) if indicator.citizen else None
        points[indicator.key] = value if value is not None else agency.get(indicator.key)
    return points


def total_score(points: Mapping[str, Optional[int]]) -> Optional[int]:
    """The 18-point total, or None while any of the nine indicators is unknown."""
    values = [points.get(key) for key in INDICATOR_KEYS]
    if any(v is None for v in values):
        return None
    for value in values:
        if value not in (0, 1, 2):
            raise ValueError(f"indicator points must be 0, 1 or 2, not {value!r}")
    return sum(values)


def citizen_score(citizen: Mapping[str, Optional[int]]) -> Optional[int]:
    """The citizen part alone (0–8), or None when they skipped one of the four."""
    values = [citizen.get(key) for key in CITIZEN_INDICATOR_KEYS]
    return None if any(v is None for v in values) else sum(values)


def discrepancies(citizen: Mapping[str, Optional[int]], agency: Mapping[str, Optional[int]]) -> list[str]:
    """Indicators on which the citizen and the agency both answered and disagree."""
    return [key for key in CITIZEN_INDICATOR_KEYS
            if citizen.get(key) is not None and agency.get(key) is not None and citizen[key] != agency[key]]


@dataclass(frozen=True)
class Grade:
    code: str
    label: str


def grade(score: float) -> Grade:
    """The grade of an 18-point total or of an average of totals."""
    if score is None or not 0 <= score <= MAX_TOTAL:
        raise ValueError(f"a score is between 0 and {MAX_TOTAL}, not {score!r}")
    for lower, code, label in GRADE_BANDS:
        if score >= lower:
            return Grade(code, label)
    raise AssertionError("unreachable: the lowest band starts at 0")


# ------------------------------------------------------------------ rates
@dataclass(frozen=True)
class Rate:
    """A share shown with what it is made of: 803/872 = 92.09 %."""

    numerator: int
    denominator: int

    @property
    def percent(self) -> Optional[Decimal]:
        """Percentage rounded half-up to two decimals; None when nothing was counted."""
        if not self.denominator:
            return None
        return (Decimal(self.numerator) * 100 / Decimal(self.denominator)).quantize(Decimal("0.01"), ROUND_HALF_UP)

    def __str__(self) -> str:
        percent = self.percent
        return (f"{percent} % ({self.numerator}/{self.denominator})" if percent is not None
                else f"– (0/{self.denominator})")

    def as_dict(self) -> dict:
        percent = self.percent
        return {"numerator": self.numerator, "denominator": self.denominator,
                "percent": float(percent) if percent is not None else None}


def sipas_index(levels: Mapping[str, int]) -> Rate:
    """SIPAS satisfaction index from counts per overall level: (Rất hài lòng + Hài lòng) ÷ all."""
    satisfied = sum(count for level, count in levels.items() if level in SATISFIED_LEVELS)
    return Rate(satisfied, sum(levels.values()))


def satisfied_dossier_ratio(latest_level_per_dossier: Iterable[str]) -> Rate:
    """Decision 766/QĐ-TTg: dossiers whose (latest) assessment is satisfied ÷ dossiers assessed."""
    levels = list(latest_level_per_dossier)
    return Rate(sum(1 for level in levels if level in SATISFIED_LEVELS), len(levels))


def sipas_aspect_rate(counts_by_level: Mapping[int, int]) -> Rate:
    """Share of an aspect's answers at Hài lòng (4) or Rất hài lòng (5)."""
    satisfied = sum(n for level, n in counts_by_level.items() if level >= SIPAS_SATISFIED_FROM)
    return Rate(satisfied, sum(counts_by_level.values()))
