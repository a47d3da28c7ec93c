"""A question giving an age and procedures that differ only in whom they are for (knowledge_base/ages.py)."""
import math

import pytest

from knowledge_base import index
from knowledge_base.ages import age_order, age_range, family, question_age
from knowledge_base.retrieval import ProcedureSearch
from tests.knowledge_base.conftest import kb_environment

UNDER_14 = ("Cấp thẻ căn cước cho người dưới 14 tuổi", None)
FROM_14 = ("Cấp thẻ căn cước cho người từ đủ 14 tuổi trở lên (thực hiện tại cấp tỉnh)", None)
GENERAL = ("Cấp thẻ căn cước", None)
GENERAL_14_PLUS = ("Cấp thẻ căn cước", "ID card issuance (first time, age 14+)")


@pytest.mark.parametrize("question, age", [
    ("lam cccd cho con 10 tuoi", 10), ("làm căn cước cho bé 6t", 6), ("my 9-year-old daughter needs an id card", 9),
    ("my son 6 year old, chip id card?", 6), ("bé 8 tháng tuổi làm căn cước được không", 0),
    ("trẻ sơ sinh có làm căn cước được không", 0),
    ("làm căn cước", None), ("I have lived here 5 years", None),  # a duration is not an age
    ("con 3 tuổi và 10 tuổi", None),  # two ages: neither decides
    ("thẻ bhyt cho trẻ dưới 6 tuổi", None), ("thẻ bh y tế cho bé dưới 6t", None), ("id card, my kid is under 14", None),
    ("con tôi 10 tuổi, dưới 14 tuổi thì làm căn cước ở đâu", 10),
])
def test_the_age_a_question_gives(question, age):
    assert question_age(question) == age


@pytest.mark.parametrize("names, ages", [
    (UNDER_14, (0, 13)), (FROM_14, (14, math.inf)), (GENERAL, None), (GENERAL_14_PLUS, (14, math.inf)),
    (("Cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi", None), (0, 5)),
    (("Trợ cấp cho người trên 80 tuổi", None), (81, math.inf)),
    (("Trợ cấp", "Allowance for people over 80"), (81, math.inf)),
    (("Trợ cấp", "Allowance for children under 16"), (0, 15)),
])
def test_the_ages_a_name_is_for(names, ages):
    assert age_range(*names) == ages


def test_a_family_is_the_name_without_its_age_condition_or_level():
    assert family(UNDER_14[0]) == family(FROM_14[0]) == family(GENERAL[0]) == "cap the can cuoc"


OTHER = ("Cấp đổi, cấp lại thẻ căn cước", None)


@pytest.mark.parametrize("question, names, order", [
    # the member for the age moves up to its family's best place; what it passes moves down one
    ("lam cccd cho con 10 tuoi", [GENERAL_14_PLUS, OTHER, UNDER_14], [2, 0, 1]),
    ("làm căn cước cho con 15 tuổi", [GENERAL_14_PLUS, OTHER, UNDER_14], [0, 1, 2]),
    # a member without a condition comes before one the age breaks
    ("làm căn cước cho con 15 tuổi", [UNDER_14, OTHER, GENERAL], [2, 0, 1]),
    # of two that fit, the better ranked stays first
    ("làm căn cước cho con 15 tuổi", [GENERAL_14_PLUS, FROM_14, UNDER_14], [0, 1, 2]),
    ("làm căn cước cho con", [GENERAL_14_PLUS, OTHER, UNDER_14], [0, 1, 2]),  # no age: nothing moves
    ("làm căn cước cho con 10 tuổi", [GENERAL_14_PLUS, OTHER], [0, 1]),  # no age condition among them
    ("làm căn cước cho con 10 tuổi", [], []),
])
def test_the_member_for_the_questions_age_comes_first(question, names, order):
    assert age_order(question, names) == order


def test_the_search_answers_a_childs_id_card_with_the_procedure_for_children(tmp_path, write_record, monkeypatch):
    folder = tmp_path / "records"
    write_record(folder, id="cap-the-can-cuoc", name="Cấp thẻ căn cước", aliases=["làm căn cước"],
                 name_en="ID card issuance (first time, age 14+)", field="Cấp, quản lý căn cước", level=["commune"])
    write_record(folder, id="cap-the-can-cuoc-duoi-14", name="Cấp thẻ căn cước cho người dưới 14 tuổi",
                 field="Cấp, quản lý căn cước", level=["commune"])
    write_record(folder, id="dang-ky-tau-ca", name="Đăng ký tàu cá", field="Thủy sản", level=["province"])
    settings = kb_environment(monkeypatch, folder, tmp_path / "index", KB_CALIBRATION_QUESTIONS="none")
    index.build(settings)
    search = ProcedureSearch(index.load(settings), no_answer_model=False, no_answer_below=0.0)
    assert [h.id for h in search.search("làm căn cước cho con 10 tuổi", 2)] == ["cap-the-can-cuoc-duoi-14",
                                                                                  "cap-the-can-cuoc"]
    assert search.search("làm căn cước cho con 15 tuổi", 1)[0].id == "cap-the-can-cuoc"
