"""A follow-up narrowing the case of the procedure under discussion (actions/refinement.py): "con tôi 10
tuổi thì sao?", "nếu cháu sinh ở nước ngoài thì sao?"."""
from __future__ import annotations

import asyncio

import pytest
from rasa_sdk.events import SlotSet

from actions import kb
import knowledge_base
from actions.answer import ActionAnswer, narrowed_hits
from actions.refinement import narrows_to, refines, same_kind
from knowledge_base.retrieval import Hit

from action_helpers import responses

BIRTH = ("dang-ky-khai-sinh", "Đăng ký khai sinh")
JOINT = ("lien-thong-khai-sinh-thuong-tru-bhyt",
         "Liên thông đăng ký khai sinh, đăng ký thường trú, cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi")
MARRIAGE = ("dang-ky-ket-hon", "Đăng ký kết hôn")


@pytest.mark.parametrize("text", ["con tôi 10 tuổi thì sao?", "con toi 10 tuoi thi sao", "nếu sinh ở nước ngoài",
                                  "trường hợp nhà thuê", "what about my 6 year old?", "what if I lost it?",
                                  "bé 8 tháng tuổi"])
def test_a_message_saying_it_narrows_the_case_is_a_narrowing(text):
    assert refines(text)


@pytest.mark.parametrize("text", ["thời tiết thế nào?", "con tôi bị sốt", "phí bao nhiêu?", "cảm ơn",
                                  "làm hộ chiếu"])
def test_other_messages_are_not(text):
    assert not refines(text)


def test_procedures_of_one_kind_share_two_words_that_are_not_every_procedures():
    assert same_kind("Cấp thẻ căn cước cho người dưới 14 tuổi", "Cấp thẻ căn cước")
    assert same_kind("Thủ tục đăng ký khai sinh có yếu tố nước ngoài", "Đăng ký khai sinh")
    assert not same_kind("Đăng ký khai tử", "Đăng ký khai sinh")  # "đăng ký" is every kind's
    assert not same_kind("Cấp chứng chỉ hành nghề Quản tài viên đối với luật sư nước ngoài", "Cấp thẻ căn cước")


def test_a_case_is_one_whose_name_has_a_word_of_the_message_the_current_one_lacks():
    assert narrows_to("nếu cháu sinh ở nước ngoài thì sao?", "Đăng ký khai sinh",
                      "Thủ tục đăng ký khai sinh có yếu tố nước ngoài")
    # the procedure under discussion is no case of itself, and "người" tells no case
    assert not narrows_to("nếu là người nước ngoài thì sao", "Cấp thẻ căn cước", "Cấp thẻ căn cước")
    assert not narrows_to("nếu là người nước ngoài thì sao", "Cấp thẻ căn cước",
                          "Cấp thẻ căn cước cho người dưới 14 tuổi")


def _hit(procedure: tuple[str, str], score: float) -> Hit:
    return Hit(id=procedure[0], name=procedure[1], score=score, aspect="overview")


@pytest.fixture
def searches(monkeypatch):
    """kb.search answering the message alone with nothing, and with the current procedure's name before it
    with the hits given; records the texts searched."""
    searched, results = [], {}

    def search(text, k=5, *, with_rejected=False, unit=None):
        searched.append(text)
        return next((hits for start, hits in results.items() if text.startswith(start)), [])

    monkeypatch.setattr(kb, "search", search)
    return searched, results


def _run(tracker, domain, dispatcher):
    return asyncio.run(ActionAnswer().run(dispatcher, tracker, domain))


def test_a_narrowing_is_searched_with_the_current_procedure_and_answers_the_case_it_names(
        searches, dispatcher, tracker_for, domain):
    searched, results = searches
    results[BIRTH[1]] = [_hit(BIRTH, 0.6), _hit(JOINT, 0.5), _hit(MARRIAGE, 0.4)]
    events = _run(tracker_for("nếu muốn làm luôn thẻ bảo hiểm y tế cho cháu thì sao?",
                              slots={"procedure_id": BIRTH[0]}), domain, dispatcher)
    assert searched[-1].startswith("Đăng ký khai sinh nếu muốn")
    assert responses(dispatcher) == ["utter_answer_overview"]
    assert SlotSet("procedure_id", JOINT[0]) in events


def test_an_age_keeps_the_cases_whose_condition_it_meets_and_a_current_procedure_without_one(
        searches, dispatcher, tracker_for, domain):
    _, results = searches
    results[BIRTH[1]] = [_hit(BIRTH, 0.6), _hit(JOINT, 0.58), _hit(MARRIAGE, 0.57)]
    _run(tracker_for("bé nhà tôi 3 tuổi thì sao?", slots={"procedure_id": BIRTH[0]}), domain, dispatcher)
    payloads = " ".join(b["payload"] for m in dispatcher.messages for b in m.get("buttons") or [])
    assert responses(dispatcher) == ["utter_choose_procedure"]  # both hold for a 3-year-old
    assert BIRTH[0] in payloads and JOINT[0] in payloads and MARRIAGE[0] not in payloads

    dispatcher.messages.clear()
    events = _run(tracker_for("còn bé 8 tuổi thì sao?", slots={"procedure_id": BIRTH[0]}), domain, dispatcher)
    assert SlotSet("procedure_id", BIRTH[0]) in events  # the joint one is for under-6s


def test_a_narrowing_naming_no_case_is_not_answered_with_the_current_procedure(
        searches, dispatcher, tracker_for, domain):
    _, results = searches
    results[MARRIAGE[1]] = [_hit(MARRIAGE, 0.6), _hit(BIRTH, 0.4)]
    events = _run(tracker_for("nếu đã ly hôn thì sao?", slots={"procedure_id": MARRIAGE[0]}), domain, dispatcher)
    assert responses(dispatcher)[0] in ("utter_not_found", "utter_not_a_procedure")
    assert not any(isinstance(e, SlotSet) and e.key == "procedure_id" and e.value for e in events)


def test_a_case_named_in_everyday_words_is_read_in_official_ones(searches, dispatcher, tracker_for, domain):
    _, results = searches
    foreign = ("portal-foreign-marriage", "Thủ tục đăng ký kết hôn có yếu tố nước ngoài")
    results[MARRIAGE[1]] = [_hit(MARRIAGE, 0.6), _hit(foreign, 0.59)]
    hits = narrowed_hits(tracker_for("nếu chồng là người Hàn Quốc thì sao?"), "nếu chồng là người Hàn Quốc thì sao?",
                         knowledge_base.get_procedure(MARRIAGE[0]))
    assert [h.id for h in hits] == [foreign[0]]  # the thesaurus: "người Hàn Quốc" is "người nước ngoài"


def test_a_narrowing_is_read_even_when_alone_it_finds_a_choice_of_other_kinds(
        searches, dispatcher, tracker_for, domain):
    # "nếu chồng là người Hàn Quốc thì sao?" alone found a visa exemption, a foreign death registration...
    _, results = searches
    results["nếu muốn"] = [_hit(MARRIAGE, 0.5), _hit(("cap-ho-chieu", "Cấp hộ chiếu phổ thông trong nước"), 0.49)]
    results[BIRTH[1]] = [_hit(BIRTH, 0.6), _hit(JOINT, 0.5)]
    events = _run(tracker_for("nếu muốn làm luôn thẻ bảo hiểm y tế cho cháu thì sao?",
                              slots={"procedure_id": BIRTH[0]}), domain, dispatcher)
    assert SlotSet("procedure_id", JOINT[0]) in events


def test_a_new_question_giving_an_age_is_not_narrowed_to_the_current_procedure(
        searches, dispatcher, tracker_for, domain):
    searched, results = searches
    id_cards = [_hit(("cap-the-can-cuoc", "Cấp thẻ căn cước"), 0.6),
                _hit(("cap-doi-cap-lai-the-can-cuoc", "Cấp đổi, cấp lại thẻ căn cước"), 0.59)]
    results["làm căn cước"] = id_cards  # alone: a choice between ID card procedures
    results[BIRTH[1]] = [_hit(BIRTH, 0.6)]  # birth registration sets no age condition
    _run(tracker_for("làm căn cước cho con 10 tuổi", slots={"procedure_id": BIRTH[0]}), domain, dispatcher)
    payloads = " ".join(b["payload"] for m in dispatcher.messages for b in m.get("buttons") or [])
    assert responses(dispatcher) == ["utter_choose_procedure"] and "cap-the-can-cuoc" in payloads
    assert not any(text.startswith(BIRTH[1]) for text in searched)


def test_without_a_procedure_under_discussion_nothing_is_narrowed(searches, dispatcher, tracker_for, domain):
    searched, results = searches
    results[BIRTH[1]] = [_hit(JOINT, 0.5)]
    _run(tracker_for("con tôi 3 tuổi thì sao?"), domain, dispatcher)
    assert not any(text.startswith(BIRTH[1]) for text in searched)
    assert responses(dispatcher)[0] in ("utter_not_found", "utter_not_a_procedure")
