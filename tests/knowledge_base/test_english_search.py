"""English questions find procedures whose records are only in Vietnamese (the imported portal records)."""
import pytest

from knowledge_base import index
from knowledge_base.retrieval import ProcedureSearch


@pytest.fixture
def vietnamese_only(tmp_path, write_record, configure_kb):
    """Records as the national portal gives them: Vietnamese names, no English, no aliases."""
    folder = tmp_path / "records"
    for id, name, field in [
        ("portal-gia-han-tam-tru", "Gia hạn tạm trú cho người nước ngoài tại Việt Nam", "Quản lý xuất nhập cảnh"),
        ("portal-gplx-quoc-te", "Cấp giấy phép lái xe quốc tế", "Sát hạch, cấp giấy phép lái xe"),
        ("portal-cap-lai-gplx", "Cấp lại giấy phép lái xe", "Sát hạch, cấp giấy phép lái xe"),
        ("portal-khai-tu", "Thủ tục đăng ký khai tử", "Hộ tịch"),
        ("portal-ho-kinh-doanh", "Đăng ký thành lập hộ kinh doanh", "Hộ kinh doanh"),
    ]:
        write_record(folder, id=id, name=name, field=field, aliases=[], origin="portal")
    settings = configure_kb(folder, KB_CALIBRATION_QUESTIONS="none")
    index.build(settings)
    return index.load(settings)


@pytest.mark.parametrize("question, expected", [
    ("how do I extend my temporary residence as a foreigner", "portal-gia-han-tam-tru"),
    ("international driving permit", "portal-gplx-quoc-te"),
    ("lost my driving licence", "portal-cap-lai-gplx"),
    ("death certificate for my father", "portal-khai-tu"),
    ("register a business household", "portal-ho-kinh-doanh"),
])
def test_english_question_finds_a_vietnamese_only_record(vietnamese_only, question, expected):
    hits = ProcedureSearch(vietnamese_only).search(question, 3, with_rejected=True)
    assert hits and hits[0].id == expected
    # without the translation the English words meet nothing in these records
    untranslated = ProcedureSearch(vietnamese_only, translate=False).search(question, 3, with_rejected=True)
    assert not untranslated or untranslated[0].lexical < hits[0].lexical


def test_english_cues_still_say_which_aspect_is_asked(vietnamese_only):
    hits = ProcedureSearch(vietnamese_only).search("how much is the fee for an international driving permit", 1,
                                                   with_rejected=True)
    assert hits[0].id == "portal-gplx-quoc-te" and hits[0].aspect == "fee"


def test_vietnamese_questions_are_searched_as_before(vietnamese_only):
    for question in ["gia hạn tạm trú người nước ngoài", "cap lai bang lai xe",
                     "lam the bhyt cho be 3 tuoi can to khai gi"]:
        with_translation = ProcedureSearch(vietnamese_only).search(question, 3, with_rejected=True)
        without = ProcedureSearch(vietnamese_only, translate=False).search(question, 3, with_rejected=True)
        assert [(h.id, h.score) for h in with_translation] == [(h.id, h.score) for h in without]
