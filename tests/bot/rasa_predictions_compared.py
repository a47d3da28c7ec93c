"""Run in Rasa's environment by test_rasa_server.py: along long conversations, at every action, the
states each policy gets and what the trained model's policies and ensemble predict, with Rasa's own
featurisation and with bot.rasa_server's window of recent states (at its default and at the smallest
window the rules allow); prints one JSON line.

    .venvs/rasa/bin/python tests/bot/rasa_predictions_compared.py models/tthc.tar.gz [TURNS] [--tracker FILE]

The conversations are this project's conversation tests and stories, one after another in a seeded
random order until TURNS user turns (forms, the survey, handoff, follow-ups). Each action is logged as
the processor logs it, with the `hide_rule_turn` of Rasa's own prediction, so that the rule-only turns
MemoizationPolicy skips are in the trackers as in a real conversation. A second conversation of
shuffled intents, actions, forms and hiding flags reaches the cases real ones rarely do. With
--tracker, also along a conversation Rasa served (GET /conversations/<sender>/tracker?include_events=ALL).
"""
from __future__ import annotations

import argparse
import json
import logging
import random
import tarfile
import time
from pathlib import Path

logging.disable(logging.WARNING)

from rasa.core.agent import Agent  # noqa: E402
from rasa.core.featurizers.tracker_featurizers import MaxHistoryTrackerFeaturizer  # noqa: E402
from rasa.core.test import _create_data_generator  # noqa: E402
from rasa.engine.constants import PLACEHOLDER_TRACKER  # noqa: E402
from rasa.shared.core.constants import ACTION_LISTEN_NAME  # noqa: E402
from rasa.shared.core.events import ActionExecuted, ActiveLoop, UserUttered, deserialise_events  # noqa: E402
from rasa.shared.core.trackers import DialogueStateTracker  # noqa: E402

import bot.rasa_server  # noqa: E402

POLICIES = ("run_RulePolicy0", "run_MemoizationPolicy1")


def conversation_events(agent: Agent, turns: int, seed: int) -> list:
    stories = [tracker for path, conversation_tests in (("tests/conversations", True), ("data/stories", False))
               for tracker in _create_data_generator(path, agent, use_conversation_test_files=conversation_tests)
               .generate_story_trackers()]
    rng = random.Random(seed)
    events: list = []
    while sum(isinstance(e, UserUttered) for e in events) < turns:
        story = list(rng.choice(stories).events)
        if events and story and isinstance(story[0], ActionExecuted) and story[0].action_name == ACTION_LISTEN_NAME:
            story = story[1:]  # the previous story ended listening already
        events += story
    return events


def shuffled_events(domain, turns: int, seed: int) -> list:
    """Any intent, then one or two of any actions, each hidden or not at random, forms opened and
    closed: the hiding patterns (a turn hidden only in part) a real conversation rarely produces."""
    rng = random.Random(seed)
    actions = [a for a in domain.user_actions if a != ACTION_LISTEN_NAME]
    events: list = [ActionExecuted(ACTION_LISTEN_NAME)]
    for turn in range(turns):
        intent = rng.choice(domain.intents)
        events.append(UserUttered(f"turn {turn}", intent={"name": intent, "confidence": 1.0}))
        for _ in range(rng.randint(1, 2)):
            action = rng.choice(actions + list(domain.form_names))
            events.append(ActionExecuted(action, hide_rule_turn=rng.random() < 0.5))
            if action in domain.form_names:
                events.append(ActiveLoop(action if rng.random() < 0.7 else None))
        events.append(ActionExecuted(ACTION_LISTEN_NAME, hide_rule_turn=rng.random() < 0.3))
    return events


def described(prediction) -> list:
    def events(found: list) -> list:  # created at prediction time: their timestamps differ
        return [{k: v for k, v in e.as_dict().items() if k != "timestamp"} for e in found]

    return [prediction.policy_name, prediction.probabilities, events(prediction.events),
            events(prediction.optional_events), prediction.is_end_to_end_prediction,
            prediction.is_no_user_prediction, prediction.hide_rule_turn, prediction.action_metadata]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("model")
    parser.add_argument("turns", type=int, nargs="?", default=150)
    parser.add_argument("--tracker", type=Path, help="a served conversation's tracker (JSON)")
    args = parser.parse_args()
    model, turns = args.model, args.turns
    agent = Agent.load(model)
    runner, domain = agent.processor.graph_runner, agent.domain
    targets = [*POLICIES, agent.processor.model_metadata.core_target]
    rasas = MaxHistoryTrackerFeaturizer.prediction_states
    longest_rule = max(len(json.loads(key)) for lookup in ("rules", "rules_for_loop_unhappy_path")
                       for key in model_file(model, "train_RulePolicy0/rule_policy.json")["lookup"][lookup])
    windows = {}
    for window in (bot.rasa_server.STATES_WINDOW, longest_rule):  # the default, and as small as the rules allow
        MaxHistoryTrackerFeaturizer.prediction_states = rasas
        bot.rasa_server._install_recent_states_only(window)
        windows[window] = MaxHistoryTrackerFeaturizer.prediction_states
    rule_only_data = model_file(model, "train_RulePolicy0/rule_only_data.json")
    featurisations = {  # policy: its featurizer, and the arguments it passes at prediction time
        "RulePolicy": (MaxHistoryTrackerFeaturizer(None, max_history=None),
                       [{"use_text_for_last_user_input": text, "rule_only_data": rule_only_data} for text in (1, 0)]),
        "MemoizationPolicy": (MaxHistoryTrackerFeaturizer(None, max_history=5),
                              [{"ignore_rule_only_turns": True, "rule_only_data": rule_only_data,
                                "ignore_action_unlikely_intent": True}])}

    def compared(events: list, hide_as_rasa_predicts: bool) -> dict:
        found = {"predictions": 0, "windowed": 0, "hidden_steps": 0, "decided_by": {}, "different": [],
                 "cpu_ms_last_20": {}}
        cpu: dict = {"rasa": [], "window": []}
        tracker = DialogueStateTracker.from_events("long", [], slots=domain.slots)

        def predict(prediction_states) -> tuple[dict, float]:
            MaxHistoryTrackerFeaturizer.prediction_states = prediction_states
            started = time.process_time()
            result = runner.run(inputs={PLACEHOLDER_TRACKER: tracker}, targets=targets)
            return {name: described(result[name]) for name in targets}, time.process_time() - started

        for event in events:
            if isinstance(event, ActionExecuted) and tracker.latest_message and tracker.latest_message.intent:
                # the states each policy gets: a window's must be the end of Rasa's list, long enough
                for policy, (featurizer, calls) in featurisations.items():
                    for kwargs in calls:
                        rasa_states = rasas(featurizer, [tracker], domain, **kwargs)[0]
                        for window, prediction_states in windows.items():
                            ours = prediction_states(featurizer, [tracker], domain, **kwargs)[0]
                            found["windowed"] += len(ours) < len(rasa_states)
                            if ours != rasa_states[len(rasa_states) - len(ours):] or len(ours) < min(
                                    len(rasa_states), featurizer.max_history or window):
                                found["different"].append({"states of": policy, "window": window,
                                                           "events": len(tracker.events), "ours": ours,
                                                           "rasa": rasa_states[-len(ours) - 1:]})
                # and what the policies and the ensemble predict from them
                rasa_says, seconds = predict(rasas)
                cpu["rasa"].append(seconds)
                for window, prediction_states in windows.items():
                    ours_says, seconds = predict(prediction_states)
                    if window == bot.rasa_server.STATES_WINDOW:
                        cpu["window"].append(seconds)
                    if ours_says != rasa_says:
                        found["different"].append({"predictions": window, "events": len(tracker.events),
                                                   "rasa": rasa_says, "ours": ours_says})
                found["predictions"] += 1
                chosen = rasa_says[targets[-1]]
                found["decided_by"][chosen[0]] = found["decided_by"].get(chosen[0], 0) + 1
                memorised = max(rasa_says["run_MemoizationPolicy1"][1]) > 0
                found["decided_by"]["memorised, whoever won"] = found["decided_by"].get(
                    "memorised, whoever won", 0) + memorised
                predicted = domain.action_names_or_texts[max(range(len(chosen[1])), key=chosen[1].__getitem__)]
                if hide_as_rasa_predicts and predicted == event.action_name:  # as the processor logs it
                    event.hide_rule_turn = chosen[6]
            found["hidden_steps"] += isinstance(event, ActionExecuted) and event.hide_rule_turn
            tracker.update(event)
        found.update(turns=sum(isinstance(e, UserUttered) for e in tracker.events), events=len(tracker.events),
                     cpu_ms_last_20={name: round(sum(s[-20:]) / 20 * 1000, 2) for name, s in cpu.items()})
        found["n_different"], found["different"] = len(found["different"]), str(found["different"][:2])[:4000]
        return found

    found = {"longest_rule": longest_rule, "windows": list(windows),
             "stories": compared(conversation_events(agent, turns, seed=4), hide_as_rasa_predicts=True),
             "shuffled": compared(shuffled_events(domain, turns // 2, seed=5), hide_as_rasa_predicts=False)}
    if args.tracker:
        served = json.loads(args.tracker.read_text("utf-8"))["events"]
        found["served"] = compared(deserialise_events(served), hide_as_rasa_predicts=False)
    print(json.dumps(found))


def model_file(model: str, name: str) -> dict:
    with tarfile.open(model) as archive:
        return json.load(archive.extractfile(f"components/{name}"))


if __name__ == "__main__":
    main()
