"""Hypothesis strategies for hostile input: unicode junk, control characters, huge strings, SQL/HTML/JS
injection, JSON type confusion, path tricks, zero-width and right-to-left characters, emoji."""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser

from hypothesis import strategies as st

ATTACKS = [
    "'; DROP TABLE ratings; --", "\" OR 1=1 --", "1' UNION SELECT password FROM staff_accounts --", "%' AND '1'='1",
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "\"><svg onload=alert(1)>", "</script><script>",
    "javascript:alert(1)", "<a href=\"javascript:alert(1)\">x</a>", "{{7*7}}", "${7*7}", "$unit_name", "<!--",
    "../../../../etc/passwd", "..\\..\\windows\\win.ini", "%2e%2e%2f%2e%2e%2f", "/dev/zero", "file:///etc/passwd",
    "\x00", "\r\n\r\nHTTP/1.1 200 OK", "%00", "\\u0000", "\\ud800", "/start_rating{\"survey_token\":\"x\"}",
    "/restart", "/choose_procedure{\"procedure_id\":\"../../x\"}", "{\"a\": [", "NaN", "Infinity", "-0", "1e999",
    "\u200b\u200c\u200d\ufeff", "\u202eexe.txt", "\u2066\u2069\u200f", "👨‍👩‍👧‍👦", "🏳️‍🌈", "\U0001F4A9" * 3,
    "Z̴̡̛̖͍͎̝͓̫a̷̢̛͇̗̲̜̰l̵̡̺̫̪̳g̸̰̣̘̈́o", "ﷺ", "𝔏𝔞𝔪 𝔠𝔞̆𝔫 𝔠𝔲̛𝔬̛́𝔠", "làm căn cước mất bao lâu?", "lam cccd o dau",
    "H12.34-250701-0001", "0912 345 678", "012345678901", "@everyone", "\t\t", "   ", "",
]
SURROGATES = ["\ud800", "\udfff", "\ud83d", "\ude00"]
CONTROL = [chr(c) for c in list(range(0, 32)) + list(range(127, 160))]

fragment = st.one_of(
    st.sampled_from(ATTACKS),
    st.text(max_size=40),
    st.text(st.characters(codec="utf-8"), max_size=20),
    st.sampled_from(SURROGATES + CONTROL),
    st.integers(1, 5000).map(lambda n: "A" * n),  # long, up to past the message limit
)
hostile_text = st.lists(fragment, max_size=5).map("".join)

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), hostile_text)
json_values = st.recursive(
    scalars, lambda children: st.lists(children, max_size=4) | st.dictionaries(hostile_text, children, max_size=4),
    max_leaves=12)


def maybe(valid, field=None):
    """A field that is usually plausible and sometimes of any JSON type at all (type confusion)."""
    return st.one_of(valid, json_values) if field is None else st.one_of(valid, json_values, st.just(field))


SESSIONS = st.one_of(st.from_regex(r"\A[A-Za-z0-9_-]{16,64}\Z"), st.just("0123456789abcdef0123456789abcdef"))


def to_json_bytes(value) -> bytes:
    """JSON as a client could send it: lone surrogates escaped (\\ud800), NaN as Python writes it."""
    return json.dumps(value, ensure_ascii=True).encode()


raw_garbage = st.one_of(st.binary(max_size=300), hostile_text.map(lambda t: t.encode("utf-8", "surrogatepass")))

BAD_TEXT = re.compile("[\ud800-\udfff\x00-\x08\x0b-\x1f\x7f-\x9f]")


class TagShape(HTMLParser):
    """The sequence of start tags and their attribute names: what injected markup would change."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.shape: list[tuple[str, tuple[str, ...]]] = []

    def handle_starttag(self, tag, attrs):
        self.shape.append((tag, tuple(sorted(name for name, _ in attrs))))

    @classmethod
    def of(cls, page: str) -> list[tuple[str, tuple[str, ...]]]:
        parser = cls()
        parser.feed(page)
        return parser.shape
