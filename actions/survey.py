"""The post-service satisfaction survey (phiếu đánh giá mức độ hài lòng) as the Rasa form `survey_form`.

Started from a signed link (`/start_rating{"survey_token": …}`: unit, desk, dossier and procedure come
prefilled) or from the conversation ("tôi muốn đánh giá": the unit from the channel's metadata, else
chosen with buttons). Questions: dossier code (optional), procedure, the citizen's four indicators of
Decree 61/2018 Art. 31 (as amended by Decree 107/2021), the overall Rất hài lòng / Hài lòng / Không hài
lòng, optionally the five SIPAS aspects, a comment, and — only after a complaint — an optional phone
number for a call-back. Every question has buttons and understands free text; an answer not understood
is asked again at most twice, then the question is skipped (or, for the overall assessment, the survey
ends). "hủy"/"thôi" cancels and "để sau" pauses at any question ("tiếp tục đánh giá" resumes). The
rating is committed before the citizen is thanked; every exit goes through `action_submit_survey`.
"""
from __future__ import annotations

import logging
from typing import Any, Optional

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

import units
from knowledge_base.normalize import folded_text
from store import scoring
from store.alerts import is_abusive

from . import kb, messages
from .session import keeps_context
from .survey_answers import CANCEL, PARSERS, SKIP, answer_text, control, is_skip

logger = logging.getLogger(__name__)

SIPAS_SLOTS = tuple(f"survey_sipas_{aspect}" for aspect in scoring.SIPAS_ASPECTS)
FORM_SLOTS = ("survey_unit", "survey_dossier", "survey_procedure", "survey_contacts", "survey_bodies",
              "survey_publicity", "survey_attitude", "survey_overall", "survey_more", *SIPAS_SLOTS,
              "survey_comment", "survey_callback")
STATE_SLOTS = ("survey_desk", "survey_invitation", "survey_outcome", "survey_attempts", "survey_paused",
               "survey_abuse")
MAX_REASKS = 2
MAX_UNIT_BUTTONS = 12
MAX_PROCEDURE_BUTTONS = 8
PROCEDURE_MATCH_MIN = 0.45  # a free-text procedure name must match at least this well (search score)


def _button(title: str, answer: str) -> dict:
    return {"title": title, "payload": f'/survey_answer{{"answer":"{answer}"}}'}


def reset_events(*, keep_paused: bool = False) -> list[EventType]:
    events = [SlotSet(slot, None) for slot in FORM_SLOTS + STATE_SLOTS if not (keep_paused and slot == "survey_paused")]
    return events + [SlotSet("requested_slot", None)]


def survey_plan(slots: dict) -> list[str]:
    """The questions still relevant, in order; none once the survey is cancelled, paused or ended."""
    if slots.get("survey_outcome"):
        return []
    plan = ["survey_unit", "survey_dossier", "survey_procedure", "survey_contacts", "survey_bodies",
            "survey_publicity", "survey_attitude", "survey_overall", "survey_more"]
    if slots.get("survey_more") == "yes":
        plan += SIPAS_SLOTS
    plan.append("survey_comment")
    if (slots.get("survey_overall") == "dissatisfied" or slots.get("survey_attitude") == "bad"
            or slots.get("survey_abuse")):
        plan.append("survey_callback")
    return plan


def declared_unit(tracker: Tracker) -> Optional[str]:
    """The unit the channel said this conversation belongs to (metadata), if any."""
    directory = units.directory()
    candidates = [(tracker.get_slot("session_started_metadata") or {}).get("unit")]
    candidates += [(event.get("metadata") or {}).get("unit")
                   for event in tracker.events if event.get("event") == "user"]
    for unit in reversed(candidates):
        if isinstance(unit, str) and unit in directory:
            return unit
    return None


def unit_label(code: Optional[str], lang: str) -> str:
    directory = units.directory()
    unit = directory.get(code)
    return unit.name_en if lang == "en" and unit.name_en else unit.name


# ------------------------------------------------------------------ parsing units and procedures
_UNIT_FILLERS = {"xa", "phuong", "so", "tinh", "bo", "phan", "mot", "cua", "du", "lieu", "demo", "don", "vi", "o",
                 "tai", "toi", "danh", "gia", "trung", "tam", "phuc", "vu", "hanh", "chinh", "cong"}


def parse_unit(text: str) -> Optional[str]:
    directory = units.directory()
    if text in directory:
        return text
    folded = folded_text(text)
    if not folded:
        return None
    scored = []
    for unit in directory.rateable():
        names = [folded_text(n) for n in (unit.short_name, unit.name, unit.name_en) if n]
        if any(folded == n for n in names):
            return unit.code
        words = set(folded.split()) - _UNIT_FILLERS or set(folded.split())
        unit_words = set(" ".join(names).split())
        overlap = len(words & unit_words) / len(words)
        if overlap >= 0.99:
            scored.append((len(unit_words), unit.code))
    # several units contain all the words ("trung tâm" is in two names): the shortest name is the closest
    if not scored:
        return None
    scored.sort()
    if len(scored) > 1 and scored[0][0] == scored[1][0]:
        return None
    return scored[0][1]


def parse_procedure(text: str) -> Optional[str]:
    if text == SKIP or is_skip(text):
        return SKIP
    if kb.procedure(text) is not None:
        return text
    try:
        hits = kb.search(text, 3)
    except Exception:  # InvalidQuery or an index problem: not understood, asked again
        return None
    return hits[0].id if hits and hits[0].score >= PROCEDURE_MATCH_MIN else None


# ------------------------------------------------------------------ actions
def _start_events(dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict,
                  token: Optional[str]) -> list[EventType]:
    from store.surveys import InvalidToken, read_token

    events = reset_events()
    values: dict[str, Any] = {}
    claims = None
    if token:
        try:
            claims = read_token(token)
        except InvalidToken:
            logger.info("survey link refused for %s", tracker.sender_id)
            dispatcher.utter_message(response="utter_survey_bad_link")
        except Exception:
            logger.exception("could not check a survey link")
            dispatcher.utter_message(response="utter_survey_bad_link")
    if claims is not None:
        if claims.kind == "dossier" and claims.used_by and claims.used_by != tracker.sender_id:
            dispatcher.utter_message(response="utter_survey_already_rated")
            return events + [SlotSet("survey_outcome", "refused")]
        values.update(survey_unit=claims.unit, survey_desk=claims.desk, survey_invitation=claims.invitation_id,
                      survey_dossier=claims.dossier_code, survey_procedure=claims.procedure_id)
    else:
        values.update(survey_unit=declared_unit(tracker), survey_desk=tracker.get_slot("desk"))
    lang = messages.language(tracker)
    unit_part = ""
    if values.get("survey_unit"):
        unit_part = messages.render(domain, "frag_survey_unit", lang,
                                    unit_name=unit_label(values["survey_unit"], lang))
    dispatcher.utter_message(response="utter_survey_intro", unit_part=unit_part)
    return events + [SlotSet(k, v) for k, v in values.items() if v is not None]


class ActionStartSurvey(Action):
    def name(self) -> str:
        return "action_start_survey"

    @keeps_context
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        token = next(tracker.get_latest_entity_values("survey_token"), None)
        return _start_events(dispatcher, tracker, domain, token if isinstance(token, str) else None)


class ActionResumeSurvey(Action):
    def name(self) -> str:
        return "action_resume_survey"

    @keeps_context
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        if tracker.get_slot("survey_paused"):
            dispatcher.utter_message(response="utter_survey_resumed")
            return [SlotSet("survey_paused", None), SlotSet("survey_outcome", None), SlotSet("survey_attempts", None)]
        dispatcher.utter_message(response="utter_survey_nothing_to_resume")
        return _start_events(dispatcher, tracker, domain, None)


class ValidateSurveyForm(FormValidationAction):
    def name(self) -> str:
        return "validate_survey_form"

    @keeps_context  # a survey answer Rasa reads as a question skips action_track_context
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        return await super().run(dispatcher, tracker, domain)

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: dict) -> list[str]:
        return survey_plan(tracker.slots)

    async def next_requested_slot(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                  domain: dict) -> Optional[EventType]:
        plan = survey_plan(tracker.slots)
        return SlotSet("requested_slot", next((s for s in plan if tracker.slots.get(s) is None), None))

    def _parse(self, slot: str, text: str) -> Optional[str]:
        if slot == "survey_unit":
            return parse_unit(text)
        if slot == "survey_procedure":
            return parse_procedure(text)
        return PARSERS[slot](text)

    async def _validate(self, slot: str, value: Any, dispatcher: CollectingDispatcher,
                        tracker: Tracker) -> dict[str, Any]:
        text = value if isinstance(value, str) else ("" if value is None else str(value))
        wanted = control(text)
        if wanted:
            return {slot: None, "survey_attempts": None,
                    "survey_outcome": "cancelled" if wanted == CANCEL else "paused"}
        answer = answer_text(text)
        parsed = self._parse(slot, answer)
        if parsed is None and slot not in ("survey_unit", "survey_overall") and is_skip(answer):
            parsed = SKIP
        if parsed is not None:
            result: dict[str, Any] = {slot: parsed, "survey_attempts": None}
            if slot == "survey_comment":
                result["survey_abuse"] = parsed != SKIP and is_abusive(parsed)
            return result
        attempts = tracker.get_slot("survey_attempts") or {}
        count = (attempts.get("count", 0) if isinstance(attempts, dict) and attempts.get("slot") == slot else 0) + 1
        if count <= MAX_REASKS:
            dispatcher.utter_message(response="utter_survey_not_understood")
            return {slot: None, "survey_attempts": {"slot": slot, "count": count}}
        if slot == "survey_overall":  # the one answer a rating cannot do without
            return {slot: None, "survey_attempts": None, "survey_outcome": "ended"}
        if slot == "survey_unit":
            dispatcher.utter_message(response="utter_survey_unit_assumed",
                                     unit_name=unit_label(tracker.get_slot("unit"), messages.language(tracker)))
            return {slot: units.directory().get(tracker.get_slot("unit")).code, "survey_attempts": None}
        dispatcher.utter_message(response="utter_survey_question_skipped")
        return {slot: SKIP, "survey_attempts": None}


def _make_validator(slot: str):
    async def validate(self, value, dispatcher, tracker, domain):
        return await self._validate(slot, value, dispatcher, tracker)

    validate.__name__ = f"validate_{slot}"
    return validate


for _slot in FORM_SLOTS:
    setattr(ValidateSurveyForm, f"validate_{_slot}", _make_validator(_slot))


class ActionAskSurveyUnit(Action):
    """Which unit: buttons (the conversation's unit first), or a name typed."""

    def name(self) -> str:
        return "action_ask_survey_unit"

    @keeps_context
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        lang = messages.language(tracker)
        directory = units.directory()
        order = {"service_centre": 0, "ward": 1, "commune": 1, "department": 2}
        current = tracker.get_slot("unit")
        rateable = sorted(directory.rateable(), key=lambda u: (u.code != current, order.get(u.kind, 3), u.label(lang)))
        buttons = [_button(u.label(lang), u.code) for u in rateable[:MAX_UNIT_BUTTONS]]
        dispatcher.utter_message(response="utter_ask_survey_unit", buttons=buttons)
        return []


class ActionAskSurveyProcedure(Action):
    """Which procedure: the unit's procedures (the one just discussed first), or a name typed, or skip."""

    def name(self) -> str:
        return "action_ask_survey_procedure"

    @keeps_context
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        lang = messages.language(tracker)
        unit = units.directory().get(tracker.get_slot("survey_unit"))
        ids = list(unit.procedures)
        discussed = tracker.get_slot("procedure_id")
        if discussed:
            ids = [discussed] + [i for i in ids if i != discussed]
        buttons = []
        for procedure_id in ids:
            procedure = kb.procedure(procedure_id)
            if procedure is not None:
                name = procedure.name_en if lang == "en" and procedure.name_en else procedure.name
                buttons.append(_button(name[:60], procedure_id))
            if len(buttons) == MAX_PROCEDURE_BUTTONS:
                break
        buttons.append(_button(messages.render(domain, "frag_survey_skip", lang), SKIP))
        dispatcher.utter_message(response="utter_ask_survey_procedure", buttons=buttons)
        return []


def _value(tracker: Tracker, slot: str) -> Optional[str]:
    value = tracker.get_slot(slot)
    return None if value in (None, SKIP, "") else value


def rating_input(tracker: Tracker):
    from store.ratings import RatingInput

    def points(slot: str, table: dict) -> Optional[int]:
        value = _value(tracker, slot)
        return table.get(value) if value is not None else None

    counts = {"1": 2, "2": 1, "3+": 0}
    sipas = {aspect: int(v) for aspect in scoring.SIPAS_ASPECTS if (v := _value(tracker, f"survey_sipas_{aspect}"))}
    invitation = tracker.get_slot("survey_invitation")
    return RatingInput(
        unit=units.directory().get(_value(tracker, "survey_unit") or tracker.get_slot("unit")).code,
        overall=tracker.get_slot("survey_overall"), conversation_id=tracker.sender_id,
        desk=_value(tracker, "survey_desk"), dossier_code=_value(tracker, "survey_dossier"),
        procedure_id=_value(tracker, "survey_procedure"), channel=tracker.get_slot("channel"),
        language=tracker.get_slot("language"),
        invitation_id=int(invitation) if invitation not in (None, "") else None,
        citizen={"contacts": points("survey_contacts", counts), "bodies": points("survey_bodies", counts),
                 "publicity": points("survey_publicity", scoring.PUBLICITY_POINTS),
                 "attitude": points("survey_attitude", scoring.ATTITUDE_POINTS)},
        sipas=sipas, comment=_value(tracker, "survey_comment"), callback_phone=_value(tracker, "survey_callback"))


class ActionSubmitSurvey(Action):
    """Every way out of the survey: cancelled, paused, ended, refused, or answered — then saved, and only
    once it is committed is the citizen thanked."""

    def name(self) -> str:
        return "action_submit_survey"

    @keeps_context
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        outcome = tracker.get_slot("survey_outcome")
        if outcome == "cancelled":
            dispatcher.utter_message(response="utter_survey_cancelled")
            return reset_events()
        if outcome == "paused":
            dispatcher.utter_message(response="utter_survey_paused")
            return [SlotSet("survey_outcome", None), SlotSet("survey_attempts", None), SlotSet("survey_paused", True)]
        if outcome == "refused":
            return reset_events()
        if outcome == "ended" or tracker.get_slot("survey_overall") not in scoring.OVERALL_LABELS:
            dispatcher.utter_message(response="utter_survey_ended")
            return reset_events()

        from store.ratings import AlreadyRated, submit_rating

        lang = messages.language(tracker)
        data = rating_input(tracker)
        unit = units.directory().get(data.unit)
        try:
            result = submit_rating(data)
        except AlreadyRated:
            dispatcher.utter_message(response="utter_survey_already_rated")
            return reset_events()
        except Exception:
            logger.exception("could not store a rating")
            dispatcher.utter_message(response="utter_survey_not_saved", hotline=unit.hotline)
            return [SlotSet("survey_paused", True), SlotSet("survey_outcome", None)]  # "Gửi lại" resumes and retries
        reference = f"DG-{result.rating_id}"
        if result.updated:
            dispatcher.utter_message(response="utter_survey_updated", reference=reference,
                                     dossier=data.dossier_code or "")
        else:
            dispatcher.utter_message(response="utter_survey_thanks", reference=reference)
        if result.alert_id is not None:
            callback = messages.render(domain, "frag_survey_callback", lang) if data.callback_phone else ""
            dispatcher.utter_message(response="utter_survey_alert_next", alert=f"PA-{result.alert_id}",
                                     unit_name=unit_label(unit.code, lang), hotline=unit.hotline, callback=callback)
        return reset_events()
