"""action_answer: which procedure, which part, follow-ups, choices, and honest gaps."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from rasa_sdk.events import SlotSet

import knowledge_base
from actions.answer import ActionAnswer, ProcedureAnswer, close_hits, names_a_procedure
from actions.messages import MAX_MESSAGE_CHARS
from knowledge_base.schema import Document, Procedure, Source

from action_helpers import message, rendered, responses


def run(dispatcher, tracker, domain):
    import asyncio

    return asyncio.run(ActionAnswer().run(dispatcher, tracker, domain))


def test_fee_question_names_the_procedure_with_code_and_gives_the_recorded_fee(dispatcher, tracker_for, domain):
    events = run(dispatcher, tracker_for("phí làm hộ chiếu bao nhiêu?"), domain)
    passport = knowledge_base.get_procedure("cap-ho-chieu")
    assert responses(dispatcher) == ["utter_answer_fee"]
    sent = message(dispatcher, "utter_answer_fee")
    assert passport.name in sent["procedure_title"]
    assert passport.official_code[0] in sent["procedure_title"]
    assert passport.fee.summary in sent["body"]
    assert SlotSet("procedure_id", "cap-ho-chieu") in events


def test_every_answer_ends_with_its_source_and_update_date(dispatcher, tracker_for, domain):
    run(dispatcher, tracker_for("làm hộ chiếu cần giấy tờ gì"), domain)
    text = rendered(domain, dispatcher)
    passport = knowledge_base.get_procedure("cap-ho-chieu")
    assert text.rstrip().endswith(f"cập nhật {passport.updated.strftime('%d/%m/%Y')}")
    assert "Nguồn:" in text


def test_documents_are_a_numbered_list(dispatcher, tracker_for, domain):
    run(dispatcher, tracker_for("làm hộ chiếu cần giấy tờ gì"), domain)
    body = message(dispatcher, "utter_answer_documents")["body"]
    passport = knowledge_base.get_procedure("cap-ho-chieu")
    assert body.startswith("1. ")
    assert body.count("\n") == len(passport.documents) - 1
    assert passport.documents[0].name in body


def test_general_question_gets_a_summary_with_buttons_for_the_other_parts(dispatcher, tracker_for, domain):
    run(dispatcher, tracker_for("hộ chiếu"), domain)
    assert responses(dispatcher) == ["utter_answer_overview"]
    variant = domain["responses"]["utter_answer_overview"][0]
    # double braces: Rasa fills {placeholders} in button payloads too
    asked = {re.search(r'"aspect":"(\w+)"', b["payload"]).group(1) for b in variant["buttons"]}
    assert {"fee", "documents", "where", "online"} <= asked


def test_missing_field_says_no_information_instead_of_guessing(dispatcher, tracker_for, domain):
    # the record of cap-ban-sao-trich-luc-ho-tich has no processing time
    assert knowledge_base.get_procedure("cap-ban-sao-trich-luc-ho-tich").processing_time is None
    run(dispatcher, tracker_for("/ask_aspect", intent="ask_aspect",
                                slots={"procedure_id": "cap-ban-sao-trich-luc-ho-tich"},
                                entities=[{"entity": "aspect", "value": "time"}]), domain)
    assert message(dispatcher, "utter_answer_time")["body"].startswith("chưa có thông tin")


@pytest.mark.parametrize("text, aspect", [
    ("thế phí bao nhiêu?", "fee"),
    ("cần mang gì?", "documents"),
    ("nộp ở đâu?", "where"),
    ("làm online được không?", "online"),
    ("the phi bao nhieu", "fee"),
    ("how much is it?", "fee"),
    ("bao lâu thì xong", "time"),  # "xong" named no procedure: it got "not found"
    ("thời gian giải quyết", "time"),
    ("phí thế nào", "fee"),
    ("đi đâu để làm", "where"),
])
def test_follow_up_uses_the_procedure_under_discussion(dispatcher, tracker_for, domain, text, aspect):
    events = run(dispatcher, tracker_for(text, intent="ask_aspect", slots={"procedure_id": "dang-ky-ket-hon"}),
                 domain)
    assert responses(dispatcher) == [f"utter_answer_{aspect}"]
    procedure = knowledge_base.get_procedure("dang-ky-ket-hon")
    english = text == "how much is it?"  # the action switches the conversation to English itself
    assert (procedure.name_en if english else procedure.name) in dispatcher.messages[0]["procedure_title"]
    assert SlotSet("procedure_id", "dang-ky-ket-hon") in events


def test_a_question_about_another_procedure_switches(dispatcher, tracker_for, domain):
    events = run(dispatcher, tracker_for("vậy hộ chiếu thì phí bao nhiêu?", intent="ask_aspect",
                                         slots={"procedure_id": "dang-ky-ket-hon"}), domain)
    assert responses(dispatcher) == ["utter_answer_fee"]
    assert SlotSet("procedure_id", "cap-ho-chieu") in events


def test_online_answer_gives_the_link(dispatcher, tracker_for, domain):
    run(dispatcher, tracker_for("làm online được không?", intent="ask_aspect",
                                slots={"procedure_id": "cap-ban-sao-trich-luc-ho-tich"}), domain)
    url = knowledge_base.get_procedure("cap-ban-sao-trich-luc-ho-tich").online_url
    assert url in message(dispatcher, "utter_answer_online")["body"]


def test_close_procedures_get_buttons_instead_of_a_guess(dispatcher, tracker_for, domain):
    events = run(dispatcher, tracker_for("căn cước"), domain)
    assert responses(dispatcher) == ["utter_choose_procedure"]
    payloads = [b["payload"] for b in dispatcher.messages[0]["buttons"]]
    assert any('"procedure_id":"cap-the-can-cuoc"' in p for p in payloads)
    assert any('"procedure_id":"cap-doi-cap-lai-the-can-cuoc"' in p for p in payloads)
    assert all(p.startswith("/choose_procedure{") for p in payloads)
    assert events == []


def test_close_hits_keeps_the_one_whose_full_name_is_asked():
    from knowledge_base.retrieval import Hit

    hits = [Hit("dang-ky-thuong-tru", "Đăng ký thường trú", 0.836, "overview"),
            Hit("xoa-dang-ky-thuong-tru", "Xóa đăng ký thường trú", 0.829, "overview")]
    assert [h.id for h in close_hits("đăng ký thường trú", hits)] == ["dang-ky-thuong-tru"]
    assert len(close_hits("thường trú", hits)) == 2


def test_close_hits_follow_the_rerankers_confidence_when_there_is_one():
    from knowledge_base.retrieval import Hit

    # reordered by the reranker: fused scores no longer say which choices are close
    hits = [Hit("dinh-chinh", "Đính chính Giấy chứng nhận đã cấp", 0.60, "overview", confidence=0.50),
            Hit("dinh-chinh-lan-dau", "Đính chính Giấy chứng nhận đã cấp lần đầu", 0.64, "overview", confidence=0.40),
            Hit("cap-lai", "Cấp lại Giấy chứng nhận", 0.61, "overview", confidence=0.05)]
    assert [h.id for h in close_hits("sổ đỏ ghi sai tên", hits)] == ["dinh-chinh", "dinh-chinh-lan-dau"]
    sure = [Hit(h.id, h.name, h.score, h.aspect, confidence=c) for h, c in zip(hits, (0.9, 0.05, 0.05))]
    assert [h.id for h in close_hits("sổ đỏ ghi sai tên", sure)] == ["dinh-chinh"]  # close scores, sure reranker
    tied = [Hit(h.id, h.name, s, h.aspect, confidence=c)
            for h, s, c in zip(hits, (0.972, 0.967, 0.8), (0.9, 0.05, 0.05))]
    assert [h.id for h in close_hits("sổ đỏ ghi sai tên", tied)] == ["dinh-chinh", "dinh-chinh-lan-dau"]  # a tie
    # a tie ranked below others by the reranker is still offered, and at most MAX_CHOICES buttons
    far = [Hit(f"other-{n}", f"Thủ tục khác {n}", 0.8, "overview", confidence=0.01) for n in range(2)]
    ranked = [tied[0], *far, tied[1]]
    assert [h.id for h in close_hits("sổ đỏ ghi sai tên", ranked)] == ["dinh-chinh", "dinh-chinh-lan-dau"]
    many = [tied[0], *(Hit(f"p{n}", f"P {n}", 0.97, "overview", confidence=0.3) for n in range(4))]
    assert len(close_hits("sổ đỏ ghi sai tên", many)) == 3


def test_button_choice_answers_the_chosen_procedure_and_aspect(dispatcher, tracker_for, domain):
    tracker = tracker_for('/choose_procedure{"procedure_id":"cap-the-can-cuoc","aspect":"fee"}',
                          intent="choose_procedure",
                          entities=[{"entity": "procedure_id", "value": "cap-the-can-cuoc"},
                                    {"entity": "aspect", "value": "fee"}])
    events = run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_answer_fee"]
    assert SlotSet("procedure_id", "cap-the-can-cuoc") in events


def test_unknown_button_id_asks_which_procedure(dispatcher, tracker_for, domain):
    run(dispatcher, tracker_for('/choose_procedure{"procedure_id":"nope"}', intent="choose_procedure",
                                entities=[{"entity": "procedure_id", "value": "nope"}]), domain)
    assert responses(dispatcher) == ["utter_which_procedure"]


def test_follow_up_without_a_procedure_asks_which(dispatcher, tracker_for, domain):
    run(dispatcher, tracker_for("thế phí bao nhiêu?", intent="ask_aspect"), domain)
    assert responses(dispatcher) == ["utter_which_procedure"]


def test_nothing_found_is_said_honestly_offers_a_person_and_is_logged(dispatcher, tracker_for, domain, database):
    # no procedure answers it, yet it is asked like a procedure question (the weather is "not a procedure")
    tracker = tracker_for("thủ tục đăng ký tàu vũ trụ", slots={"channel": "citizen", "unit": "demo-xa-song-xanh"})
    run(dispatcher, tracker, domain)
    assert responses(dispatcher)[0] == "utter_not_found"
    assert responses(dispatcher)[-1] == "utter_handoff"
    assert "0200 000 3333" in message(dispatcher, "utter_handoff")["hotline"]
    logged = database.recent_unanswered_questions()
    assert [(q.text, q.channel, q.unit, q.reason) for q in logged] == [
        ("thủ tục đăng ký tàu vũ trụ", "citizen", "demo-xa-song-xanh", "no_match")]
    assert logged[0].asked_at is not None


def test_a_broken_database_does_not_break_the_reply(dispatcher, tracker_for, domain, monkeypatch):
    import store

    def broken(*args, **kwargs):
        raise RuntimeError("database down")

    monkeypatch.setattr(store, "log_unanswered_question", broken)
    run(dispatcher, tracker_for("thủ tục đăng ký tàu vũ trụ"), domain)
    assert responses(dispatcher)[0] == "utter_not_found"


def test_english_answers_use_english_texts_and_names(dispatcher, tracker_for, domain):
    run(dispatcher, tracker_for("passport fee", slots={"language": "en"}), domain)
    text = rendered(domain, dispatcher, "en")
    passport = knowledge_base.get_procedure("cap-ho-chieu")
    assert text.startswith("💰 Fees")
    assert passport.name_en in text
    assert "updated" in text


@pytest.mark.parametrize("text, response", [
    ("", "utter_empty_message"),
    ("   ", "utter_empty_message"),
    ("a" * 20_000, "utter_too_long"),
    ("😀😀😀", "utter_no_words"),
    ("\x00\x01\x02\x03\x04\x05\x06\x07binary\x08\x0b\x0c\x0e\x0f\x10", "utter_no_words"),
    ("你好，我想办护照", "utter_other_language"),
])
def test_bad_input_gets_a_polite_reply(dispatcher, tracker_for, domain, text, response):
    run(dispatcher, tracker_for(text), domain)
    assert responses(dispatcher) == [response]


def test_html_is_not_executed_or_echoed(dispatcher, tracker_for, domain):
    run(dispatcher, tracker_for("<script>alert('x')</script>"), domain)
    assert "<script>" not in rendered(domain, dispatcher)
    assert dispatcher.messages


def test_follow_up_detection():
    assert not names_a_procedure("thế phí bao nhiêu?")
    assert not names_a_procedure("vậy nộp ở đâu ạ")
    assert not names_a_procedure("hs gồm những gì")  # "hs" is hồ sơ: it named no procedure, got a did-you-mean
    assert names_a_procedure("còn hộ chiếu thì sao")
    assert names_a_procedure("đăng ký kết hôn")


def test_a_long_list_is_one_message_that_counts_what_is_left_to_the_official_page(dispatcher, domain):
    """The portal lists up to 94 documents, some of 4,500 characters: fourteen messages on a phone
    helped no one. One message holds what fits, says how many items are left, and the source line
    links the official page."""
    procedure = Procedure(
        id="thu-tuc-dai", name="Thủ tục có rất nhiều giấy tờ", field="Thử", level=["commune"],
        documents=[Document(name=f"Giấy tờ số {i} " + "x" * 80) for i in range(120)]
        + [Document(name="Giấy tờ rất dài " + "y " * 3000)],
        steps=["Bước 1: " + "z " * 4000], requirements="điều kiện " * 1000,
        sources=[Source(title="Nguồn thử", url="https://example.org")], updated=dt.date(2026, 1, 2),
    )
    ProcedureAnswer(procedure, domain, "vi").send(dispatcher, "documents")
    assert len(dispatcher.messages) == 1
    from actions import messages

    text = messages.render(domain, dispatcher.messages[0]["response"], "vi",
                           **{k: v for k, v in dispatcher.messages[0].items() if k != "response"})
    assert len(text) <= MAX_MESSAGE_CHARS and text.rstrip().endswith("cập nhật 02/01/2026")
    assert "1. Giấy tờ số 0 " in text and "https://example.org" in text
    shown = len(re.findall(r"^\d+\. ", text, re.MULTILINE))
    assert f"… và {121 - shown} mục nữa: xem đầy đủ trên trang chính thức của thủ tục." in text
    answer = ProcedureAnswer(procedure, domain, "vi")
    assert all(len(body) <= 3600 for body in (answer.steps(), answer.eligibility()))
    assert answer.steps().startswith("1. z z") and answer.steps().endswith("…")
    assert answer.eligibility().endswith("(Còn nữa: xem đầy đủ trên trang chính thức của thủ tục.)")


def test_a_body_longer_than_a_message_is_still_split_by_line_under_the_phone_limit(dispatcher, domain):
    from actions import messages

    body = "\n".join(f"{i}. " + "x" * 90 for i in range(120))
    messages.send(dispatcher, domain, "vi", "utter_answer_documents", body_key="body", procedure_title="Thử",
                  body=body, source="📚 Nguồn: thử")
    texts = [messages.render(domain, m["response"], "vi", **{k: v for k, v in m.items() if k != "response"})
             for m in dispatcher.messages]
    assert len(texts) > 1 and all(len(t) <= MAX_MESSAGE_CHARS for t in texts)
    assert texts[-1].rstrip().endswith("📚 Nguồn: thử") and "119. " in texts[-1]


def test_aspect_words_do_not_hide_the_procedure():
    from actions.answer import without_aspect_words

    assert without_aspect_words("lam ho chieu can giay to gi") == "lam ho chieu"
    assert without_aspect_words("how much is the passport fee?") == "is the passport"


def test_an_unrelated_question_is_not_answered_with_the_current_procedure(dispatcher, tracker_for, domain):
    run(dispatcher, tracker_for("thời tiết hôm nay thế nào?", slots={"procedure_id": "cap-ho-chieu"}), domain)
    assert responses(dispatcher)[0] == "utter_not_a_procedure"  # asked like a question no procedure answers


def _flagged(flags: list[str]):
    """A curated record with import flags set, as an imported portal record would carry them."""
    record = knowledge_base.get_procedure("dang-ky-tam-tru")
    return record.model_copy(update={"flags": flags})


def test_a_flagged_portal_fee_is_shown_with_a_caution(domain):
    answer = ProcedureAnswer(_flagged(["fee_amount_suspicious", "fee_conflict"]), domain, "vi")
    body = answer.fee()
    assert body.count("Lưu ý: dữ liệu phí") == 1  # one caution for both fee flags
    assert knowledge_base.get_procedure("dang-ky-tam-tru").fee.summary in body


def test_a_time_without_unit_and_outdated_agency_text_are_cautioned(domain):
    answer = ProcedureAnswer(_flagged(["time_without_unit", "mentions_abolished_terms"]), domain, "en")
    assert "only a number" in answer.time()
    assert "district level" in answer.where()


def test_documents_the_importer_could_not_split_are_cautioned(domain):
    body = ProcedureAnswer(_flagged(["documents_unparsed"]), domain, "vi").documents()
    assert "danh sách giấy tờ trên Cổng Dịch vụ công không tách được" in body
    assert knowledge_base.get_procedure("dang-ky-tam-tru").documents[0].name in body  # as published


def test_an_unflagged_record_has_no_caution(domain):
    answer = ProcedureAnswer(_flagged([]), domain, "vi")
    assert "Lưu ý" not in answer.fee() + answer.time() + answer.where() + answer.documents()


def test_the_overview_carries_the_fee_caution_too(domain):
    answer = ProcedureAnswer(_flagged(["fee_conflict"]), domain, "vi")
    assert "Lưu ý: dữ liệu phí" in answer.overview()
    assert "Lưu ý" not in ProcedureAnswer(_flagged([]), domain, "vi").overview()


def test_a_fee_note_that_never_closes_is_shown_with_the_caution(domain):
    for part in ("fee", "overview"):
        assert "Lưu ý: dữ liệu phí" in getattr(ProcedureAnswer(_flagged(["fee_note_unclosed"]), domain, "vi"), part)()


def test_a_free_fee_the_province_sets_is_shown_with_its_own_caution(domain):
    for lang, words in (("vi", "Hội đồng nhân dân cấp tỉnh"), ("en", "provincial People's Council")):
        answer = ProcedureAnswer(_flagged(["fee_set_by_province"]), domain, lang)
        for part in (answer.fee(), answer.overview()):
            assert words in part


def test_a_caution_two_flags_call_for_is_shown_once(domain):
    answer = ProcedureAnswer(_flagged(["fee_conflict", "fee_note_unclosed"]), domain, "vi")
    for part in (answer.fee(), answer.overview()):
        assert part.count("Lưu ý: dữ liệu phí") == 1


def test_a_fee_every_channel_repeats_is_shown_once(domain):
    from knowledge_base.schema import Channel

    record = knowledge_base.get_procedure("dang-ky-tam-tru")
    same = record.model_copy(update={"channels": [
        Channel(kind="truc_tuyen", fee="Miễn phí", processing_time="3 ngày"),
        Channel(kind="truc_tiep", fee="Miễn phí", processing_time="3 ngày")],
        "fee": record.fee.model_copy(update={"summary": "Miễn phí"}), "processing_time": "3 ngày"})
    answer = ProcedureAnswer(same, domain, "vi")
    assert answer.fee().count("Miễn phí") == 1 and answer.time().count("3 ngày") == 1
    differ = same.model_copy(update={"channels": [
        Channel(kind="truc_tuyen", fee="Miễn phí"), Channel(kind="truc_tiep", fee="20.000 đồng")]})
    body = ProcedureAnswer(differ, domain, "vi").fee()
    assert "20.000 đồng" in body and body.count("Miễn phí") == 2  # summary + the online line


def test_a_portal_fee_that_differs_by_channel_is_given_once_per_channel_in_dong(domain):
    """The importer's summary ("Trực tuyến: …; Trực tiếp: …") only repeats the channel lines: the
    citizen reads each amount once, written 10.000 đồng rather than the portal's 10,000 Việt Nam Đồng."""
    from knowledge_base.schema import Channel

    record = knowledge_base.get_procedure("dang-ky-tam-tru")
    online, in_person = "10,000 Việt Nam Đồng (qua cổng dịch vụ công)", "20,000 Việt Nam Đồng"
    portal = record.model_copy(update={
        "channels": [Channel(kind="truc_tuyen", fee=online), Channel(kind="truc_tiep", fee=in_person)],
        "fee": record.fee.model_copy(update={"summary": f"Trực tuyến: {online}; Trực tiếp: {in_person}",
                                             "exemptions": None})})
    body = ProcedureAnswer(portal, domain, "vi").fee()
    assert body.splitlines() == ["• Trực tuyến: 10.000 đồng (qua cổng dịch vụ công)", "• Nộp trực tiếp: 20.000 đồng"]
    assert "10,000 VND" in ProcedureAnswer(portal, domain, "en").fee()
    overview = ProcedureAnswer(portal, domain, "vi").overview()
    assert "Trực tuyến: 10.000 đồng" in overview and "Việt Nam Đồng" not in overview


def test_only_whole_amounts_in_dong_are_rewritten(domain):
    from functools import partial

    from actions import wording
    from actions.messages import render

    def amounts(lang, text):
        return wording.amounts(partial(render, domain, lang=lang), lang, text)

    assert amounts("vi", "1,500,000 VNĐ/lần; 50 VND") == "1.500.000 đồng/lần; 50 đồng"
    assert amounts("vi", "1,5 triệu đồng; 2,000 USD; 10.000 đồng") == "1,5 triệu đồng; 2,000 USD; 10.000 đồng"
    assert amounts("en", "300,000 Việt Nam Đồng") == "300,000 VND"


def test_steps_are_numbered_once_and_without_the_portal_s_runs_of_spaces(domain):
    record = knowledge_base.get_procedure("dang-ky-tam-tru")
    portal = record.model_copy(update={"steps": [
        "Bước 1: Nộp hồ sơ tại Công an cấp xã.",
        "Bước 2. Trong thời hạn 03 ngày làm việc          (theo dấu công văn đến)",
        "Trả kết quả."]})
    assert ProcedureAnswer(portal, domain, "vi").steps().splitlines() == [
        "1. Nộp hồ sơ tại Công an cấp xã.", "2. Trong thời hạn 03 ngày làm việc (theo dấu công văn đến)",
        "3. Trả kết quả."]


def test_where_names_the_level_when_the_record_names_no_office(domain):
    record = knowledge_base.get_procedure("dang-ky-tam-tru")
    bare = record.model_copy(update={"agency": record.agency.model_copy(update={"receives": None, "decides": None}),
                                     "level": ["province", "commune"]})
    body = ProcedureAnswer(bare, domain, "vi").where()
    assert body.splitlines()[0] == (
        "Cấp thực hiện: cấp tỉnh, cấp xã (xã, phường, đặc khu). Dữ liệu chưa ghi cơ quan tiếp nhận cụ thể.")
    assert ProcedureAnswer(bare, domain, "en").where().startswith("Handled at: province level, commune or ward level.")
    assert "Cấp thực hiện" not in ProcedureAnswer(record, domain, "vi").where()  # an office named: that is enough
    assert "📍 Nơi nộp: cấp tỉnh, cấp xã (xã, phường, đặc khu)" in ProcedureAnswer(bare, domain, "vi").overview()


def test_an_english_reader_gets_bare_durations_fees_and_copies_in_english(domain):
    from knowledge_base.schema import Channel, Document

    record = knowledge_base.get_procedure("dang-ky-tam-tru")
    portal = record.model_copy(update={
        "processing_time": "Trực tuyến: 20 ngày làm việc; Trực tiếp: 5 ngày làm việc",
        "channels": [Channel(kind="truc_tuyen", processing_time="20 ngày làm việc", fee="Miễn phí"),
                     Channel(kind="truc_tiep", processing_time="5 ngày làm việc", fee="Miễn phí")],
        "fee": record.fee.model_copy(update={"summary": "Miễn phí", "exemptions": None}),
        "documents": [Document(name="Tờ khai", copies=1), Document(name="Ảnh", copies=2)]})
    answer = ProcedureAnswer(portal, domain, "en")
    assert answer.time().splitlines() == ["• Online: 20 working days", "• In person: 5 working days"]
    assert answer.fee() == "Free of charge"
    assert "1 copy" in answer.documents() and "2 copies" in answer.documents() and "cop(ies)" not in answer.documents()
    vietnamese = ProcedureAnswer(portal, domain, "vi")
    assert vietnamese.fee() == "Miễn phí" and "20 ngày làm việc" in vietnamese.time()
    # anything but a bare duration stays as the record writes it
    assert ProcedureAnswer(portal.model_copy(update={"channels": [], "processing_time": "Ngay trong ngày"}),
                           domain, "en").time() == "Ngay trong ngày"


def test_a_part_asked_right_after_the_choice_buttons_offers_the_same_choice_for_that_part(dispatcher, domain):
    from action_helpers import make_tracker

    offered = [{"title": "Đăng ký thành lập doanh nghiệp",
                "payload": '/choose_procedure{"procedure_id":"thanh-lap-doanh-nghiep"}'},
               {"title": "Đăng ký hộ kinh doanh",
                "payload": '/choose_procedure{"procedure_id":"dang-ky-ho-kinh-doanh"}'}]
    tracker = make_tracker("mất bao lâu", intent="ask_aspect")
    tracker.events[:0] = [{"event": "user", "text": "mở công ty"},
                          {"event": "bot", "text": "Bạn hỏi về thủ tục nào?", "data": {"buttons": offered}}]
    run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_choose_procedure"]
    assert [b["payload"] for b in message(dispatcher, "utter_choose_procedure")["buttons"]] == [
        '/choose_procedure{"procedure_id":"thanh-lap-doanh-nghiep","aspect":"time"}',
        '/choose_procedure{"procedure_id":"dang-ky-ho-kinh-doanh","aspect":"time"}']
    # with no choice just offered, the bot asks which procedure
    dispatcher.messages.clear()
    older = make_tracker("mất bao lâu", intent="ask_aspect")
    older.events[:0] = [{"event": "user", "text": "mở công ty"},
                        {"event": "bot", "text": "…", "data": {"buttons": offered}},
                        {"event": "user", "text": "cảm ơn"}, {"event": "bot", "text": "Không có gì ạ"}]
    run(dispatcher, older, domain)
    assert responses(dispatcher) == ["utter_which_procedure"]


def test_documents_listed_by_case_show_each_case_once_and_name_the_cases_left_out(domain):
    """The importer keeps the portal's case heading as the note of each document under it (516 records):
    it heads its documents once instead of trailing every one of them."""
    from actions import wording

    record = knowledge_base.get_procedure("dang-ky-tam-tru")
    road, house = "(1.1) Đối với công trình theo tuyến:", "(1.2) Đối với nhà ở riêng lẻ:"
    documents = ([Document(name=f"Bản vẽ {i}", note=road) for i in range(3)]
                 + [Document(name=f"Giấy tờ {i}", note=house) for i in range(2)]
                 + [Document(name="Tờ khai", note="bản sao có chứng thực")])
    body = ProcedureAnswer(record.model_copy(update={"documents": documents}), domain, "vi").documents()
    assert body.splitlines()[:6] == [road, "1. Bản vẽ 0", "2. Bản vẽ 1", "3. Bản vẽ 2", house, "4. Giấy tờ 0"]
    assert body.count(road) == 1 and "6. Tờ khai – bản sao có chứng thực" in body  # one document's note stays its own
    many = [Document(name=f"Bản vẽ {i} " + "x" * 500, note=road) for i in range(12)] + documents[3:]
    cut = ProcedureAnswer(record.model_copy(update={"documents": many}), domain, "vi").documents()
    assert "mục nữa" in cut and cut.splitlines()[-1] == (
        "Trường hợp khác trên trang chính thức: (1.2) Đối với nhà ở riêng lẻ.")
    assert wording.case_headings(["a", "a", None, "b", "c", "c", "c"]) == ["a", "a", None, None, "c", "c", "c"]


def test_where_says_when_the_desk_the_citizen_writes_from_receives_the_procedure(domain):
    """The units file (data) says which unit receives which procedure: a desk's widget hears "you can
    file it here"; a unit that does not receive it names the few that do; a procedure every commune
    receives is left to the record's own "where"."""
    import units

    passport = knowledge_base.get_procedure("cap-ho-chieu")
    police = units.directory().units["demo-cong-an-tinh"]
    here = ProcedureAnswer(passport, domain, "vi", "demo-cong-an-tinh").where()
    assert f"👉 Nộp được tại đây: {police.label('vi')} – {police.address}" in here
    elsewhere = ProcedureAnswer(passport, domain, "en", "demo-phuong-trung-tam").where()
    assert f"👉 Received in this province at: {police.label('en')} – {police.address}" in elsewhere
    birth = knowledge_base.get_procedure("dang-ky-khai-sinh")
    assert "👉" not in ProcedureAnswer(birth, domain, "vi", "demo-hcc").where()  # every commune receives it
    assert "👉" not in ProcedureAnswer(passport, domain, "vi").where()  # no unit known


def _after(question: str, current: str, message_text: str, intent: str):
    from action_helpers import make_tracker

    tracker = make_tracker(message_text, intent=intent, slots={"procedure_id": current})
    asked = {"text": question, "intent": {"name": "ask_procedure", "confidence": 0.99}, "entities": []}
    tracker.events[:0] = [{"event": "user", "text": question, "parse_data": asked},
                          {"event": "bot", "text": "…"}]
    return tracker


def test_not_the_procedure_meant_offers_the_others_the_question_matched(dispatcher, domain):
    events = run(dispatcher, _after("căn cước", "cap-the-can-cuoc", "không phải thủ tục này", "other_procedure"),
                 domain)
    assert responses(dispatcher) == ["utter_other_procedures"]
    payloads = [b["payload"] for b in message(dispatcher, "utter_other_procedures")["buttons"]]
    assert payloads and not any('"cap-the-can-cuoc"' in p for p in payloads)
    assert any('"procedure_id":"cap-doi-cap-lai-the-can-cuoc"' in p for p in payloads)
    assert events == [SlotSet("procedure_id", None)]
    # nothing asked before: which procedure, then
    dispatcher.messages.clear()
    from action_helpers import make_tracker

    events = run(dispatcher, make_tracker("cái khác", intent="other_procedure", slots={"procedure_id": "cap-ho-chieu"}),
                 domain)
    assert responses(dispatcher) == ["utter_which_procedure"] and events == [SlotSet("procedure_id", None)]


def test_free_text_taken_for_a_choice_is_not_answered_with_the_current_procedure(dispatcher, domain):
    """NLU took "bắt đầu lại" / "cái khác" for choose_procedure; with no button payload it named no
    procedure, and the procedure under discussion was sent again."""
    run(dispatcher, _after("làm hộ chiếu", "cap-ho-chieu", "đăng ký kết hôn", "choose_procedure"), domain)
    sent = [m for m in dispatcher.messages if str(m.get("response", "")).startswith("utter_answer_")]
    assert sent and "kết hôn" in sent[0]["procedure_title"].lower()
