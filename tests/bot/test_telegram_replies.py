"""Splitting long answers and the short callback ids of buttons, offline."""
from __future__ import annotations

from bot.rasa_client import Button
from bot.telegram.replies import ButtonStore, keyboard, split_message


def test_short_text_is_one_piece_and_empty_text_none():
    assert split_message("  Xin chào  ") == ["Xin chào"]
    assert split_message("   ") == []


def test_split_prefers_sections_then_lines_then_words():
    sections = "\n\n".join(["a" * 30, "b" * 30, "c" * 30])
    assert split_message(sections, limit=70) == ["a" * 30 + "\n\n" + "b" * 30, "c" * 30]
    lines = "\n".join(["x" * 30, "y" * 30, "z" * 30])
    assert split_message(lines, limit=40) == ["x" * 30, "y" * 30, "z" * 30]
    words = " ".join(["từ"] * 50)
    pieces = split_message(words, limit=20)
    assert all(len(p) <= 20 for p in pieces) and " ".join(pieces) == words


def test_an_unbreakable_word_is_cut_and_utf16_units_are_counted():
    assert split_message("x" * 25, limit=10) == ["x" * 10, "x" * 10, "x" * 5]
    emoji = "😀" * 6  # two UTF-16 units each, as Telegram counts
    assert split_message(emoji, limit=4) == ["😀😀", "😀😀", "😀😀"]


def test_callback_ids_are_short_single_use_and_bound_to_their_chat():
    store = ButtonStore()
    payload = '/choose_procedure{"procedure_id":"dang-ky-khai-sinh","aspect":"lệ phí"}' * 3
    markup = keyboard(store, 42, [Button("Đăng ký khai sinh " * 10, payload)])
    button = markup.inline_keyboard[0][0]
    assert len(button.callback_data.encode()) <= 64 and len(button.text) <= 64
    assert store.pop(button.callback_data, chat_id=7) is None  # another chat cannot use it
    assert store.pop(button.callback_data, chat_id=42).payload == payload
    assert store.pop(button.callback_data, chat_id=42) is None


def test_the_store_forgets_the_oldest_buttons_beyond_its_capacity():
    store = ButtonStore(capacity=2)
    first = store.add(1, Button("a", "/a"))
    store.add(1, Button("b", "/b"))
    store.add(1, Button("c", "/c"))
    assert len(store) == 2 and store.pop(first, 1) is None


def test_short_titles_two_per_row_long_ones_alone():
    store = ButtonStore()
    short = keyboard(store, 1, [Button(t, "/x") for t in ("Lệ phí", "Thời gian", "Nộp ở đâu")])
    assert [len(row) for row in short.inline_keyboard] == [2, 1]
    long = keyboard(store, 1, [Button("Lệ phí", "/x"), Button("Đăng ký khai sinh có yếu tố nước ngoài", "/y")])
    assert [len(row) for row in long.inline_keyboard] == [1, 1]
