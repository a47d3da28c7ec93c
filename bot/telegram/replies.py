"""Turning Rasa's answers into Telegram messages: splitting long texts and mapping buttons to short
callback ids (Telegram allows 64 bytes of callback data; Rasa payloads are longer and Vietnamese)."""
from __future__ import annotations

import secrets
from collections import OrderedDict
from dataclasses import dataclass
from typing import Iterable, Optional

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.rasa_client import Button

MAX_MESSAGE = 4096  # Telegram's limit, counted in UTF-16 code units
MAX_BUTTON_TEXT = 64  # longer titles are shortened on the button (Telegram shows ~1 line anyway)
SHORT_BUTTON_TEXT = 20
CALLBACK_PREFIX = "b:"


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def split_message(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """`text` in pieces of at most `limit`, cut between sections (blank lines) when possible, then between
    lines, then between words; a piece is never empty."""
    text = text.strip()
    if _units(text) <= limit:
        return [text] if text else []
    for separator in ("\n\n", "\n", " "):
        parts = text.split(separator)
        if len(parts) > 1:
            break
    else:  # one unbreakable word: cut it
        cut = limit
        while _units(text[:cut]) > limit:
            cut -= 1
        return [text[:cut]] + split_message(text[cut:], limit)
    pieces: list[str] = []
    current = ""
    for part in parts:
        candidate = f"{current}{separator}{part}" if current else part
        if _units(candidate) <= limit:
            current = candidate
            continue
        if current:
            pieces.append(current)
        if _units(part) <= limit:
            current = part
        else:
            *whole, current = split_message(part, limit)
            pieces.extend(whole)
    if current.strip():
        pieces.append(current)
    return [piece.strip() for piece in pieces if piece.strip()]


@dataclass(frozen=True)
class StoredButton:
    chat_id: int
    payload: str
    title: str


class ButtonStore:
    """Short callback id → the Rasa payload of a button, for the buttons recently sent. Held in memory:
    after a restart an old button answers "expired" and the citizen asks again."""

    def __init__(self, capacity: int = 20_000):
        self.capacity = capacity
        self._buttons: "OrderedDict[str, StoredButton]" = OrderedDict()

    def add(self, chat_id: int, button: Button) -> str:
        key = secrets.token_urlsafe(6)  # 8 characters, 48 random bits
        while key in self._buttons:
            key = secrets.token_urlsafe(6)
        self._buttons[key] = StoredButton(chat_id, button.payload, button.title)
        while len(self._buttons) > self.capacity:
            self._buttons.popitem(last=False)
        return CALLBACK_PREFIX + key

    def pop(self, callback_data: Optional[str], chat_id: Optional[int]) -> Optional[StoredButton]:
        """The button for this callback, once; None if unknown, expired or sent to another chat."""
        if not callback_data or not callback_data.startswith(CALLBACK_PREFIX):
            return None
        stored = self._buttons.get(callback_data[len(CALLBACK_PREFIX):])
        if stored is None or stored.chat_id != chat_id:
            return None
        del self._buttons[callback_data[len(CALLBACK_PREFIX):]]
        return stored

    def __len__(self) -> int:
        return len(self._buttons)


def _label(title: str) -> str:
    return title if len(title) <= MAX_BUTTON_TEXT else title[: MAX_BUTTON_TEXT - 1].rstrip() + "…"


def keyboard(store: ButtonStore, chat_id: int, buttons: Iterable[Button]) -> Optional[InlineKeyboardMarkup]:
    """Callback data a short id; one button per row when a title is long (procedure names), two per row
    when all are short (aspects: "Lệ phí", "Thời gian"…), so the keyboard fits a phone."""
    keys = [InlineKeyboardButton(_label(b.title), callback_data=store.add(chat_id, b)) for b in buttons]
    per_row = 2 if keys and all(len(k.text) <= SHORT_BUTTON_TEXT for k in keys) else 1
    rows = [keys[i:i + per_row] for i in range(0, len(keys), per_row)]
    return InlineKeyboardMarkup(rows) if rows else None
