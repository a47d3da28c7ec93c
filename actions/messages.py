"""Message texts come from the domain's responses; this module picks the variant for the
conversation's language, fills it, and splits anything too long for one phone message.

Fragments (`frag_*` responses) are the small pieces the answer builds its lists and summaries from,
so that no user-facing wording lives in Python.

Rasa renders the responses an action names (`response=`) with the tracker as it was *before* the
action's events. An action that itself switches the conversation's language (see `session.keeps_context`)
has its responses rendered here instead, the way Rasa's templated generator would with the new slots.
"""
from __future__ import annotations

import re
from typing import Any, Optional

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

MAX_MESSAGE_CHARS = 4096  # Telegram's limit; the widget uses the same so both surfaces match
_PLACEHOLDER = re.compile(r"{([^\n{}]+?)}")


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def language(tracker: Tracker) -> str:
    return "en" if tracker.get_slot("language") == "en" else "vi"


def _variant(domain: dict, name: str, lang: str) -> Optional[dict]:
    variants = (domain.get("responses") or {}).get(name) or []
    fallback = None
    for variant in variants:
        conditions = variant.get("condition") or []
        if not conditions:
            fallback = fallback or variant
        elif all(c.get("name") == "language" and c.get("value") == lang for c in conditions):
            return variant
    return fallback


def render(domain: dict, name: str, lang: str, **values: Any) -> str:
    """The text of a response as Rasa would render it (unknown variables become empty)."""
    variant = _variant(domain, name, lang)
    if not variant:
        return ""
    text = variant.get("text") or ""
    return _PLACEHOLDER.sub(lambda m: str(_Blank(values)[m.group(1).strip()]), text)


def _interpolate_text(text: str, values: dict) -> str:
    """Rasa's `interpolator.interpolate_text`: `{name}` placeholders, `{{`/`}}` escapes; a placeholder
    without a value leaves the text as written."""
    try:
        filled = _PLACEHOLDER.sub(r"{0[\1]}", text).format(values)
        return text.format({}) if "0[" in filled else filled
    except KeyError:
        return text


def _interpolate(item: Any, values: dict) -> Any:
    if isinstance(item, str):
        return _interpolate_text(item, values)
    if isinstance(item, list):
        return [_interpolate(i, values) for i in item]
    if isinstance(item, dict):
        return {k: _interpolate(v, values) for k, v in item.items()}
    return item


def _slot_variant(domain: dict, name: str, slots: dict) -> Optional[dict]:
    """The variant Rasa picks: one whose slot conditions all hold, else one without conditions."""
    variants = (domain.get("responses") or {}).get(name) or []
    matching = [v for v in variants if v.get("condition") and all(
        c.get("type") == "slot" and slots.get(c.get("name")) == c.get("value") for c in v["condition"])]
    return (matching or [v for v in variants if not v.get("condition")] or [None])[0]


def render_here(pending: list[dict], domain: dict, slots: dict) -> None:
    """Render in place the messages naming a response, as Rasa's templated generator would with these
    slot values: the filled text, the response's own buttons before the action's, the response name
    kept as `utter_action` (how Rasa marks what it rendered), the action's values kept alongside."""
    for message in pending:
        name = message.get("response")
        if not name:
            continue
        variant = _slot_variant(domain, name, slots)
        if variant is None:  # unknown to this domain: leave it to Rasa, which reports it
            continue
        given = {k: v for k, v in message.items() if k != "response"}
        filled = _interpolate({k: v for k, v in variant.items() if k != "condition"}, {**slots, **given})
        message["response"] = None
        message["utter_action"] = name
        message["text"] = filled.get("text")
        message["buttons"] = (filled.get("buttons") or []) + (message.get("buttons") or [])
        for key in ("image", "custom", "attachment"):
            if filled.get(key) and not message.get(key):
                message[key] = filled[key]


def split_lines(body: str, limit: int) -> list[str]:
    """Chunks of at most `limit` characters, cut between lines (a single huge line is cut hard)."""
    chunks: list[str] = []
    current = ""
    for line in body.split("\n"):
        while len(line) > limit:
            if current:
                chunks.append(current)
                current = ""
            chunks.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            chunks.append(current)
            current = line
        else:
            current = candidate
    if current or not chunks:
        chunks.append(current)
    return chunks


def send(dispatcher: CollectingDispatcher, domain: dict, lang: str, response: str, *,
         body_key: Optional[str] = None, buttons: Optional[list] = None, **values: Any) -> None:
    """Send `response` filled with `values`; when it would exceed one message, split `body_key`
    (a list, one item a line) over several messages, the source line staying on the last one."""
    full = render(domain, response, lang, **values)
    if body_key is None or len(full) <= MAX_MESSAGE_CHARS:
        dispatcher.utter_message(response=response, buttons=buttons or [], **values)
        return
    frame = len(render(domain, response, lang, **{**values, body_key: ""}))
    chunks = split_lines(str(values[body_key]), max(500, MAX_MESSAGE_CHARS - frame - 100))
    continued = render(domain, "frag_continued", lang)
    first_values = {**values, body_key: chunks[0], "source": continued}
    dispatcher.utter_message(response=response, **first_values)
    for chunk in chunks[1:-1]:
        dispatcher.utter_message(response="utter_answer_continued", body=chunk, source=continued)
    if len(chunks) > 1:
        dispatcher.utter_message(response="utter_answer_continued", body=chunks[-1],
                                 source=values.get("source", ""), buttons=buttons or [])
