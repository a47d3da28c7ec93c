from actions.language import detect_language


def test_vietnamese_with_and_without_diacritics():
    assert detect_language("làm căn cước ở đâu") == "vi"
    assert detect_language("lam can cuoc o dau") == "vi"
    assert detect_language("cccd het han") == "vi"


def test_english():
    assert detect_language("how do I get a passport") == "en"
    assert detect_language("hello") == "en"


def test_other_languages_and_undecidable_text():
    assert detect_language("你好，我想办护照") == "other"
    assert detect_language("Guten Tag, ich brauche einen Reisepass") == "other"
    assert detect_language("/choose_procedure{}") is None
    assert detect_language("😀") is None
    assert detect_language("ok") is None


def test_agrees_with_the_search_on_english_questions():
    """Questions the knowledge base searches as English get English replies (the two detectors disagreed on
    long domain-specific questions before)."""
    from knowledge_base.normalize import looks_english

    for question in ("personal income tax finalization and refund on salary",
                     "certify agreement dividing inheritance",
                     "extend temporary residence for my wife"):
        assert looks_english(question) and detect_language(question) == "en", question
    assert detect_language("lam the bhyt cho be 3 tuoi can to khai gi") == "vi"
