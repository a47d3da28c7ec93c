"""Everyday words -> official wording at search time (knowledge_base/thesaurus.py, thesaurus_vi.yml)."""
from __future__ import annotations

import pytest

from knowledge_base import index
from knowledge_base.retrieval import ProcedureSearch
from knowledge_base.thesaurus import THESAURUS_FILE, Thesaurus, ThesaurusError

SMALL = Thesaurus({"khoan giếng": "khai thác nước dưới đất", "sổ đỏ": "giấy chứng nhận quyền sử dụng đất",
                   "sang tên sổ đỏ": "đăng ký biến động", "làm lại": ["cấp lại", "đăng ký lại"]})


def test_an_everyday_phrase_is_replaced_by_its_official_wording():
    assert SMALL.rewrites("Nhà tôi khoan giếng lấy nước") == ["nhà tôi khai thác nước dưới đất lấy nước"]


def test_a_phrase_typed_without_diacritics_is_found_too():
    assert SMALL.rewrites("nha toi khoan gieng") == ["nha toi khai thác nước dưới đất"]


def test_other_diacritics_are_another_word():
    # "sơ đồ" (a plan) folds like "sổ đỏ" but is not it
    assert SMALL.rewrites("xin sơ đồ thửa đất") == []


def test_the_longest_phrase_wins():
    assert SMALL.rewrites("sang tên sổ đỏ") == ["đăng ký biến động"]


def test_alternatives_give_one_rewrite_each():
    assert SMALL.rewrites("làm lại sổ đỏ") == ["cấp lại giấy chứng nhận quyền sử dụng đất",
                                               "đăng ký lại giấy chứng nhận quyền sử dụng đất"]


def test_a_counting_word_inside_a_phrase_does_not_break_it():
    assert SMALL.rewrites("khoan hai giếng") == ["khai thác nước dưới đất"]
    assert SMALL.rewrites("khoan 2 gieng") == ["khai thác nước dưới đất"]
    # only one, only inside, and only counting words
    assert SMALL.rewrites("khoan hai cái giếng") == []
    assert SMALL.rewrites("hai khoan giếng") == ["hai khai thác nước dưới đất"]
    assert SMALL.rewrites("khoan sâu giếng") == []


def test_a_question_without_known_phrases_has_no_rewrite():
    assert SMALL.rewrites("đăng ký khai sinh") == []
    assert SMALL.rewrites("😀") == []


def test_the_packaged_thesaurus_loads():
    thesaurus = Thesaurus.load()
    assert len(thesaurus) > 250
    assert "giấy phép lái xe" in " ".join(thesaurus.rewrites("bằng lái"))


def test_splitting_a_household_is_not_registering_residence():
    # "hộ khẩu" alone is residence registration, "tách sổ" alone splits a land plot
    thesaurus = Thesaurus.load()
    for question in ("muốn tách hộ khẩu thì làm sao", "tach so ho khau cho con", "tách khẩu ra riêng"):
        rewrites = " ".join(thesaurus.rewrites(question))
        assert "tách hộ" in rewrites and "thường trú" not in rewrites and "thửa" not in rewrites, question


def test_grandparents_are_the_person_concerned_not_a_foreign_element():
    # "ngoại" of "ông ngoại" is the "ngoài" of "có yếu tố nước ngoài" once folded
    thesaurus = Thesaurus.load()
    for question in ("khai tử cho ông ngoại", "khai tu cho ba noi", "làm giấy khai tử cho ông nội"):
        rewrites = " ".join(thesaurus.rewrites(question))
        assert "người thân" in rewrites and "ngoại" not in rewrites and "noi" not in rewrites, question
    assert "khai tử" in " ".join(thesaurus.rewrites("ông ngoại mất rồi"))


def test_what_the_law_no_longer_does_is_named_as_what_it_does_instead():
    thesaurus = Thesaurus.load()
    assert "cấp hộ chiếu" in " ".join(thesaurus.rewrites("gia hạn hộ chiếu"))  # a new one is issued
    assert "bản sao từ sổ gốc" in " ".join(thesaurus.rewrites("cấp lại bằng tốt nghiệp thpt bị mất"))
    assert "chứng thực bản sao" in " ".join(thesaurus.rewrites("sao y bản chính giấy khai sinh"))


def test_moving_someone_into_a_household_is_not_importing_goods():
    thesaurus = Thesaurus.load()
    assert "thường trú" in " ".join(thesaurus.rewrites("nhập khẩu cho con về nhà ông bà"))
    assert not any("thường trú" in r for r in thesaurus.rewrites("nhập khẩu ô tô cũ"))


def test_sand_quarrying_and_poor_household_papers_have_their_official_names():
    thesaurus = Thesaurus.load()
    assert "khoáng sản" in " ".join(thesaurus.rewrites("cấp phép khai thác cát"))
    assert "công nhận hộ nghèo" in " ".join(thesaurus.rewrites("xin xác nhận hộ nghèo"))  # not residence


def test_a_whole_land_certificate_nickname_is_replaced_not_half_of_it():
    # "gộp sổ" alone left "đỏ" behind ("hợp thửa đất đỏ"), and "gộp 2 sổ đỏ thành 1" was declined
    thesaurus = Thesaurus.load()
    assert thesaurus.rewrites("gộp 2 sổ đỏ thành 1") == ["hợp thửa đất thành 1"]
    assert thesaurus.rewrites("tach so hong") == ["tách thửa đất"]


def test_closing_a_tax_code_and_a_broken_card_have_their_official_names():
    thesaurus = Thesaurus.load()
    assert "chấm dứt hiệu lực mã số thuế" in thesaurus.rewrites("đóng mã số thuế cá nhân")[0]
    assert "chấm dứt hiệu lực mã số thuế" in thesaurus.rewrites("dong mst")[0]  # not "nộp thuế"
    assert "cấp đổi" in " ".join(thesaurus.rewrites("cccd bị gãy"))


def test_someone_of_another_country_is_a_foreign_element_and_wanting_to_marry_is_registering_it():
    thesaurus = Thesaurus.load()
    assert "người nước ngoài" in " ".join(thesaurus.rewrites("kết hôn với người Hàn Quốc"))
    assert "người nước ngoài" in " ".join(thesaurus.rewrites("bố cháu là nguoi nhat"))
    assert not any("nước ngoài" in r for r in thesaurus.rewrites("người anh trai tôi mất"))  # a brother, not England
    assert "đăng ký kết hôn" in " ".join(thesaurus.rewrites("tôi muốn kết hôn"))  # was declined (p 0.23)


def test_changing_the_registered_clinic_is_exchanging_the_health_insurance_card():
    # it went to the hospitals' contracts with the insurance fund
    assert "cấp đổi thẻ bảo hiểm y tế" in Thesaurus.load().rewrites("chuyen noi kham chua benh ban dau")[0]


def test_a_vehicle_bought_through_several_hands_is_registered_by_the_change_of_owner():
    # "xe máy không chính chủ muốn làm giấy tờ" was declined (p 0.18); a SIM card is no vehicle
    thesaurus = Thesaurus.load()
    assert "thay đổi chủ xe" in thesaurus.rewrites("xe máy không chính chủ muốn làm giấy tờ")[0]
    assert thesaurus.rewrites("sim không chính chủ") == []


def test_land_for_a_house_is_allocated_and_discharging_waste_water_is_the_environmental_permit():
    thesaurus = Thesaurus.load()
    assert "giao đất ở" in " ".join(thesaurus.rewrites("xin đất làm nhà ở"))
    assert "giấy phép môi trường" in " ".join(thesaurus.rewrites("xin phép xả thải"))  # 2020 Law on Environment


def test_a_phrase_written_twice_is_reported_with_its_line(tmp_path):
    path = tmp_path / "thesaurus.yml"
    path.write_text("sổ đỏ: a\nbằng lái: b\nsổ đỏ: c\n", encoding="utf-8")
    with pytest.raises(ThesaurusError, match=r"thesaurus.yml: line 3: 'sổ đỏ' is written twice"):
        Thesaurus.load(path)


@pytest.mark.parametrize("content", ["sổ đỏ: [1, 2]\n", "sổ đỏ: []\n", "- a\n- b\n", "sổ đỏ: '!!'\n", "a: [b\n"])
def test_a_malformed_thesaurus_is_refused_with_its_file_name(tmp_path, content):
    path = tmp_path / "thesaurus.yml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ThesaurusError, match="thesaurus.yml"):
        Thesaurus.load(path)


def test_packaged_file_is_the_default():
    assert THESAURUS_FILE.name == "thesaurus_vi.yml" and THESAURUS_FILE.exists()


@pytest.fixture
def well_search(configure_kb, tmp_path, write_record):
    folder = tmp_path / "records"
    write_record(folder, id="dang-ky-khai-thac-nuoc", name="Đăng ký khai thác nước dưới đất", aliases=[],
                 field="Tài nguyên nước")
    write_record(folder, id="dang-ky-tau-ca", name="Đăng ký tàu cá", aliases=[], field="Thủy sản")
    write_record(folder, id="cap-phep-khai-thac-cat", name="Cấp phép khai thác cát sỏi lòng sông", aliases=[],
                 field="Khoáng sản")
    settings = configure_kb(folder)
    index.build(settings)
    return index.load(settings)


def test_search_finds_the_official_name_from_everyday_words(well_search):
    question = "nhà tôi khoan giếng lấy nước dùng thì đăng ký ở đâu"
    with_thesaurus = ProcedureSearch(well_search, thesaurus=SMALL, no_answer_below=0.0)
    without = ProcedureSearch(well_search, thesaurus=False, no_answer_below=0.0)
    assert with_thesaurus.search(question, 1, with_rejected=True)[0].id == "dang-ky-khai-thac-nuoc"
    hits = with_thesaurus.search(question, 3, with_rejected=True)
    assert hits[0].lexical > next(h.lexical for h in without.search(question, 3, with_rejected=True)
                                  if h.id == "dang-ky-khai-thac-nuoc")


def test_a_rewrite_never_lowers_a_procedure_found_by_the_question_as_typed(well_search):
    question = "đăng ký tàu cá"
    plain = ProcedureSearch(well_search, thesaurus=False).score_procedures(question)
    rewritten = ProcedureSearch(well_search,
                                thesaurus=Thesaurus({"tàu cá": "khai thác nước"})).score_procedures(question)
    assert (rewritten.lexical >= plain.lexical - 1e-6).all()
