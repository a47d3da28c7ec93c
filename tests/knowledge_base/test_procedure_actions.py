"""The actions a procedure name carries and a question asks for (knowledge_base/procedure_actions.py)."""
import pytest

from knowledge_base.procedure_actions import ActionLexicon, ActionLexiconError, default_lexicon


@pytest.fixture(scope="module")
def lexicon() -> ActionLexicon:
    return default_lexicon()


@pytest.mark.parametrize("name, kinds", [
    ("Cấp Giấy chứng nhận đủ điều kiện buôn bán thuốc thú y", set()),
    ("Cấp lại Giấy chứng nhận đủ điều kiện buôn bán thuốc thú y", {"reissue"}),
    ("Gia hạn Giấy chứng nhận đủ điều kiện buôn bán thuốc thú y", {"renew"}),
    ("Thủ tục thôi làm hòa giải viên (cấp xã)", {"end"}),
    ("Đăng ký thay đổi nội dung đăng ký hộ kinh doanh", {"change"}),  # "thay đổi" is not also an exchange
    ("Đổi giấy phép lái xe", {"exchange"}),
    ("Đính chính Giấy chứng nhận đã cấp lần đầu có sai sót", {"correct"}),
])
def test_names(lexicon, name, kinds):
    assert lexicon.of_name(name) == kinds


@pytest.mark.parametrize("question, kinds", [
    ("mở cửa hàng bán thuốc thú y thì cần giấy gì", set()),  # "mở" typed with diacritics is not "mờ"
    ("so do ghi sai ten vo toi", {"correct"}),  # typed without diacritics
    ("hộ chiếu bị mất làm lại bao nhiêu tiền", {"reissue"}),
    ("bằng lái hết hạn đổi ở đâu", {"renew", "exchange"}),
    ("hộ kinh doanh một người rút ra thì làm sao", {"change"}),
    ("làm giấy khai sinh cho con", set()),
])
def test_questions(lexicon, question, kinds):
    assert lexicon.of_question([question]) == kinds


def test_any_version_of_the_question_counts(lexicon):
    assert lexicon.of_question(["renew my visa", "gia hạn thị thực"]) == {"renew"}


@pytest.mark.parametrize("text, message", [
    ("reissue: [cấp lại]\n", "exactly the keys name and question"),
    ("reissue:\n  name: cấp lại\n  question: [làm lại]\n", "expected a list of phrases"),
    ("reissue:\n  name: [cấp lại, '']\n  question: [làm lại]\n", "reissue.name"),
    ("[1, 2]\n", "expected kinds"),
    ("reissue: {name: [a\n", "procedure_actions"),
])
def test_a_broken_file_is_reported_with_file_and_kind(tmp_path, text, message):
    path = tmp_path / "procedure_actions.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ActionLexiconError, match=message) as raised:
        ActionLexicon.load(path)
    assert str(path) in str(raised.value)
