"""action_fallback: NLU could not place the message, or it is out of scope."""
from __future__ import annotations

import asyncio

from actions.fallback import ActionFallback, input_problem

from action_helpers import message, responses


def run(dispatcher, tracker, domain):
    return asyncio.run(ActionFallback().run(dispatcher, tracker, domain))


def test_out_of_scope_is_answered_honestly_with_a_person_and_logged(dispatcher, tracker_for, domain, database):
    run(dispatcher, tracker_for("giá vàng hôm nay", intent="out_of_scope"), domain)
    # asked like the questions no procedure answers (knowledge_base/out_of_scope_questions.yml): said so,
    # and no procedure that merely shares a word is offered as "did you mean"
    assert responses(dispatcher)[0] == "utter_not_a_procedure"
    assert "utter_nearest_procedures" not in responses(dispatcher)
    assert "utter_handoff" in responses(dispatcher)
    assert [(q.text, q.reason) for q in database.recent_unanswered_questions()] == [
        ("giá vàng hôm nay", "not_a_procedure")]


def test_a_question_about_no_procedure_is_told_so_in_its_language(dispatcher, tracker_for, domain):
    from action_helpers import rendered

    run(dispatcher, tracker_for("how many years in prison for stealing a motorbike in Vietnam?", intent="out_of_scope",
                                slots={"language": "en"}), domain)
    assert responses(dispatcher)[0] == "utter_not_a_procedure"
    assert "not seem to be about an administrative procedure" in rendered(domain, dispatcher, "en")


def test_advice_about_a_procedures_subject_is_told_why_and_offered_the_related_procedures(
        dispatcher, tracker_for, domain, database):
    """"có nên mua đất chưa có sổ đỏ không" is about land certificates but asks for advice
    (knowledge_base/out_of_scope_phrases.yml): said so, the procedures stay on offer, staff see why."""
    from action_helpers import rendered

    run(dispatcher, tracker_for("có nên mua đất chưa có sổ đỏ không", intent="ask_procedure"), domain)
    assert responses(dispatcher)[0] == "utter_beyond_procedures"
    assert "utter_not_found" not in responses(dispatcher)
    assert "trợ giúp pháp lý" in rendered(domain, dispatcher, "vi")
    assert message(dispatcher, "utter_related_procedures")["buttons"]
    assert "utter_handoff" in responses(dispatcher)
    assert [(q.text, q.reason) for q in database.recent_unanswered_questions()] == [
        ("có nên mua đất chưa có sổ đỏ không", "beyond_procedures")]


def test_a_procedure_question_found_by_no_search_still_gets_the_nearest_procedures(dispatcher, tracker_for, domain,
                                                                                     monkeypatch):
    """Declined by the no-answer model but asked like a procedure question: "did you mean" stays."""
    from actions import kb

    searched = kb.search
    monkeypatch.setattr(kb, "search", lambda text, k=5, *, with_rejected=False, unit=None:
                        searched(text, k, with_rejected=True, unit=unit) if with_rejected else [])
    run(dispatcher, tracker_for("vợ vừa sinh xong, đi đâu để lấy giấy khai sinh cho em bé", intent="ask_procedure"),
        domain)
    assert responses(dispatcher)[0] == "utter_not_found"
    titles = [b["title"] for b in message(dispatcher, "utter_nearest_procedures")["buttons"]]
    assert "Đăng ký khai sinh" in titles


def test_a_procedure_question_nlu_missed_is_still_answered(dispatcher, tracker_for, domain):
    run(dispatcher, tracker_for("phí làm hộ chiếu bao nhiêu", intent="nlu_fallback"), domain)
    assert responses(dispatcher) == ["utter_answer_fee"]


def test_not_understood_is_logged_with_its_reason(dispatcher, tracker_for, domain, database):
    run(dispatcher, tracker_for("thủ tục đăng ký tàu vũ trụ", intent="nlu_fallback"), domain)
    assert [q.reason for q in database.recent_unanswered_questions()] == ["not_understood"]


def test_weak_candidates_are_offered_as_buttons(dispatcher, tracker_for, domain):
    run(dispatcher, tracker_for("giấy tờ nhà", intent="out_of_scope"), domain)
    if "utter_nearest_procedures" in responses(dispatcher):
        buttons = message(dispatcher, "utter_nearest_procedures")["buttons"]
        assert all(b["payload"].startswith("/choose_procedure{") for b in buttons)


def test_input_problems():
    assert input_problem(None) == "utter_empty_message"
    assert input_problem("x" * 2001) == "utter_too_long"
    assert input_problem("🙂") == "utter_no_words"
    assert input_problem("Здравствуйте, мне нужен паспорт") == "utter_other_language"
    assert input_problem("làm căn cước") is None
    assert input_problem("how do I get a passport") is None


def test_bad_input_in_fallback_is_polite(dispatcher, tracker_for, domain, database):
    run(dispatcher, tracker_for("\u200b", intent="nlu_fallback"), domain)
    assert responses(dispatcher) in (["utter_empty_message"], ["utter_no_words"])
    assert database.recent_unanswered_questions() == []


def test_a_question_of_a_field_the_catalogue_lacks_names_that_field(dispatcher, tracker_for, domain, database):
    from actions.fallback import reply_not_found

    tracker = tracker_for("xin giấy phép bán thuốc lá", intent="out_of_scope")
    reply_not_found(dispatcher, tracker, domain, "xin giấy phép bán thuốc lá")
    assert responses(dispatcher)[0] == "utter_not_in_catalogue"
    assert message(dispatcher, "utter_not_in_catalogue")["field"] == "Công Thương"
    assert "utter_nearest_procedures" not in responses(dispatcher)  # the alcohol licence is no "did you mean"
    assert "utter_handoff" in responses(dispatcher)
    assert [(q.text, q.reason) for q in database.recent_unanswered_questions()] == [
        ("xin giấy phép bán thuốc lá", "other_field")]  # staff see it needs a field the catalogue lacks


def test_the_field_is_named_in_english_to_an_english_speaker(dispatcher, tracker_for, domain):
    from actions.fallback import reply_not_found

    question = "licence to open a private clinic (phòng khám)"
    tracker = tracker_for(question, intent="out_of_scope", slots={"language": "en"})
    reply_not_found(dispatcher, tracker, domain, question)
    assert message(dispatcher, "utter_not_in_catalogue")["field"] == "health"


def test_an_english_question_naming_the_subject_in_english_is_told_its_field(dispatcher, tracker_for, domain):
    from actions.fallback import reply_not_found

    question = "I want to sell cigarettes, which licence do I need?"  # "cigarettes": "thuốc lá" (the glossary)
    tracker = tracker_for(question, intent="out_of_scope", slots={"language": "en"})
    reply_not_found(dispatcher, tracker, domain, question)
    assert message(dispatcher, "utter_not_in_catalogue")["field"] == "industry and trade"


def test_a_procedure_the_deployment_does_not_hold_is_named_with_its_page(dispatcher, tracker_for, domain, database,
                                                                          tmp_path, monkeypatch):
    """A deployment holding three procedures, the 42 curated ones as its background (KB_BACKGROUND_INDEX_DIR):
    a question about another one is declined by name, with no "did you mean" among the three."""
    import shutil

    import knowledge_base
    from knowledge_base import index
    from knowledge_base.config import REPO_ROOT, Settings
    from knowledge_base.retrieval import ProcedureSearch

    catalogue = knowledge_base.default_search()
    records = tmp_path / "records"
    records.mkdir()
    for name in ("dang-ky-khai-sinh", "cap-ho-chieu", "cap-giay-chung-nhan-lan-dau"):
        shutil.copy(REPO_ROOT / "knowledge_base" / "records" / "curated" / f"{name}.yml", records)
    settings = Settings(records_dirs=(records,), index_dir=tmp_path / "index", encoder="hashing",
                        calibration_questions=None)
    index.build(settings)
    monkeypatch.setattr(knowledge_base, "_default", ProcedureSearch(index.load(settings), background=catalogue))

    question = "thủ tục đăng ký kết hôn"
    run(dispatcher, tracker_for(question, intent="out_of_scope"), domain)
    assert responses(dispatcher)[0] == "utter_outside_scope"
    named = message(dispatcher, "utter_outside_scope")
    assert named["procedure"] == "Đăng ký kết hôn"
    assert named["url"].startswith("https://")
    assert "utter_nearest_procedures" not in responses(dispatcher)
    assert "utter_handoff" in responses(dispatcher)
    assert [(q.reason, q.candidates) for q in database.recent_unanswered_questions()] == [
        ("outside_scope", "dang-ky-ket-hon")]


def test_choice_buttons_are_titled_in_english_when_the_record_has_an_english_name():
    import knowledge_base
    from knowledge_base.retrieval import Hit

    from actions.fallback import choose_buttons

    curated = knowledge_base.get_procedure("thanh-lap-doanh-nghiep")
    hits = [Hit(id=curated.id, name=curated.name, score=0.9, aspect="overview"),
            Hit(id="no-such-record", name="Tên tiếng Việt", score=0.8, aspect="overview")]
    assert [b["title"] for b in choose_buttons(hits, "fee", "en")] == [curated.name_en, "Tên tiếng Việt"]
    assert [b["title"] for b in choose_buttons(hits, "fee")] == [curated.name, "Tên tiếng Việt"]
    assert choose_buttons(hits, "fee", "en")[0]["payload"] == (
        '/choose_procedure{"procedure_id":"thanh-lap-doanh-nghiep","aspect":"fee"}')
