"""Message texts come from the domain's responses; this module picks the variant for the
conversation's language, fills it, and splits anything too long for one phone message.

Fragments (`frag_*` responses) are the small pieces the answer builds its lists and summaries from,
so that no user-facing wording lives in Python.
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
