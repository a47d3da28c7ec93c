"""The satisfaction survey's actions on offline trackers: understanding answers, re-asking, skipping,
cancel and pause, signed links, and a rating committed before the thanks."""
from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa
from action_helpers import make_tracker, rendered, responses
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import survey
from actions.survey_answers import (CANCEL, PAUSE, SKIP, answer_text, control, parse_attitude, parse_comment,
                                    parse_count, parse_overall, parse_publicity, parse_sipas, parse_yes_no)


def run(action, dispatcher, tracker, domain):
    return asyncio.run(action.run(dispatcher, tracker, domain))


def slots_of(events) -> dict:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def count(model) -> int:
    import store

    with store.database().session() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(model))


# ------------------------------------------------------------------ free text
@pytest.mark.parametrize("text, expected", [
    ("1 lần", "1"), ("1 lan", "1"), ("một lần", "1"), ("mot lan thoi", "1"), ("2", "2"), ("hai lần", "2"),
    ("3 lần trở lên", "3+"), ("4 lần", "3+"), ("nhiều lần lắm", "3+"), ("twice", "2"), ("/survey_answer", None),
    ("hôm nay trời đẹp", None),
])
def test_counts(text, expected):
    assert parse_count(answer_text(text)) == expected


@pytest.mark.parametrize("text, expected", [
    ("Rất hài lòng", "very_satisfied"), ("rat hai long", "very_satisfied"), ("hài lòng", "satisfied"),
    ("hai long", "satisfied"), ("ko hài lòng", "dissatisfied"), ("k hai long", "dissatisfied"),
    ("không hài lòng chút nào", "dissatisfied"), ("rất không hài lòng", "dissatisfied"),
    ("tuyệt vời", "very_satisfied"), ("not satisfied", "dissatisfied"), ("very satisfied", "very_satisfied"),
    ("ổn", "satisfied"), ("không ổn", "dissatisfied"),
    ("xyz", None),
])
def test_overall(text, expected):
    assert parse_overall(text) == expected


@pytest.mark.parametrize("parser, text, expected", [
    (parse_publicity, "có, đầy đủ", "full"), (parse_publicity, "chua day du", "partial"),
    (parse_publicity, "không công khai", "none"), (parse_publicity, "đúng", "full"),
    (parse_attitude, "cán bộ lịch sự, tận tình", "good"), (parse_attitude, "binh thuong", "normal"),
    (parse_attitude, "nhũng nhiễu", "bad"), (parse_attitude, "không tốt", "bad"),
    (parse_sipas, "5", "5"), (parse_sipas, "4 điểm", "4"), (parse_sipas, "rất không hài lòng", "1"),
    (parse_sipas, "bình thường", "3"), (parse_sipas, "9", None),
    (parse_yes_no, "có", "yes"), (parse_yes_no, "không, bỏ qua", "no"),
    (parse_comment, "không có", SKIP), (parse_comment, "Nên có thêm ghế chờ", "Nên có thêm ghế chờ"),
])
def test_choices(parser, text, expected):
    assert parser(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("hủy", CANCEL), ("Thôi", CANCEL), ("huy bo", CANCEL), ("/cancel", CANCEL), ("cancel", CANCEL),
    ("để sau", PAUSE), ("tam dung", PAUSE), ("later", PAUSE),
    ("đúng", None), ("thôi được, hài lòng", None), ("1 lần", None),
])
def test_cancel_and_pause_words(text, expected):
    assert control(text) == expected


def test_button_payloads_carry_the_answer():
    assert answer_text('/survey_answer{"answer":"3+"}') == "3+"
    assert answer_text('/survey_answer{"answer":') == '/survey_answer{"answer":'


@pytest.mark.parametrize("text, unit", [
    ("xã Sông Xanh", "demo-xa-song-xanh"), ("song xanh", "demo-xa-song-xanh"),
    ("phuong ben cang", "demo-phuong-ben-cang"),
    ("Sở Tư pháp", "demo-so-tu-phap"), ("demo-hcc", "demo-hcc"), ("công an tỉnh", "demo-cong-an-tinh"),
    ("ủy ban", None), ("", None),
])
def test_units_by_name(text, unit):
    assert survey.parse_unit(text) == unit


def test_procedures_by_id_name_or_skip():
    assert survey.parse_procedure("dang-ky-khai-sinh") == "dang-ky-khai-sinh"
    assert survey.parse_procedure("bỏ qua") == SKIP
    assert survey.parse_procedure("làm hộ chiếu") == "cap-ho-chieu"
    assert survey.parse_procedure("thời tiết hôm nay") is None


# ------------------------------------------------------------------ the plan and validation
def test_plan_adds_sipas_and_callback_only_when_relevant():
    base = survey.survey_plan({})
    assert base[0] == "survey_unit" and "survey_sipas_access" not in base and "survey_callback" not in base
    assert "survey_sipas_feedback" in survey.survey_plan({"survey_more": "yes"})
    assert survey.survey_plan({"survey_overall": "dissatisfied"})[-1] == "survey_callback"
    assert survey.survey_plan({"survey_attitude": "bad"})[-1] == "survey_callback"
    assert survey.survey_plan({"survey_abuse": True})[-1] == "survey_callback"
    assert survey.survey_plan({"survey_outcome": "cancelled"}) == []


def validate(slot, text, attempts=None, **slots):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text, slots={"requested_slot": slot, "survey_attempts": attempts, **slots})
    result = asyncio.run(survey.ValidateSurveyForm()._validate(slot, text, dispatcher, tracker))
    return result, responses(dispatcher)


def test_an_answer_is_stored_canonically():
    assert validate("survey_contacts", "1 lần")[0] == {"survey_contacts": "1", "survey_attempts": None}
    assert validate("survey_overall", '/survey_answer{"answer":"satisfied"}')[0]["survey_overall"] == "satisfied"


def test_not_understood_is_asked_again_twice_then_skipped():
    result, said = validate("survey_contacts", "trời đẹp quá")
    assert result == {"survey_contacts": None, "survey_attempts": {"slot": "survey_contacts", "count": 1}}
    assert said == ["utter_survey_not_understood"]
    result, said = validate("survey_contacts", "???", attempts={"slot": "survey_contacts", "count": 1})
    assert result["survey_attempts"]["count"] == 2 and said == ["utter_survey_not_understood"]
    result, said = validate("survey_contacts", "???", attempts={"slot": "survey_contacts", "count": 2})
    assert result == {"survey_contacts": SKIP, "survey_attempts": None} and said == ["utter_survey_question_skipped"]


def test_the_overall_answer_cannot_be_skipped_so_the_survey_ends():
    result, _ = validate("survey_overall", "???", attempts={"slot": "survey_overall", "count": 2})
    assert result["survey_outcome"] == "ended"


def test_an_attempt_count_belongs_to_its_question():
    result, _ = validate("survey_bodies", "???", attempts={"slot": "survey_contacts", "count": 2})
    assert result["survey_attempts"] == {"slot": "survey_bodies", "count": 1}


def test_cancel_and_pause_at_any_question():
    assert validate("survey_publicity", "hủy")[0]["survey_outcome"] == "cancelled"
    assert validate("survey_comment", "để sau")[0]["survey_outcome"] == "paused"


def test_an_abusive_comment_asks_for_a_call_back_number():
    result, _ = validate("survey_comment", "cán bộ hạch dịch, đòi tiền bồi dưỡng")
    assert result["survey_abuse"] is True
    assert survey.survey_plan({**result})[-1] == "survey_callback"


def test_validation_action_sets_the_next_question():
    tracker = Tracker("c", {"requested_slot": "survey_contacts", "survey_unit": "demo-hcc", "survey_dossier": SKIP,
                            "survey_procedure": SKIP, "survey_contacts": "1 lần"},
                      {"text": "1 lần", "intent": {"name": "survey_answer"}, "entities": []},
                      [{"event": "user", "text": "1 lần"},
                       {"event": "slot", "name": "survey_contacts", "value": "1 lần"}], False, None,
                      {"name": "survey_form"}, "survey_form")
    domain = {"forms": {"survey_form": {"required_slots": list(survey.FORM_SLOTS)}}}
    events = asyncio.run(survey.ValidateSurveyForm().run(CollectingDispatcher(), tracker, domain))
    assert slots_of(events)["survey_contacts"] == "1" and slots_of(events)["requested_slot"] == "survey_bodies"


# ------------------------------------------------------------------ starting
def test_starting_from_the_conversation_uses_the_channel_unit(domain, dispatcher):
    tracker = make_tracker("tôi muốn đánh giá", intent="start_rating", metadata={"unit": "demo-xa-song-xanh"},
                           slots={"desk": "quay-2", "language": "vi"})
    events = run(survey.ActionStartSurvey(), dispatcher, tracker, domain)
    assert slots_of(events)["survey_unit"] == "demo-xa-song-xanh" and slots_of(events)["survey_desk"] == "quay-2"
    assert "xã Sông Xanh" in rendered(domain, dispatcher)


def test_without_a_declared_unit_the_unit_is_asked_with_buttons(domain, dispatcher):
    events = run(survey.ActionStartSurvey(), dispatcher, make_tracker("góp ý", intent="start_rating"), domain)
    assert "survey_unit" not in {k for k, v in slots_of(events).items() if v}
    dispatcher.messages.clear()
    run(survey.ActionAskSurveyUnit(), dispatcher, make_tracker("", slots={"unit": "demo-phuong-trung-tam"}), domain)
    buttons = dispatcher.messages[0]["buttons"]
    assert buttons[0]["payload"] == '/survey_answer{"answer":"demo-phuong-trung-tam"}'
    assert all("demo-province" not in b["payload"] for b in buttons)


def test_procedure_buttons_come_from_the_unit(domain, dispatcher):
    tracker = make_tracker("", slots={"survey_unit": "demo-cong-an-tinh", "procedure_id": "cap-ho-chieu"})
    run(survey.ActionAskSurveyProcedure(), dispatcher, tracker, domain)
    payloads = [b["payload"] for b in dispatcher.messages[0]["buttons"]]
    assert "cap-ho-chieu" in payloads[0] and payloads[-1] == '/survey_answer{"answer":"skip"}'


def test_a_signed_link_prefills_the_survey(domain, dispatcher):
    from store.surveys import issue_invitation

    invitation = issue_invitation("demo-xa-song-xanh", desk="quay-2", dossier_code="H12-77",
                                  procedure_id="dang-ky-khai-sinh")
    tracker = make_tracker(f'/start_rating{{"survey_token":"{invitation.token}"}}', intent="start_rating",
                           entities=[{"entity": "survey_token", "value": invitation.token}])
    values = slots_of(run(survey.ActionStartSurvey(), dispatcher, tracker, domain))
    assert (values["survey_unit"], values["survey_desk"], values["survey_dossier"], values["survey_procedure"],
            values["survey_invitation"]) == ("demo-xa-song-xanh", "quay-2", "H12-77", "dang-ky-khai-sinh",
                                             invitation.claims.invitation_id)


def test_a_forged_link_is_said_and_ignored(domain, dispatcher):
    token = "1AAAAAAAAAAAAAAAA1"
    tracker = make_tracker("", intent="start_rating", entities=[{"entity": "survey_token", "value": token}])
    values = slots_of(run(survey.ActionStartSurvey(), dispatcher, tracker, domain))
    assert responses(dispatcher)[0] == "utter_survey_bad_link"
    assert not values.get("survey_invitation") and not values.get("survey_dossier")


# ------------------------------------------------------------------ submitting
ANSWERS = {"survey_unit": "demo-xa-song-xanh", "survey_dossier": "H12-9", "survey_procedure": "dang-ky-khai-sinh",
           "survey_contacts": "1", "survey_bodies": "2", "survey_publicity": "full", "survey_attitude": "good",
           "survey_overall": "very_satisfied", "survey_more": "yes", "survey_sipas_access": "5",
           "survey_sipas_procedure": SKIP, "survey_sipas_officials": "4", "survey_sipas_result": "5",
           "survey_sipas_feedback": "3", "survey_comment": "Gọi 0912345678 nếu cần", "survey_callback": None,
           "channel": "telegram", "language": "vi"}


def submit(domain, dispatcher, sender="citizen-1", **changes):
    tracker = make_tracker("", slots={**ANSWERS, **changes}, sender=sender)
    return run(survey.ActionSubmitSurvey(), dispatcher, tracker, domain)


def test_a_rating_is_committed_then_the_citizen_thanked(domain, dispatcher):
    import store

    events = submit(domain, dispatcher)
    assert responses(dispatcher) == ["utter_survey_thanks"]
    with store.database().session() as session:
        row = session.scalars(sa.select(store.Rating)).one()
        assert (row.unit, row.dossier_code, row.citizen_contacts, row.citizen_bodies, row.citizen_publicity,
                row.citizen_attitude, row.overall, row.sipas_access, row.sipas_procedure, row.channel) == (
            "demo-xa-song-xanh", "H12-9", 2, 1, 2, 2, "very_satisfied", 5, None, "telegram")
        assert "0912345678" not in row.comment and row.callback_phone is None
    assert f"DG-{row.id}" in rendered(domain, dispatcher)
    assert all(v is None for k, v in slots_of(events).items() if k.startswith("survey_"))


def test_the_same_dossier_again_updates_and_says_so(domain, dispatcher):
    submit(domain, dispatcher)
    dispatcher.messages.clear()
    submit(domain, dispatcher, survey_overall="satisfied")
    assert responses(dispatcher) == ["utter_survey_updated"] and count(__import__("store").Rating) == 1


def test_unhappy_citizens_are_told_what_happens_next(domain, dispatcher):
    import store

    submit(domain, dispatcher, survey_overall="dissatisfied", survey_callback="0912345678")
    assert responses(dispatcher) == ["utter_survey_thanks", "utter_survey_alert_next"]
    text = rendered(domain, dispatcher)
    assert "PA-1" in text and "gọi lại" in text and "0200 000 3333" in text
    with store.database().session() as session:
        assert session.scalars(sa.select(store.Rating.callback_phone)).one() == "0912345678"


def test_a_failure_to_save_is_told_and_the_answers_kept_for_a_retry(domain, dispatcher, monkeypatch):
    import store.ratings

    def broken(data):
        raise RuntimeError("database is down")

    monkeypatch.setattr(store.ratings, "submit_rating", broken)
    events = submit(domain, dispatcher)
    assert responses(dispatcher) == ["utter_survey_not_saved"]
    assert "utter_survey_thanks" not in responses(dispatcher)
    assert slots_of(events) == {"survey_paused": True, "survey_outcome": None}
    assert count(store.Rating) == 0


@pytest.mark.parametrize("outcome, said", [("cancelled", "utter_survey_cancelled"), ("ended", "utter_survey_ended")])
def test_cancelled_or_ended_surveys_save_nothing(domain, dispatcher, outcome, said):
    import store

    events = submit(domain, dispatcher, survey_outcome=outcome)
    assert responses(dispatcher) == [said] and count(store.Rating) == 0
    assert slots_of(events)["survey_overall"] is None


def test_pause_keeps_the_answers_and_resume_continues(domain, dispatcher):
    events = submit(domain, dispatcher, survey_outcome="paused")
    assert responses(dispatcher) == ["utter_survey_paused"] and slots_of(events)["survey_paused"] is True
    assert "survey_contacts" not in slots_of(events)
    dispatcher.messages.clear()
    events = run(survey.ActionResumeSurvey(), dispatcher, make_tracker("tiếp tục", slots={"survey_paused": True}),
                 domain)
    assert responses(dispatcher) == ["utter_survey_resumed"] and slots_of(events)["survey_paused"] is None


def test_a_dossier_link_used_by_someone_else_is_refused(domain, dispatcher):
    from store.surveys import issue_invitation

    invitation = issue_invitation("demo-xa-song-xanh", dossier_code="H12-10")
    submit(domain, dispatcher, survey_invitation=invitation.claims.invitation_id, survey_dossier="H12-10")
    dispatcher.messages.clear()
    tracker = make_tracker("", intent="start_rating", sender="someone-else",
                           entities=[{"entity": "survey_token", "value": invitation.token}])
    events = run(survey.ActionStartSurvey(), dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_survey_already_rated"] and slots_of(events)["survey_outcome"] == "refused"


@pytest.mark.parametrize("text", ["rat hai long", "hai long", "binh thuong", "lich su, tan tinh"])
def test_survey_answers_without_diacritics_keep_the_conversation_in_vietnamese(text):
    # "long" is an English word too: "rat hai long" once switched the survey to English
    from actions.language import detect_language

    assert detect_language(text) == "vi"
