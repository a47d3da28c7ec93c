"""Text typed by citizens, made storable on every backend: PostgreSQL refuses NUL in text, and lone
UTF-16 surrogates (half an emoji from a broken client) cannot be encoded at all. The channels clean what
they pass on (bot/limits.py); this guards the store against any other caller."""
from __future__ import annotations

import re
from typing import Optional

_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # tab, newline and carriage return stay


def storable(text: Optional[str]) -> Optional[str]:
    if not text:
        return text
    return _CONTROL.sub("", _SURROGATE.sub("\ufffd", text))
