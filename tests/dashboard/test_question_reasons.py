"""Every reason the bot logs an unanswered question with has a label on the staff dashboard, so staff never
read a raw key such as "other_language" (bot/dashboard/messages.yml, question_reasons)."""
from __future__ import annotations

import re
from pathlib import Path

from bot.dashboard.web import messages

ACTIONS = Path(__file__).resolve().parents[2] / "actions"
# reason = "x", reason: str = "x", not_found_reason="x" (and its "else" branch), log_question(tracker, text, "x"),
# and the input problems logged by name
LOGGED = re.compile(r'(?:reason(?:\s*:\s*str)?\s*=\s*|log_question\([^,]+,\s*[^,]+,\s*)"([a-z_]+)"')
OTHERWISE = re.compile(r'not_found_reason="[a-z_]+"[^)]*?\belse\s+"([a-z_]+)"', re.DOTALL)
PROBLEMS = re.compile(r'problem in \(([^)]*)\)')


def logged_reasons() -> set[str]:
    reasons = set()
    for path in ACTIONS.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        reasons.update(LOGGED.findall(source))
        reasons.update(OTHERWISE.findall(source))
        for listed in PROBLEMS.findall(source):
            reasons.update(name.removeprefix("utter_") for name in re.findall(r'"([a-z_]+)"', listed))
    return reasons


def test_the_scan_finds_the_reasons_it_should():
    assert {"no_match", "not_understood", "outside_scope", "not_a_procedure", "beyond_procedures", "left_for_staff",
            "too_long", "other_language"} <= logged_reasons()


def test_every_logged_reason_has_a_label_for_staff():
    labels = messages()["question_reasons"]
    assert not logged_reasons() - set(labels)
