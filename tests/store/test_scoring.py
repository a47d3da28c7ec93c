"""Scoring on hand-checked numbers (no database)."""
from __future__ import annotations

from decimal import Decimal

import pytest

from store import scoring
from store.scoring import Rate, grade


def test_the_district_report_figure():
    # 803 satisfied of 872 returned: 803 / 872 = 0.920871… -> 92.09 %, not the 92.87 % once printed
    rate = scoring.sipas_index({"very_satisfied": 500, "satisfied": 303, "dissatisfied": 69})
    assert (rate.numerator, rate.denominator, rate.percent) == (803, 872, Decimal("92.09"))
    assert str(rate) == "92.09 % (803/872)"


@pytest.mark.parametrize("numerator, denominator, percent", [
    (1, 3, "33.33"), (2, 3, "66.67"), (1, 8, "12.50"), (1, 200, "0.50"), (1, 400, "0.25"),
    (1, 800, "0.13"),  # 0.125 rounds half up
    (0, 5, "0.00"), (5, 5, "100.00"),
])
def test_rates_round_half_up_to_two_decimals(numerator, denominator, percent):
    assert Rate(numerator, denominator).percent == Decimal(percent)


def test_an_empty_rate_has_no_percentage():
    assert Rate(0, 0).percent is None and Rate(0, 0).as_dict() == {"numerator": 0, "denominator": 0, "percent": None}


@pytest.mark.parametrize("score, expected", [
    (18, "Xuất sắc"), (16, "Xuất sắc"), (15, "Xuất sắc"),
    (14.99, "Tốt"), (14, "Tốt"), (12, "Tốt"),
    (11, "Khá"), (9, "Khá"),
    (8, "Trung bình"), (6, "Trung bình"),
    (5.99, "Yếu"), (5, "Yếu"), (0, "Yếu"),
])
def test_grade_bands_at_their_edges(score, expected):
    assert grade(score).label == expected


def test_every_integer_total_has_exactly_one_grade():
    bands = {score: grade(score).code for score in range(0, 19)}
    assert [s for s, code in bands.items() if code == "excellent"] == [15, 16, 17, 18]
    assert [s for s, code in bands.items() if code == "good"] == [12, 13, 14]
    assert [s for s, code in bands.items() if code == "fair"] == [9, 10, 11]
    assert [s for s, code in bands.items() if code == "average"] == [6, 7, 8]
    assert [s for s, code in bands.items() if code == "poor"] == [0, 1, 2, 3, 4, 5]


@pytest.mark.parametrize("bad", [-1, 18.5, 19, None])
def test_grade_refuses_scores_outside_the_scale(bad):
    with pytest.raises(ValueError):
        grade(bad)


def test_nine_indicators_make_eighteen_points():
    assert len(scoring.INDICATORS) == 9 and scoring.MAX_TOTAL == 9 * scoring.MAX_POINTS
    assert scoring.CITIZEN_INDICATOR_KEYS == ("contacts", "bodies", "publicity", "attitude")
    assert [i.letter for i in scoring.INDICATORS] == ["a", "b", "c", "d", "đ", "e", "g", "h", "i"]


def test_double_assessment_citizen_first_agency_beside():
    citizen = {"contacts": 2, "bodies": 1, "publicity": 2, "attitude": 0}
    agency = {"total_time": 2, "step_time": 2, "contacts": 2, "bodies": 2, "one_stop": 2, "publicity": 2,
              "attitude": 2, "feedback": 1, "online": 2}
    resolved = scoring.resolved_points(citizen, agency)
    assert resolved["bodies"] == 1 and resolved["attitude"] == 0 and resolved["feedback"] == 1
    assert scoring.total_score(resolved) == 2 + 2 + 2 + 1 + 2 + 2 + 0 + 1 + 2 == 14
    assert grade(scoring.total_score(resolved)).label == "Tốt"
    assert scoring.citizen_score(citizen) == 5
    assert scoring.discrepancies(citizen, agency) == ["bodies", "attitude"]


def test_a_skipped_citizen_answer_falls_back_to_the_agency_and_unknowns_leave_no_total():
    agency = {"contacts": 1}
    assert scoring.resolved_points({"contacts": None}, agency)["contacts"] == 1
    assert scoring.total_score(scoring.resolved_points({"contacts": 2}, {})) is None
    assert scoring.citizen_score({"contacts": 2, "bodies": 2, "publicity": None, "attitude": 2}) is None


def test_points_for_counts_and_choices():
    assert [scoring.points_for_count(t) for t in ("1", "2", "3+")] == [2, 1, 0]
    assert scoring.PUBLICITY_POINTS == {"full": 2, "partial": 1, "none": 0}
    assert scoring.ATTITUDE_POINTS == {"good": 2, "normal": 1, "bad": 0}


def test_satisfied_dossier_ratio_counts_dossiers():
    assert scoring.satisfied_dossier_ratio(["satisfied", "very_satisfied", "dissatisfied"]) == Rate(2, 3)


def test_sipas_aspect_rate_counts_four_and_five():
    assert scoring.sipas_aspect_rate({1: 1, 2: 0, 3: 2, 4: 3, 5: 4}) == Rate(7, 10)
