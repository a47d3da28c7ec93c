"""English questions translated into the records' Vietnamese (knowledge_base/translate.py)."""
from pathlib import Path

import pytest

from knowledge_base.aspects import asked_aspect
from knowledge_base.normalize import english_vocabulary, fold, looks_english
from knowledge_base.translate import Glossary, GlossaryError, english_to_vietnamese, glossary, search_texts


def vi(text: str) -> str:
    return glossary().translate(text)


def folded(text: str) -> str:
    return " ".join(fold(text))


@pytest.mark.parametrize("english, vietnamese", [
    ("lost my driving licence", "bị mất giấy phép lái xe"),
    ("lost my driving license", "bị mất giấy phép lái xe"),
    ("how do I extend my temporary residence", "gia hạn tạm trú"),
    ("register a business household", "đăng ký hộ kinh doanh"),
    ("work permit for a foreigner", "giấy phép lao động người nước ngoài"),
    ("death certificate for my father", "khai tử cha"),
    ("criminal record certificate", "phiếu lý lịch tư pháp"),
    ("construction permit", "giấy phép xây dựng"),
    ("my foreign friend is staying at my house", "người nước ngoài tạm trú nhà ở"),
])
def test_everyday_questions_become_the_records_words(english, vietnamese):
    assert vi(english) == vietnamese


def test_longest_phrase_wins():
    # "temporary residence card" is one entry, not "temporary residence" + "card"
    assert vi("temporary residence card") == "thẻ tạm trú"
    assert vi("temporary residence") == "tạm trú"
    assert vi("international driving permit") == "giấy phép lái xe quốc tế"


@pytest.mark.parametrize("inflected, base", [
    ("registered", "register"), ("registering", "register"), ("registrations", "registration"),
    ("marriages", "marriage"), ("married", "marry"), ("died", "die"), ("certified", "certify"),
    ("extending", "extend"), ("extensions", "extension"), ("licences", "licence"), ("taxes", "tax"),
    ("transferring", "transfer"), ("plots", "plot"), ("countries", "country"),
])
def test_plurals_and_verb_forms_find_the_base_entry(inflected, base):
    g = glossary()
    assert g.lemma(inflected) == g.lemma(base)
    assert g.translate(inflected) == g.translate(base)


@pytest.mark.parametrize("british, american", [
    ("driving licence", "driving license"), ("naturalisation", "naturalization"), ("authorise", "authorize"),
    ("notarise my contract", "notarize my contract"), ("labour", "labor"), ("organisation", "organization"),
])
def test_british_and_american_spellings_agree(british, american):
    assert vi(british) == vi(american) != ""


def test_a_typo_one_letter_away_is_corrected_when_it_is_unambiguous():
    assert vi("pasport") == vi("passport") == "hộ chiếu"
    assert vi("certifcate of marriage") == vi("certificate of marriage")


def test_vietnamese_words_typed_in_are_kept_or_recognised():
    # a foreigner mixes in the words the office uses: "so do" is sổ đỏ, not the English "so do"
    assert "sổ đỏ" in vi("lost so do")
    assert "hộ khẩu" in vi("remove my brother from ho khau")
    assert "cccd" in vi("lost my cccd")  # kept: the normaliser expands the abbreviation
    # an unaccented Vietnamese syllable is never "corrected" into an English word
    assert "truoc" in vi("le phi truoc ba") or "trước bạ" in vi("le phi truoc ba")


def test_function_words_and_aspect_words_are_dropped_but_unknown_content_words_kept():
    assert vi("how much is the fee for a passport") == "hộ chiếu"
    # a word the glossary does not know stays, so the search sees the question is about something else
    assert "scholarship" in vi("scholarship for a master")


def test_only_english_questions_are_translated():
    assert english_to_vietnamese("how do I register my marriage") is not None
    assert english_to_vietnamese("đăng ký kết hôn cần giấy tờ gì") is None
    assert english_to_vietnamese("lam the bhyt cho be 3 tuoi can to khai gi") is None
    assert search_texts("đăng ký kết hôn") == ["đăng ký kết hôn"]
    original, translation = search_texts("how do I register my marriage")
    assert original == "how do I register my marriage" and folded(translation) == folded("đăng ký kết hôn")


@pytest.mark.parametrize("question", [
    "international driving permit", "visa exemption certificate for foreign wife of vietnamese citizen",
    "get a personal tax code first time", "withdraw social insurance one time", "certify a will",
    "can I get unemployment benefit if my fixed-term contract simply ended",
])
def test_the_detector_knows_administrative_english(question):
    assert looks_english(question)


@pytest.mark.parametrize("question", [
    # search-box English without a function word: its words are the glossary's
    "forest tree seed source recognition", "environmental protection fee mineral mining declaration",
    "airport operations manual amendment approval", "microinsurance mutual organization amend licence",
])
def test_search_box_english_is_english(question):
    assert looks_english(question)


def test_glossary_words_shaped_like_vietnamese_syllables_do_not_make_a_question_english():
    vocabulary = english_vocabulary()
    assert {"forest", "seed", "approval"} <= vocabulary
    assert not {"son", "loan", "ban", "tan", "chip", "boat"} & vocabulary  # sơn, loạn, bán, tán… (glossary words)
    assert not looks_english("son nha het bao nhieu tien") and not looks_english("vay von ngan hang bi loan")


@pytest.mark.parametrize("question", [
    "lam the bhyt cho be 3 tuoi can to khai gi", "dang ky tam tru cho nguoi thue tro", "cap lai cccd bi mat",
    "thu tuc ly hon", "xin giay phep xay dung nha o", "tach thua dat", "chuyen nhuong dat", "so do bi mat",
    "thue mon bai ho kinh doanh bao nhieu tien", "dang ky kinh doanh online",
])
def test_unaccented_vietnamese_is_not_english(question):
    assert not looks_english(question)


@pytest.mark.parametrize("question, aspect", [
    ("how much does it cost to register a business", "fee"),
    ("what is the charge for a certified copy", "fee"),
    ("how long does it take to get a criminal record", "time"),
    ("how many weeks for a work permit", "time"),
    ("when will I get my id card", "time"),
    ("what documents do I need for marriage registration", "documents"),
    ("which paper I need for birth certificate", "documents"),
    ("where do I apply for a passport", "where"),
    ("can I apply online", "online"),
    ("what are the conditions for naturalisation", "eligibility"),
    ("how long is the passport valid", "result"),
    ("how do I register my marriage", "steps"),
])
def test_english_aspect_cues(question, aspect):
    assert asked_aspect(question) == aspect


def test_the_glossary_is_large_and_every_translation_is_vietnamese_or_empty():
    g = glossary()
    assert len([v for v in g.phrases.values() if v]) > 900
    for english, vietnamese in g.phrases.items():
        assert vietnamese == vietnamese.strip(), english


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "glossary.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_key_written_twice_is_refused_with_its_line(tmp_path):
    path = write(tmp_path, "a:\n  visa: thị thực\n  passport: hộ chiếu\n  visa: miễn thị thực\n")
    with pytest.raises(GlossaryError, match=r"line 4: 'visa' appears twice"):
        Glossary.load(path)


def test_a_key_in_two_sections_or_two_forms_with_two_meanings_is_refused(tmp_path):
    with pytest.raises(GlossaryError, match="appears twice"):
        Glossary.load(write(tmp_path, "a:\n  visa: thị thực\nb:\n  visa: miễn thị thực\n"))
    # "driving licence" and "driving licenses" are one phrase: two translations would let the spelling decide
    with pytest.raises(GlossaryError, match="another form"):
        Glossary.load(write(tmp_path, "a:\n  driving licence: giấy phép lái xe\n  driving licenses: chứng chỉ\n"))


def test_a_form_with_an_entry_of_its_own_keeps_its_meaning():
    assert vi("fishing") == "khai thác thủy sản" and vi("fish") == "thủy sản"
    assert vi("goods") == "hàng hóa" and vi("good") == ""


@pytest.mark.parametrize("text", ["- just a list\n", "a:\n  visa: [thị thực]\n", "a: [\n"])
def test_a_malformed_glossary_is_refused_clearly(tmp_path, text):
    with pytest.raises(GlossaryError, match="glossary.yml"):
        Glossary.load(write(tmp_path, text))


def test_bad_input_never_raises():
    for text in ["", "   ", "😀😀", "<script>alert(1)</script> visa", "x" * 5000, "visa\x00\x01 renewal",
                 "ĐĂNG KÝ visa", "how do I get a 护照 passport"]:
        glossary().translate(text)
        search_texts(text)
