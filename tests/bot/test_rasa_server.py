"""bot/rasa_server.py: the optimisations installed before Rasa's CLI change cost, not behaviour. Runs
in the Rasa environment (a subprocess), where the patched Rasa lives."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

import bot.rasa_server

REPO = Path(__file__).resolve().parents[2]
RASA_PYTHON = REPO / ".venvs" / "rasa" / "bin" / "python"
MODEL = REPO / "models" / "tthc.tar.gz"

# Each response is checked by Rasa's own validation and by the installed one; the outcomes and the
# error messages must be the same.
_COMPARE = r"""
import copy, json, sys
from rasa.core.actions.action import RemoteAction
original = RemoteAction._validate_action_result
import bot.rasa_server
installed = bot.rasa_server.install()
assert RemoteAction._validate_action_result is not original
def outcome(validate, response):
    try:
        return ["ok", validate(RemoteAction("action_x", None), copy.deepcopy(response))]
    except Exception as e:
        return [type(e).__name__, getattr(e, "message", str(e))]
cases = json.load(sys.stdin)
print(json.dumps({"installed": installed,
                  "outcomes": [[outcome(original, c), outcome(RemoteAction._validate_action_result, c)]
                               for c in cases]}))
"""

CASES = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "language", "value": "en", "timestamp": None}],
     "responses": [{"text": None, "response": "utter_greet", "buttons": []}]},
    {"events": [{"event": "bot", "text": "hi", "data": {}, "metadata": {}}]},
    {"events": [{"event": "slot", "name": 3}]},  # a slot name must be a string
    {"events": [{"event": "no_such_event"}]},
    {"events": "not a list"},
    {"responses": [7]},
    [],
]


@pytest.mark.skipif(not RASA_PYTHON.exists(), reason="the Rasa environment is not set up")
def test_the_validator_built_once_accepts_and_refuses_exactly_what_rasa_does():
    done = subprocess.run([str(RASA_PYTHON), "-c", _COMPARE], input=json.dumps(CASES), capture_output=True,
                          text=True, cwd=REPO, timeout=600, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO),
                                                                 "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert done.returncode == 0, done.stderr[-2000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["installed"] == ["action-response validator built once", "event types looked up in a table",
                                  f"policies featurise the last {bot.rasa_server.STATES_WINDOW} dialogue steps",
                                  "SQL session start looked up once", "trackers kept live between turns"]
    for case, (rasa_says, ours_says) in zip(CASES, found["outcomes"]):
        assert ours_says == rasa_says, case
    assert [o[0][0] for o in found["outcomes"]] == ["ok"] * 3 + ["ValidationError"] * 5


_EVENT_TYPES = r"""
import json
from rasa.shared.core import events
from rasa.shared.utils.common import all_subclasses
original = events.Event.resolve_by_type
names = sorted({cls.type_name for cls in all_subclasses(events.Event)}) + ["topic", "no_such_event"]
def outcome(resolve, name, default):
    try:
        found = resolve(name, default)
        return None if found is None else found.__module__ + "." + found.__qualname__
    except ValueError as e:
        return "ValueError: " + str(e)
before = [[outcome(original, n, d) for n in names] for d in (None, events.SlotSet)]
import bot.rasa_server
bot.rasa_server.install()
assert events.Event.resolve_by_type is not original
after = [[outcome(events.Event.resolve_by_type, n, d) for n in names] for d in (None, events.SlotSet)]
stored = [{"event": "user", "text": "xin chào", "parse_data": {"intent": {"name": "greet"}}},
          {"event": "slot", "name": "language", "value": "vi"}, {"event": "action", "name": "utter_greet"},
          {"event": "bot", "text": "Xin chào!", "data": {}, "metadata": {"utter_action": "utter_greet"}}]
print(json.dumps({"names": len(names), "same": before == after,
                  "events": [type(e).__name__ for e in events.deserialise_events(stored)]}))
"""


@pytest.mark.skipif(not RASA_PYTHON.exists(), reason="the Rasa environment is not set up")
def test_event_types_resolve_to_the_same_classes_as_rasas_own_lookup():
    done = subprocess.run([str(RASA_PYTHON), "-c", _EVENT_TYPES], capture_output=True, text=True, cwd=REPO,
                          timeout=600, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO),
                                            "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert done.returncode == 0, done.stderr[-2000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["names"] > 20 and found["same"]
    assert found["events"] == ["UserUttered", "SlotSet", "ActionExecuted", "BotUttered"]


def test_the_states_window_comes_from_the_environment():
    assert bot.rasa_server.states_window({}) == bot.rasa_server.STATES_WINDOW
    assert bot.rasa_server.states_window({"RASA_STATES_WINDOW": " 8 "}) == 8
    assert bot.rasa_server.states_window({"RASA_STATES_WINDOW": "0"}) == 0  # off: Rasa featurises every step
    with pytest.raises(ValueError):
        bot.rasa_server.states_window({"RASA_STATES_WINDOW": "-1"})


@pytest.mark.skipif(not RASA_PYTHON.exists() or not MODEL.exists(), reason="no Rasa environment or trained model")
def test_long_conversations_get_the_same_states_and_predictions_with_the_window():
    # ~40 s: the trained model's policies at every action of a 150-turn conversation made of the
    # conversation tests and stories, and of a 75-turn one of shuffled intents, actions, forms and
    # hidden rule turns; with Rasa's featurisation and with windows of 20 and of the longest rule
    done = subprocess.run([str(RASA_PYTHON), str(REPO / "tests" / "bot" / "rasa_predictions_compared.py"), str(MODEL),
                           "150"], capture_output=True, text=True, cwd=REPO, timeout=900,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), "TF_CPP_MIN_LOG_LEVEL": "3",
                               "RASA_TELEMETRY_ENABLED": "false"})
    assert done.returncode == 0, done.stderr[-2000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    # every rule (and unhappy-loop rule) fits in the window, so a window can only cut what no rule reads
    assert found["longest_rule"] <= bot.rasa_server.STATES_WINDOW
    assert found["windows"] == [bot.rasa_server.STATES_WINDOW, found["longest_rule"]]
    stories, shuffled = found["stories"], found["shuffled"]
    assert stories["n_different"] == 0, stories["different"]
    assert shuffled["n_different"] == 0, shuffled["different"]
    # the comparison reached long conversations, hidden rule turns, memorised stories and cut windows
    assert stories["turns"] >= 150 and stories["predictions"] > 300 and shuffled["predictions"] > 150
    assert stories["hidden_steps"] > 50 and shuffled["hidden_steps"] > 50
    assert stories["decided_by"]["memorised, whoever won"] > 20
    assert stories["windowed"] > 1000 and shuffled["windowed"] > 500
