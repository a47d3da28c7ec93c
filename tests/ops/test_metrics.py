"""ops/metrics.py: which replies count as turns the bot could not answer."""
from __future__ import annotations

import pytest

from ops import metrics


def fallback_count(channel: str) -> float:
    return metrics.FALLBACK_TURNS.labels(channel)._value.get()


@pytest.mark.parametrize("response", ["utter_not_found", "utter_not_a_procedure", "utter_not_in_catalogue",
                                      "utter_outside_scope", "utter_no_words", "utter_other_language"])
def test_every_could_not_answer_reply_counts_once_per_turn(response):
    channel = f"test-{response}"
    metrics.observe_turn(channel, 0.1, [response, "utter_handoff"])
    assert fallback_count(channel) == 1


def test_an_answer_is_no_fallback():
    metrics.observe_turn("test-answer", 0.1, ["utter_answer_fee", None])
    assert fallback_count("test-answer") == 0
