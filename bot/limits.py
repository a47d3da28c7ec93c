"""Size limits on what citizens send, and the checks every surface shares (the web widget's API, the
Telegram channel and its webhook, Rasa's citizen channel).

Standard library only: Rasa's environment (Python 3.10, no knowledge_base) imports this too.
A refused input raises `InputRejected` whose `code` names the polite text in the surface's message
catalogue ("too_long" or "invalid_request").
"""
from __future__ import annotations

import json
import re
from typing import Any

# The knowledge base's MAX_QUERY_CHARS (a longer question could not be searched anyway). Rasa's
# environment cannot import knowledge_base, so the number is repeated here; tests/security keeps both equal.
MAX_MESSAGE_CHARS = 2000
MAX_BODY_BYTES = 16_384  # a widget request: a message, a session id and three short context values
MAX_UPDATE_BYTES = 1_000_000  # a Telegram update (Telegram's own are a few kB)
MAX_JSON_DEPTH = 8  # ours are 3 deep; Telegram updates about 6
MAX_SENDER_CHARS = 128

_SURROGATE = re.compile("[\ud800-\udfff]")
# C0 and C1 control characters except tab and newline (a carriage return becomes a newline first).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


class InputRejected(ValueError):
    """The input is refused; `code` is the catalogue key of the message that tells the citizen why."""

    def __init__(self, code: str, reason: str = ""):
        super().__init__(reason or code)
        self.code = code


def json_depth(value: Any) -> int:
    """How deeply lists and objects nest in a parsed JSON value (a scalar is 0), without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in children)
    return deepest


def parse_json_object(body: bytes, *, max_bytes: int = MAX_BODY_BYTES, max_depth: int = MAX_JSON_DEPTH) -> dict:
    """The JSON object in a request body, or InputRejected: too big ("too_long"), not JSON, not an object,
    or nested deeper than `max_depth` ("invalid_request"). Deep nesting would otherwise exhaust the
    parser's recursion (a RecursionError, not a ValueError)."""
    if len(body) > max_bytes:
        raise InputRejected("too_long", f"body of {len(body)} bytes")
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as error:  # UnicodeDecodeError is a ValueError
        raise InputRejected("invalid_request", f"not JSON: {type(error).__name__}") from None
    if not isinstance(data, dict):
        raise InputRejected("invalid_request", "not a JSON object")
    if json_depth(data) > max_depth:
        raise InputRejected("invalid_request", "nested too deeply")
    return data


def clean_text(text: str) -> str:
    """A citizen's text made safe to pass on and to store: lone UTF-16 surrogates (a broken emoji; they
    cannot be encoded as UTF-8) become U+FFFD, and control characters other than tab and newline are
    dropped (PostgreSQL refuses NUL in text). Everything a person can type is kept."""
    if _SURROGATE.search(text):
        text = _SURROGATE.sub("\ufffd", text)
    if _CONTROL.search(text):
        text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return text


def check_message(text: str, max_chars: int = MAX_MESSAGE_CHARS) -> str:
    """The cleaned message, or InputRejected("too_long")."""
    if len(text) > max_chars:
        raise InputRejected("too_long", f"message of {len(text)} characters")
    return clean_text(text)


async def read_body(request: Any, max_bytes: int) -> bytes:
    """A Starlette request's body, read no further than `max_bytes` (a declared Content-Length is checked
    first, and a chunked body without one is cut off as soon as it is too long), or InputRejected."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.strip().isdigit():
            raise InputRejected("invalid_request", "bad Content-Length")
        if int(declared) > max_bytes:
            raise InputRejected("too_long", f"Content-Length {declared}")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > max_bytes:
            raise InputRejected("too_long", "body too long")
    return bytes(body)


def language_of_request(query_language: Any, accept_language: Any) -> str:
    """"en" when the request asks for English (?lang=en, or an Accept-Language preferring English),
    else Vietnamese: for answers given before the body has been read."""
    if query_language in ("vi", "en"):
        return query_language
    first = (accept_language or "").split(",")[0].strip().lower() if isinstance(accept_language, str) else ""
    return "en" if first.startswith("en") else "vi"
