"""action_session_start and action_track_context: channel metadata and language on the tracker."""
from __future__ import annotations

import asyncio
from pathlib import Path

from rasa_sdk.events import ActionExecuted, SessionStarted, SlotSet

from actions.session import ActionSessionStart, ActionTrackContext

from action_helpers import make_tracker

REPO = Path(__file__).resolve().parents[2]


def test_session_start_keeps_the_channel_metadata(dispatcher, domain):
    metadata = {"channel": "telegram", "unit": "demo-xa-song-xanh", "desk": "quay-1", "language": "en"}
    tracker = make_tracker(None, slots={"session_started_metadata": metadata})
    events = asyncio.run(ActionSessionStart().run(dispatcher, tracker, domain))
    assert events[0] == SessionStarted()
    assert events[-1] == ActionExecuted("action_listen")
    assert {e["name"]: e["value"] for e in events if e["event"] == "slot"} == {
        "channel": "telegram", "unit": "demo-xa-song-xanh", "desk": "quay-1", "language": "en",
        "declared_language": "en"}


def test_session_start_without_metadata_uses_defaults(dispatcher, domain):
    events = asyncio.run(ActionSessionStart().run(dispatcher, make_tracker(None), domain))
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert slots["unit"] == "demo-hcc" and slots["language"] == "vi" and slots["channel"] == "rest"


def test_each_message_updates_unit_and_language(dispatcher, domain):
    tracker = make_tracker("how do I get a passport", metadata={"unit": "demo-phuong-trung-tam"},
                           slots={"unit": "demo-hcc", "language": "vi", "channel": "citizen"})
    events = asyncio.run(ActionTrackContext().run(dispatcher, tracker, domain))
    assert SlotSet("unit", "demo-phuong-trung-tam") in events
    assert SlotSet("language", "en") in events
    assert all(e["event"] == "slot" for e in events)


def test_unknown_unit_and_odd_metadata_are_ignored(dispatcher, domain):
    tracker = make_tracker("xin chào", metadata={"unit": "no-such-unit", "desk": {"x": 1}},
                           slots={"unit": "demo-xa-song-xanh", "language": "vi"})
    events = asyncio.run(ActionTrackContext().run(dispatcher, tracker, domain))
    assert not any(e["name"] in ("unit", "desk") for e in events)


def test_a_short_message_keeps_the_language(dispatcher, domain):
    tracker = make_tracker("ok", slots={"language": "en"})
    events = asyncio.run(ActionTrackContext().run(dispatcher, tracker, domain))
    assert SlotSet("language", "vi") not in events


def test_a_language_switch_on_the_channel_takes_effect_at_once(dispatcher, domain):
    # the widget's English switch: the next message is a button payload, which tells no language
    tracker = make_tracker("/choose_aspect", metadata={"language": "en"},
                           slots={"language": "vi", "declared_language": "vi"})
    events = asyncio.run(ActionTrackContext().run(dispatcher, tracker, domain))
    assert SlotSet("language", "en") in events and SlotSet("declared_language", "en") in events


def test_an_unchanged_declared_language_does_not_override_the_conversation(dispatcher, domain):
    # a Telegram user whose app is in English but who chats in Vietnamese, then types "ok"
    tracker = make_tracker("ok", metadata={"language": "en"}, slots={"language": "vi", "declared_language": "en"})
    events = asyncio.run(ActionTrackContext().run(dispatcher, tracker, domain))
    assert SlotSet("language", "en") not in events


def test_what_the_citizen_writes_beats_a_switch(dispatcher, domain):
    tracker = make_tracker("làm căn cước ở đâu", metadata={"language": "en"},
                           slots={"language": "vi", "declared_language": "vi"})
    events = asyncio.run(ActionTrackContext().run(dispatcher, tracker, domain))
    assert SlotSet("language", "en") not in events


# --- the context kept by the answering actions themselves (no action_track_context call on those turns)

def test_the_domain_skips_action_track_context_exactly_for_the_turns_actions_keep_it(domain):
    from actions.session import CONTEXT_IN_ACTION_INTENTS

    for slot in ("channel", "unit", "desk", "language", "declared_language"):
        (mapping,) = domain["slots"][slot]["mappings"]
        assert mapping["action"] == "action_track_context"
        assert sorted(mapping["not_intent"]) == sorted(CONTEXT_IN_ACTION_INTENTS)


def test_every_action_a_skipped_turn_can_run_keeps_the_context():
    """The rules of the skipped intents, and the form steps any message can reach, run only actions
    that bring the context up to date themselves."""
    import yaml
    from rasa_sdk.interfaces import Action

    from actions.session import CONTEXT_IN_ACTION_INTENTS
    import actions.answer, actions.fallback, actions.handoff, actions.survey  # noqa: E401,F401

    classes = {}
    todo = [Action]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            try:
                classes[sub().name()] = sub
            except Exception:  # abstract helpers of the SDK
                pass
    rules = [rule for path in sorted(REPO.glob("data/rules/*.yml"))
             for rule in yaml.safe_load(path.read_text("utf-8")).get("rules", [])]
    first_actions = set()
    for rule in rules:
        steps = rule["steps"]
        if steps and steps[0].get("intent") in CONTEXT_IN_ACTION_INTENTS:
            first_actions.add(steps[1]["action"])
    assert first_actions == {"action_answer", "action_fallback", "action_handoff"}
    for name in first_actions | {"validate_survey_form", "action_submit_staff_question"}:
        assert getattr(classes[name].run, "__wrapped__", None) is not None, name


def test_an_english_question_in_a_vietnamese_conversation_is_answered_in_english(dispatcher, domain):
    from actions.answer import ActionAnswer

    tracker = make_tracker("how much is the passport fee", slots={"language": "vi"})
    events = asyncio.run(ActionAnswer().run(dispatcher, tracker, domain))
    assert SlotSet("language", "en") in events
    (sent,) = dispatcher.messages
    # rendered by the action, because Rasa would render it with the language before this action
    assert sent["response"] is None and sent["utter_action"] == "utter_answer_fee"
    assert sent["text"].startswith("💰 Fees – ")
    assert "passport" in sent["text"] and sent["source"] in sent["text"]


def test_a_turn_that_changes_no_language_leaves_rendering_to_rasa(dispatcher, domain):
    from actions.answer import ActionAnswer

    tracker = make_tracker("phí làm hộ chiếu bao nhiêu", slots={"language": "vi"})
    events = asyncio.run(ActionAnswer().run(dispatcher, tracker, domain))
    assert not any(e["name"] in ("channel", "unit", "desk", "language") for e in events)
    assert dispatcher.messages[0]["response"] == "utter_answer_fee" and not dispatcher.messages[0]["text"]


def test_a_response_rendered_by_the_action_is_what_rasa_would_send(domain):
    from actions.messages import render_here

    message = {"text": None, "buttons": [], "elements": [], "custom": {}, "template": "utter_answer_overview",
               "response": "utter_answer_overview", "image": None, "attachment": None,
               "procedure_title": "Passport", "body": "…", "source": "Source: portal"}
    render_here([message], domain, {"language": "en", "unit": "demo-hcc"})
    assert message["text"] == "📋 Passport\n…\n\nWhich part would you like to see?\n\nSource: portal"
    assert message["buttons"][0] == {"title": "Documents", "payload": '/ask_aspect{"aspect":"documents"}'}
    assert message["utter_action"] == "utter_answer_overview" and message["response"] is None
    # a placeholder without a value stays as written, as in Rasa
    missing = {"response": "utter_answer_overview", "buttons": []}
    render_here([missing], domain, {"language": "vi"})
    assert "{procedure_title}" in missing["text"]
