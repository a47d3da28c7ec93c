"""action_handoff and action_submit_staff_question: reaching a person."""
from __future__ import annotations

import asyncio

from rasa_sdk.events import SlotSet

import units
from actions.handoff import ActionHandoff, ActionSubmitStaffQuestion

from action_helpers import message, rendered, responses


def test_handoff_gives_the_default_units_contact(dispatcher, tracker_for, domain):
    asyncio.run(ActionHandoff().run(dispatcher, tracker_for("gặp cán bộ", intent="request_human"), domain))
    centre = units.directory().get(None)
    sent = message(dispatcher, "utter_handoff")
    assert centre.kind == "service_centre"
    assert (sent["hotline"], sent["address"], sent["office_hours"]) == (
        centre.hotline, centre.address, centre.office_hours)
    assert "Để lại câu hỏi" in str(domain["responses"]["utter_handoff"][0]["buttons"])


def test_handoff_uses_the_conversations_unit_and_language(dispatcher, tracker_for, domain):
    tracker = tracker_for("human please", intent="request_human",
                          slots={"unit": "demo-phuong-trung-tam", "language": "en"})
    asyncio.run(ActionHandoff().run(dispatcher, tracker, domain))
    ward = units.directory().get("demo-phuong-trung-tam")
    text = rendered(domain, dispatcher, "en")
    assert ward.hotline in text and ward.name_en in text and ward.office_hours_en in text


def test_question_left_for_staff_is_stored(dispatcher, tracker_for, domain, database):
    tracker = tracker_for("Hồ sơ của tôi nộp tuần trước đến đâu rồi?", slots={
        "staff_question": "Hồ sơ của tôi nộp tuần trước đến đâu rồi?", "channel": "citizen",
        "unit": "demo-hcc", "desk": "quay-3"})
    events = asyncio.run(ActionSubmitStaffQuestion().run(dispatcher, tracker, domain))
    assert responses(dispatcher) == ["utter_question_left"]
    assert events == [SlotSet("staff_question", None)]
    [row] = database.recent_unanswered_questions()
    assert (row.reason, row.channel, row.unit, row.desk) == ("left_for_staff", "citizen", "demo-hcc", "quay-3")


def test_question_not_stored_is_said_and_contact_given(dispatcher, tracker_for, domain, monkeypatch):
    import store

    monkeypatch.setattr(store, "log_unanswered_question", lambda *a, **k: 1 / 0)
    tracker = tracker_for("câu hỏi", slots={"staff_question": "câu hỏi"})
    asyncio.run(ActionSubmitStaffQuestion().run(dispatcher, tracker, domain))
    assert responses(dispatcher) == ["utter_question_not_saved", "utter_handoff"]


def test_cancelling_the_question_for_staff_stores_nothing(dispatcher, tracker_for, domain, database):
    tracker = tracker_for("thôi", slots={"staff_question": "thôi", "unit": "demo-hcc"})
    events = asyncio.run(ActionSubmitStaffQuestion().run(dispatcher, tracker, domain))
    assert responses(dispatcher) == ["utter_question_cancelled"]
    assert events == [SlotSet("staff_question", None)]
    assert database.recent_unanswered_questions() == []
