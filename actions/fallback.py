"""When the assistant cannot answer: input it cannot read, questions outside its procedures, and
messages NLU did not understand. Says so honestly, offers the nearest procedures and a person, and
logs the question for staff."""
from __future__ import annotations

import json
import logging
import unicodedata
from typing import Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from knowledge_base.normalize import MAX_QUERY_CHARS, clean, fold

from . import kb, messages
from .handoff import log_question, send_contact
from .language import OTHER, detect_language
from .session import keeps_context

logger = logging.getLogger(__name__)

# below this a rejected hit is noise, not a "did you mean". Measured on the dev sets (session 11): of the 15
# in-scope searches the national index declines, the right procedure is among the 3 offered for 11 at 0.2
# against 5 at 0.25, while 98 instead of 61 of the 179 declined out-of-scope ones not asked like those no
# procedure answers get some offer (after "not found"); 0.15 adds nothing right and 48 more offers
WEAK_CANDIDATE_MIN = 0.2
MAX_CANDIDATES = 3
NATIONAL_PORTAL = "https://dichvucong.gov.vn"


def input_problem(text: Optional[str]) -> Optional[str]:
    """The response explaining why this message cannot be searched, or None when it can."""
    if text is None or not text.strip():
        return "utter_empty_message"
    if len(text) > MAX_QUERY_CHARS:
        return "utter_too_long"
    odd = sum(1 for ch in text if unicodedata.category(ch) in ("Cc", "Co", "Cs", "Cn") and ch not in "\n\t\r"
              or ch == "\ufffd")
    if odd > max(2, len(text) // 10):  # binary pasted as text
        return "utter_no_words"
    if not fold(text):
        return "utter_no_words"
    if detect_language(clean(text)) == OTHER:  # clean() drops markup: "<script>" is not a language
        return "utter_other_language"
    return None


def choose_buttons(hits, aspect: Optional[str] = None, language: str = "vi") -> list[dict]:
    """One button per procedure, titled in the conversation's language when the record has an English name."""
    buttons = []
    for hit in hits:
        entities = {"procedure_id": hit.id}
        if aspect:
            entities["aspect"] = aspect
        record = kb.procedure(hit.id) if language == "en" else None
        buttons.append({"title": (record and record.name_en) or hit.name, "payload": choice_payload(entities)})
    return buttons


CHOICE = "/choose_procedure"


def choice_payload(entities: dict) -> str:
    return CHOICE + json.dumps(entities, ensure_ascii=False, separators=(",", ":"))


def reply_not_found(dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict, text: str,
                    reason: str = "no_match") -> None:
    """Nothing matches: say so (naming the field when the question is about one the catalogue lacks, or
    saying it is about no procedure when it is asked like questions none answers), show the nearest
    procedures otherwise, offer a person, log it."""
    candidates, fields = [], []
    try:
        elsewhere = kb.outside_scope(text, tracker.get_slot("unit"))
    except Exception:  # an unsearchable text is about nothing
        elsewhere = None
    if elsewhere is not None:  # a procedure this deployment does not hold: name it, no "did you mean"
        english = messages.language(tracker) == "en" and elsewhere.name_en
        dispatcher.utter_message(response="utter_outside_scope", procedure=english or elsewhere.name,
                                 url=official_page(elsewhere))
        send_contact(dispatcher, tracker, domain)
        # staff see which procedures citizens ask for that the deployment does not hold yet
        log_question(tracker, text, "outside_scope", (elsewhere.id,))
        return
    try:
        nearest = kb.search(text, MAX_CANDIDATES, with_rejected=True)
        fields = kb.uncovered_fields(text, nearest, messages.language(tracker))
        candidates = [h for h in nearest if h.score >= WEAK_CANDIDATE_MIN]
    except Exception:  # an unsearchable text simply has no candidates
        pass
    if fields:  # the nearest procedures share words, not the subject: no "did you mean"
        dispatcher.utter_message(response="utter_not_in_catalogue", field=", ".join(fields))
        reason = "other_field"  # staff see which questions need a field the catalogue lacks: what to import next
    elif _holds(kb.asked_out_of_scope, text):  # a fine's amount, a lawsuit's odds, the weather: no "did you mean"
        dispatcher.utter_message(response="utter_not_a_procedure")
        reason = "not_a_procedure"
    elif _holds(kb.asks_beyond_procedures, text):  # advice or an amount about a procedure's subject: say why, offer it
        dispatcher.utter_message(response="utter_beyond_procedures")
        if candidates:
            buttons = choose_buttons(candidates, language=messages.language(tracker))
            dispatcher.utter_message(response="utter_related_procedures", buttons=buttons)
        reason = "beyond_procedures"
    else:
        dispatcher.utter_message(response="utter_not_found")
        if candidates:
            buttons = choose_buttons(candidates, language=messages.language(tracker))
            dispatcher.utter_message(response="utter_nearest_procedures", buttons=buttons)
    send_contact(dispatcher, tracker, domain)
    log_question(tracker, text, reason, tuple(h.id for h in candidates))


def _holds(check, text: str) -> bool:
    """A yes/no check of the knowledge base on the question; an unsearchable text is about nothing in
    particular: no (the plain "not found")."""
    try:
        return check(text)
    except Exception:
        return False


def official_page(procedure) -> str:
    """The procedure's page on an official portal, else the national portal's address."""
    pages = [s.url for s in procedure.sources if s.url and s.kind == "official_portal"]
    return pages[0] if pages else NATIONAL_PORTAL


def reply_input_problem(dispatcher: CollectingDispatcher, tracker: Tracker, problem: str, text: str) -> None:
    dispatcher.utter_message(response=problem)
    if problem in ("utter_too_long", "utter_other_language"):
        log_question(tracker, text, problem.removeprefix("utter_"))


class ActionFallback(Action):
    """NLU fallback and out-of-scope turns. A question NLU did not recognise may still be about a
    procedure, so the knowledge base gets the last word before the bot says it does not know."""

    def name(self) -> str:
        return "action_fallback"

    @keeps_context
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        text = (tracker.latest_message or {}).get("text") or ""
        problem = input_problem(text)
        if problem:
            reply_input_problem(dispatcher, tracker, problem, text)
            return []
        from .answer import answer_question  # answer imports this module

        return answer_question(dispatcher, tracker, domain, text, aspect=None, follow_up_allowed=True,
                               not_found_reason="not_understood"
                               if (tracker.latest_message or {}).get("intent", {}).get("name") == "nlu_fallback"
                               else "no_match")
