"""Answering procedure questions: which procedure (the knowledge base decides), which part of it
(documents, fee, time, where, steps, online, eligibility, result, or an overview), follow-ups about
the procedure under discussion, and buttons when several procedures are equally likely."""
from __future__ import annotations

import json
import logging
import re
from functools import partial
from typing import Any, Callable, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

import units
from knowledge_base import ages
from knowledge_base.aspects import ASPECT_CUES, asked_aspect
from knowledge_base.normalize import FILLERS, fold, folded_text
from knowledge_base.schema import ASPECTS, Procedure
from knowledge_base.scope import CLOSE_CHOICE_SHARE

from . import kb, messages, wording
from .refinement import narrows_to, refines, same_kind
from .session import keeps_context
from .fallback import (CHOICE, WEAK_CANDIDATE_MIN, choice_payload, choose_buttons, input_problem,
                       reply_input_problem, reply_not_found)

logger = logging.getLogger(__name__)

# Two hits closer than this are "equally likely": show buttons instead of guessing. Measured on
# tests/knowledge_base/dev_questions.jsonl (never the evaluation set): a gap below 0.05 asks on 4 of
# 86 correct top-1 answers and catches both wrong top-1 answers whose right procedure is in the top
# 3; 0.03 misses both, 0.10 asks on 7 correct answers for no extra catch (curated records, default
# encoder; re-measure when the corpus grows by orders of magnitude).
CLOSE_SCORE_GAP = 0.05
MAX_CHOICES = 3
# With the reranker (knowledge_base/reranker.py) its probabilities say how close two choices are: one
# is offered beside the top one when it is at least this likely relative to it. On the dev questions
# (dev, national_dev, english_dev; 295 in scope, national index) against the gap of fused scores
# above, which the reranker's reordering no longer follows: top right and shown alone 189 vs 176,
# right only among the buttons 19 vs 17, wrong 27 vs 29 (0.15-0.35 all beat the gap; 0.25 asks less).
# Evidence tied within TIED_SCORES is a choice too, however sure the reranker is: on a bare "căn cước"
# it is 82% for the new card, though cấp đổi/cấp lại scores 0.967 against 0.972. On the same dev
# questions that rule costs 4 more choices and turns one more wrong answer into a choice.
# One share for both: a scoped index (knowledge_base/scope.py) keeps a question when a procedure it holds
# would be offered as a button beside the background's best answer.
CLOSE_CONFIDENCE_RATIO = CLOSE_CHOICE_SHARE
TIED_SCORES = 0.01

# Words that carry no procedure in a follow-up ("thế phí bao nhiêu?", "còn nộp ở đâu?"): the aspect
# cues, the search fillers, and the few conversational words folding makes ambiguous.
_CUE_WORDS = frozenset(word for cues in ASPECT_CUES.values() for cue in cues for word in cue.split())
_FOLLOW_UP_WORDS = frozenset(
    "the con can nop lam mat nua them ha ban chi co vay thi it this that about and so then there "
    "do does i can any also again ok need file apply go should submit get take it much long "
    "vay a oi nhe nha xong giai quyet thu tuc di de".split()
)
_NOT_NAMING = _CUE_WORDS | FILLERS | _FOLLOW_UP_WORDS
_CUE_PHRASES = re.compile(r"\b(?:" + "|".join(
    re.escape(cue) for cue in sorted({c for cues in ASPECT_CUES.values() for c in cues}, key=len, reverse=True)
) + r")\b")

# The words of the asked part dilute the procedure words in the search score ("lam ho chieu can giay to
# gi" scores under the no-answer line while "lam ho chieu" scores 0.75). When the whole question finds
# nothing, the procedure part alone is tried, with a stricter bar than the index's own because it is
# a second guess. On hand probes the right procedures scored 0.49–0.75 this way; the spurious matches
# seen (0.44–0.47) came as close pairs, which become a choice between buttons, not an answer.
RETRY_WITHOUT_ASPECT_MIN = 0.45
# "Không phải thủ tục này": the other procedures the question matched are offered from this fused score,
# the bar of the did-you-mean offered after "not found" (actions/fallback.WEAK_CANDIDATE_MIN).
OTHER_PROCEDURE_MIN = WEAK_CANDIDATE_MIN
# the importer's flags (knowledge_base/portal.py) that make a record's fee doubtful: shown with a caution
FEE_CAUTIONS = (("fee_conflict", "frag_caution_fee"), ("fee_amount_suspicious", "frag_caution_fee"),
                ("fee_note_unclosed", "frag_caution_fee"), ("fee_set_by_province", "frag_caution_fee_province"))

# channel kinds of the record -> fragment names in the domain
_CHANNEL_FRAGMENT = {"truc_tiep": "frag_channel_in_person", "buu_chinh": "frag_channel_post",
                     "truc_tuyen": "frag_channel_online"}
_FORM_FRAGMENT = {"original": "frag_form_original", "copy": "frag_form_copy",
                  "original_or_copy": "frag_form_original_or_copy", "electronic": "frag_form_electronic"}
_NOTE_CHARS = 160
# One message on a phone (Telegram's limit is 4,096 with the title and source line): a longer list or
# text is cut there, says how much is left, and the source line links the official page with all of it.
_BODY_CHARS = 3500
_ITEM_CHARS = 600  # a document's name and notes
_MAX_LOCAL_UNITS = 3  # more units receiving a procedure than this: the record's own "where" says it better
_STEP_CHARS = 900  # a step often holds its cases and deadlines in one paragraph


def names_a_procedure(text: str) -> bool:
    """Whether the message has words beyond a follow-up's ("thế phí bao nhiêu" has none)."""
    return any(token not in _NOT_NAMING for token in fold(text))


def without_aspect_words(text: str) -> str:
    """The question with the aspect cue phrases removed (folded form)."""
    folded, previous = folded_text(text), None
    while folded != previous:  # removing one cue can expose another ("can giay to gi")
        previous, folded = folded, " ".join(_CUE_PHRASES.sub(" ", folded).split())
    return folded


def close_hits(text: str, hits: list) -> list:
    """The hits the citizen may have meant: the top one alone unless others score within the gap.
    A question that spells out the top procedure's full name needs no choice."""
    top = hits[0]
    if folded_text(top.name) in folded_text(text):
        return [top]
    if top.confidence is not None:  # among all the hits: a tied one may be ranked below others
        close = [h for h in hits[1:] if abs(top.score - h.score) < TIED_SCORES
                 or (h.confidence or 0.0) >= CLOSE_CONFIDENCE_RATIO * top.confidence]
        return [top, *close[:MAX_CHOICES - 1]]
    return [h for h in hits[:MAX_CHOICES] if top.score - h.score < CLOSE_SCORE_GAP]


class ProcedureAnswer:
    """Turns one procedure record into the values of the `utter_answer_*` responses."""

    def __init__(self, procedure: Procedure, domain: dict, lang: str, unit: Optional[str] = None):
        """`unit`: the code of the unit the conversation comes from (a desk's widget), if any."""
        self.p = procedure
        self.domain = domain
        self.lang = lang
        self.unit = unit

    def frag(self, name: str, **values: Any) -> str:
        return messages.render(self.domain, name, self.lang, **values)

    @property
    def no_info(self) -> str:
        return self.frag("frag_no_info")

    def title(self) -> str:
        name = self.p.name_en if self.lang == "en" and self.p.name_en else self.p.name
        code = self.frag("frag_code", code=", ".join(self.p.official_code)) if self.p.official_code else ""
        return f"{name}{code}"

    def source(self) -> str:
        ranked = sorted(self.p.sources, key=lambda s: (s.url is None, ["official_portal", "law",
                        "provincial_portal", "secondary"].index(s.kind)))
        best = ranked[0]
        url = self.frag("frag_source_url", url=best.url) if best.url else ""
        return self.frag("frag_source", title=best.title, url=url, updated=self.p.updated.strftime("%d/%m/%Y"))

    def _by_channel(self, attribute: str, summary: Optional[str], shown: Callable[[str], str]) -> list[str]:
        """The summary, then one line per way of filing, unless every way says what the summary already
        says (the portal repeats one cell per channel; a phone screen should not show it three times);
        a summary that only lists the channels' values gives way to their lines. `shown` writes a value
        for the reader."""
        values = [(c, value) for c in self.p.channels if (value := getattr(c, attribute))]
        if {value for _, value in values} <= {summary}:
            return [shown(summary) if summary else self.no_info]
        lines = [self.frag("frag_channel_detail", channel=self.frag(_CHANNEL_FRAGMENT[c.kind]), detail=shown(value))
                 for c, value in values]
        if wording.lists_the_channels(summary, [value for _, value in values]):
            return lines
        return [shown(summary) if summary else self.no_info] + lines

    def documents(self) -> str:
        if not self.p.documents:
            return self.no_info
        cases = wording.case_headings([document.note for document in self.p.documents])
        items = []
        for document, case in zip(self.p.documents, cases):
            details = []
            if document.copies:
                details.append(self.frag("frag_one_copy") if document.copies == 1
                               else self.frag("frag_copies", copies=document.copies))
            if document.form:
                details.append(self.frag(_FORM_FRAGMENT[document.form]))
            if document.template:
                details.append(self.frag("frag_template", template=document.template))
            detail = self.frag("frag_document_detail", detail=", ".join(details)) if details else ""
            note = "" if case else wording.shortened(document.note or "", _NOTE_CHARS)
            note = self.frag("frag_document_note", note=note) if note else ""
            items.append(f"{wording.shortened(document.name, _ITEM_CHARS)}{detail}{note}")
        body = self._listed(items, [wording.shortened(case, _ITEM_CHARS) if case else None for case in cases])
        return "\n".join([body] + self.cautions(("documents_unparsed", "frag_caution_documents")))

    def _listed(self, items: list[str], cases: Optional[list[Optional[str]]] = None) -> str:
        """Numbered lines up to one message's worth, each case's heading before its first item; what
        does not fit is counted (with the cases it holds) and left to the official page (the portal
        lists up to 94 documents, some of 4,500 characters)."""
        cases = cases or [None] * len(items)
        lines, used, heading = [], 0, None
        for number, (item, case) in enumerate(zip(items, cases), start=1):
            line = self.frag("frag_numbered", number=number, text=item)
            if case and case != heading:
                line = f"{case}\n{line}"
            if lines and used + len(line) > _BODY_CHARS:
                lines.append(self.frag("frag_more_items", count=len(items) - number + 1))
                rest = [c for c in dict.fromkeys(cases[number - 1:]) if c and c != heading]
                if rest:
                    named = wording.shortened("; ".join(c.rstrip(": ") for c in rest), _ITEM_CHARS)
                    lines.append(self.frag("frag_more_cases", cases=named))
                break
            lines.append(line)
            used += len(line) + 1
            heading = case or heading
        return "\n".join(lines)

    def _text(self, text: str) -> str:
        """A long text cut to one message's worth, saying that the rest is on the official page."""
        short = wording.shortened(text, _BODY_CHARS)
        return short if short == text else f"{short}\n{self.frag('frag_text_cut')}"

    def cautions(self, *flags_to_fragments: tuple[str, str]) -> list[str]:
        """Warnings for defects the importer flagged on this record, so a doubtful figure is not
        shown as if it were certain."""
        fragments = [fragment for flag, fragment in flags_to_fragments if flag in self.p.flags]
        return [self.frag(fragment) for fragment in dict.fromkeys(fragments)]

    def fee(self) -> str:
        lines = self._by_channel("fee", self.p.fee.summary, partial(wording.fee, self.frag, self.lang))
        if self.p.fee.exemptions:
            exemptions = wording.amounts(self.frag, self.lang, self.p.fee.exemptions)
            lines.append(self.frag("frag_exemptions", exemptions=exemptions))
        lines += self.cautions(*FEE_CAUTIONS)
        return "\n".join(dict.fromkeys(lines))

    def time(self) -> str:
        lines = self._by_channel("processing_time", self.p.processing_time,
                                 partial(wording.duration, self.frag, self.lang))
        return "\n".join(lines + self.cautions(("time_without_unit", "frag_caution_time")))

    def where(self) -> str:
        lines = []
        if self.p.agency.receives:
            lines.append(self.frag("frag_receives", agency=self.p.agency.receives))
        if self.p.agency.decides:
            lines.append(self.frag("frag_decides", agency=self.p.agency.decides))
        if not lines:  # the portal names no office: its level (every record has one) says where to go
            lines.append(self.frag("frag_levels", levels=self.levels()))
        lines += self.local_units()
        if self.p.channels:
            kinds = ", ".join(self.frag(_CHANNEL_FRAGMENT[c.kind]) for c in self.p.channels)
            lines.append(self.frag("frag_channels", channels=kinds))
        body = "\n".join(lines) or self.no_info
        return "\n".join([body] + self.cautions(("mentions_abolished_terms", "frag_caution_outdated")))

    def local_units(self) -> list[str]:
        """Where in this deployment's units (data: units/) the procedure is received: here, when the
        conversation's unit receives it; otherwise the few units that do (a commune procedure every
        commune receives is left to the record's own "where")."""
        if not self.unit:
            return []
        directory = units.directory()
        here = directory.units.get(self.unit)
        if here is not None and self.p.id in here.procedures:
            return [self.frag("frag_filed_here", unit=here.label(self.lang), address=here.address)]
        elsewhere = directory.handling(self.p.id)
        if not elsewhere or len(elsewhere) > _MAX_LOCAL_UNITS:
            return []
        named = "; ".join(f"{u.label(self.lang)} – {u.address}" for u in elsewhere)
        return [self.frag("frag_filed_at", units=named)]

    def levels(self) -> str:
        return ", ".join(self.frag(f"frag_level_{level}") for level in self.p.level)

    def online(self) -> str:
        online = [c for c in self.p.channels if c.kind == "truc_tuyen"]
        if not online:
            return self.frag("frag_online_no") if self.p.channels else self.no_info
        url = self.p.online_url
        lines = [self.frag("frag_online_yes", url=url) if url else self.frag("frag_online_yes_no_link")]
        fully = [c.fully_online for c in online if c.fully_online is not None]
        if fully:
            lines.append(self.frag("frag_fully_online" if any(fully) else "frag_partly_online"))
        else:
            lines.append(self.frag("frag_fully_online_unknown"))
        return "\n".join(lines)

    def steps(self) -> str:
        if not self.p.steps:
            return self.no_info
        return self._listed([wording.shortened(wording.step(step), _STEP_CHARS) for step in self.p.steps])

    def eligibility(self) -> str:
        lines = [self.p.eligibility] if self.p.eligibility else []
        if self.p.requirements:
            lines.append(self.frag("frag_requirements", requirements=self.p.requirements))
        return self._text("\n".join(lines)) if lines else self.no_info

    def result(self) -> str:
        return self._text(self.p.result) if self.p.result else self.no_info

    def overview(self) -> str:
        online = [c for c in self.p.channels if c.kind == "truc_tuyen"]
        online_text = (self.frag("frag_yes") if online else self.frag("frag_no")) if self.p.channels else self.no_info
        return "\n".join([
            self.frag("frag_summary_time",
                      value=wording.duration(self.frag, self.lang, self.p.processing_time) or self.no_info),
            self.frag("frag_summary_fee", value=wording.fee(self.frag, self.lang, self.p.fee.summary) or self.no_info),
            self.frag("frag_summary_where", value=self.p.agency.receives or self.levels() or self.no_info),
            self.frag("frag_summary_online", value=online_text),
        ] + self.cautions(*FEE_CAUTIONS, ("time_without_unit", "frag_caution_time")))

    def send(self, dispatcher: CollectingDispatcher, aspect: str) -> None:
        body = getattr(self, aspect)()
        messages.send(dispatcher, self.domain, self.lang, f"utter_answer_{aspect}", body_key="body",
                      procedure_title=self.title(), body=body, source=self.source())


def _before_latest_message(tracker: Tracker):
    """The conversation's events before the citizen's latest message, newest first."""
    events = reversed(tracker.events)
    for event in events:
        if event.get("event") == "user":
            break
    yield from events


def offered_choices(tracker: Tracker) -> list[dict]:
    """The procedure buttons of the bot's reply just before the latest message (a choice the citizen has
    not made yet), or none."""
    for event in _before_latest_message(tracker):
        if event.get("event") == "user":
            break
        if event.get("event") == "bot":
            buttons = (event.get("data") or {}).get("buttons") or []
            found = [b for b in buttons if isinstance(b, dict) and str(b.get("payload", "")).startswith(CHOICE)]
            if found:
                return found
    return []


def offer_other_procedures(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """"Không phải thủ tục này": the procedure under discussion is dropped, and the citizen's last
    question is offered again as a choice among the other procedures it matched."""
    current = tracker.get_slot("procedure_id")
    question = last_question(tracker)
    others = []
    if question:
        try:
            others = [h for h in kb.search(question, MAX_CHOICES + 1, unit=tracker.get_slot("unit"), with_rejected=True)
                      if h.id != current and h.score >= OTHER_PROCEDURE_MIN][:MAX_CHOICES]
        except kb.invalid_query_error():
            others = []
    if others:
        buttons = choose_buttons(others, asked_aspect(question), messages.language(tracker))
        dispatcher.utter_message(response="utter_other_procedures", buttons=buttons)
    else:
        dispatcher.utter_message(response="utter_which_procedure")
    return [SlotSet("procedure_id", None)]


def last_question(tracker: Tracker) -> Optional[str]:
    """The text of the citizen's latest question about a procedure before this message."""
    for event in _before_latest_message(tracker):
        if event.get("event") != "user":
            continue
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        text = event.get("text") or ""
        if intent == "ask_procedure" and text and not text.startswith("/"):
            return text
    return None


def _with_aspect(button: dict, aspect: Optional[str]) -> dict:
    try:
        entities = json.loads(button["payload"][len(CHOICE):])
    except (ValueError, TypeError):
        return button
    if not isinstance(entities, dict) or not aspect:
        return button
    return {**button, "payload": choice_payload({**entities, "aspect": aspect})}


def send_answer(dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict, procedure: Procedure,
                aspect: Optional[str]) -> list[EventType]:
    aspect = aspect if aspect in ASPECTS else "overview"
    ProcedureAnswer(procedure, domain, messages.language(tracker), tracker.get_slot("unit")).send(dispatcher, aspect)
    return [SlotSet("procedure_id", procedure.id)]


def answer_question(dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict, text: str, *,
                    aspect: Optional[str], follow_up_allowed: bool,
                    not_found_reason: str = "no_match") -> list[EventType]:
    """Answer a free-text question: a follow-up about the current procedure, one procedure, a
    choice between close ones, or an honest "not found"."""
    aspect = aspect or asked_aspect(text)
    current = kb.procedure(tracker.get_slot("procedure_id"))
    if current and follow_up_allowed and aspect and not names_a_procedure(text):
        return send_answer(dispatcher, tracker, domain, current, aspect)
    try:
        hits = kb.search(text, 5, unit=tracker.get_slot("unit"))
    except kb.invalid_query_error():
        dispatcher.utter_message(response="utter_no_words")
        return []
    if not hits:
        # No falling back to the procedure under discussion here: "thời tiết thế nào?" has an aspect
        # cue too, and answering it with that procedure's steps would be a confident wrong answer.
        procedure_part = without_aspect_words(text) if aspect else ""
        if procedure_part and procedure_part != folded_text(text):
            hits = [h for h in kb.search(procedure_part, 5, unit=tracker.get_slot("unit"))
                    if h.score >= RETRY_WITHOUT_ASPECT_MIN]
    # "nếu chồng là người Hàn Quốc thì sao?" after a procedure's answer: alone it finds nothing or only a
    # choice. Given an age, only a choice led by a procedure of the same kind: "làm căn cước cho con 10
    # tuổi" after birth registration is a new question, and the age alone would keep birth registration
    if (current and follow_up_allowed and refines(text) and (not hits or (
            len(close_hits(text, hits)) > 1
            and (ages.question_age(text) is None or same_kind(hits[0].name, current.name))))):
        hits = narrowed_hits(tracker, text, current) or hits
    if not hits:
        reply_not_found(dispatcher, tracker, domain, text, not_found_reason)
        return []
    choices = close_hits(text, hits)
    if len(choices) > 1:
        buttons = choose_buttons(choices, aspect, messages.language(tracker))
        dispatcher.utter_message(response="utter_choose_procedure", buttons=buttons)
        return []
    procedure = kb.procedure(choices[0].id)
    if procedure is None:  # index and records out of step: say we do not know rather than fail
        reply_not_found(dispatcher, tracker, domain, text, not_found_reason)
        return []
    return send_answer(dispatcher, tracker, domain, procedure, aspect)


def narrowed_hits(tracker: Tracker, text: str, current: Procedure) -> list:
    """The cases of the current procedure a message narrowing it names (refinement.py), searched with that
    procedure's name; none when the message names none. Given an age, the cases of the same kind whose
    age condition it meets ("20 tuổi thì sao?" after the card for under-14s), and the current procedure
    unless the age breaks its condition ("con tôi 5 tuổi thì sao?" after birth registration, which sets none)."""
    try:
        hits = kb.search(f"{current.name} {text}", 5, unit=tracker.get_slot("unit"))
    except kb.invalid_query_error():  # together longer than a question may be
        return []
    age = ages.question_age(text)
    if age is None:  # the case in the message's words or in official ones ("người Hàn Quốc": nước ngoài)
        asked = " ".join([text, *kb.in_official_words(text)])
        return [h for h in hits if narrows_to(asked, current.name, h.name)]

    def kept(hit) -> bool:
        if hit.id == current.id:  # unless the age breaks its condition
            return ages.fit(age, current.name, current.name_en) < 2
        procedure = kb.procedure(hit.id)
        fit = ages.fit(age, hit.name, procedure.name_en if procedure else None)
        return fit == 0 and same_kind(current.name, hit.name)

    return [h for h in hits if kept(h)]


def _entity(tracker: Tracker, name: str) -> Optional[str]:
    value = next(tracker.get_latest_entity_values(name), None)
    return value if isinstance(value, str) else None


class ActionAnswer(Action):
    """Intents ask_procedure, ask_aspect and choose_procedure."""

    def name(self) -> str:
        return "action_answer"

    @keeps_context
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        message = tracker.latest_message or {}
        text = message.get("text") or ""
        intent = (message.get("intent") or {}).get("name")
        aspect = _entity(tracker, "aspect")
        aspect = aspect if aspect in ASPECTS else None
        if intent == "other_procedure":
            return offer_other_procedures(dispatcher, tracker)
        # a button; free text NLU takes for a choice ("cái khác") names no procedure and is a question
        if text.startswith("/") or (intent == "choose_procedure" and _entity(tracker, "procedure_id")):
            procedure = kb.procedure(_entity(tracker, "procedure_id") or tracker.get_slot("procedure_id"))
            if procedure is None:
                dispatcher.utter_message(response="utter_which_procedure")
                return []
            return send_answer(dispatcher, tracker, domain, procedure, aspect)
        problem = input_problem(text)
        if problem:
            reply_input_problem(dispatcher, tracker, problem, text)
            return []
        if intent == "ask_aspect" and not tracker.get_slot("procedure_id") and not names_a_procedure(text):
            choices = offered_choices(tracker)
            if choices:  # "how long?" right after the choice buttons: the same choice, for that part
                buttons = [_with_aspect(button, aspect or asked_aspect(text)) for button in choices]
                dispatcher.utter_message(response="utter_choose_procedure", buttons=buttons)
                return []
            dispatcher.utter_message(response="utter_which_procedure")
            return []
        return answer_question(dispatcher, tracker, domain, text, aspect=aspect, follow_up_allowed=True)
