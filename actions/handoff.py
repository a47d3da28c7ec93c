"""Handing a citizen over to a person: the unit's hotline, address and hours, and a question left
for staff (stored with the unanswered questions)."""
from __future__ import annotations

import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

import units

from . import messages
from .session import keeps_context
from .survey_answers import CANCEL, PAUSE, control

logger = logging.getLogger(__name__)


def send_contact(dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> None:
    """The unit's contact details and the offer to leave a question (`utter_handoff`)."""
    unit = units.directory().get(tracker.get_slot("unit"))
    english = messages.language(tracker) == "en"
    dispatcher.utter_message(
        response="utter_handoff",
        unit_name=(unit.name_en if english and unit.name_en else unit.name),
        hotline=unit.hotline,
        address=unit.address,
        office_hours=(unit.office_hours_en if english and unit.office_hours_en else unit.office_hours),
    )


def log_question(tracker: Tracker, text: str, reason: str, candidates: tuple[str, ...] = ()) -> bool:
    """Store a question for staff; a database problem is logged, never shown as an error."""
    try:
        import store

        store.log_unanswered_question(
            text, reason=reason, channel=tracker.get_slot("channel"), unit=tracker.get_slot("unit"),
            desk=tracker.get_slot("desk"), language=tracker.get_slot("language"),
            conversation_id=tracker.sender_id, candidates=candidates,
        )
        return True
    except Exception:
        logger.exception("could not store the unanswered question")
        return False


class ActionHandoff(Action):
    def name(self) -> str:
        return "action_handoff"

    @keeps_context
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        send_contact(dispatcher, tracker, domain)
        return []


class ActionSubmitStaffQuestion(Action):
    """After `leave_question_form`: store the question the citizen wrote for staff."""

    def name(self) -> str:
        return "action_submit_staff_question"

    @keeps_context
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        question = (tracker.get_slot("staff_question") or "").strip()
        if control(question) in (CANCEL, PAUSE):  # "thôi", "hủy", "để sau" is not a question for staff
            dispatcher.utter_message(response="utter_question_cancelled")
        elif question and log_question(tracker, question, "left_for_staff"):
            dispatcher.utter_message(response="utter_question_left")
        else:
            dispatcher.utter_message(response="utter_question_not_saved")
            send_contact(dispatcher, tracker, domain)
        return [SlotSet("staff_question", None)]
