"""Starts the Rasa server (Python 3.10 environment) after installing optimisations that change what a
turn costs, never what it does; then hands the command line to Rasa's own CLI unchanged.

    .venvs/rasa/bin/python -m bot.rasa_server run --enable-api --model models/tthc.tar.gz ...

Installed here (each guarded by the Rasa version it was written against; another version starts
plain Rasa and says so in the log):
- the action-response validator is built once. Rasa 3.6 calls `jsonschema.validate(result, spec)` for
  every action-server response, which re-checks the constant schema against its meta-schema first:
  ~24 ms of CPU per action call on this machine, against ~0.5 ms for checking the response alone.
  The same responses are accepted and the same errors raised, with the same message.
- the event class of a stored event is looked up in a table. Rasa 3.6 finds it by walking every
  subclass of `Event` and asking `inspect.isabstract` of each, for every event of the tracker it
  loads, every turn: a third of a Rasa turn by the 200th turn of a conversation. The table is built
  from the same walk, first match kept as Rasa's loop does, and rebuilt when a name is not in it.
- the rule and memoization policies get the states of the latest steps only. To predict, Rasa 3.6
  computes the state of EVERY step of the conversation (`Domain.states_for_tracker_history`: the
  tracker replayed event by event, and the slots, user turn, previous action and loop featurised at
  each step), three times a prediction, two or three predictions a turn; of those, RulePolicy
  matches each rule against as many latest states as the rule has, MemoizationPolicy keeps the
  last `max_history` (5): ~30% of Rasa's CPU by the 200th turn. Now the events are still all
  replayed (cheap, and the slots and loop at the window's start are right) but only the states of
  the last `RASA_STATES_WINDOW` steps (default 20; never fewer than a policy's `max_history`) are
  computed, and they are exactly the last ones of Rasa's list; and the tracker's applied events
  (Rasa's walk over every event, undoing reverted ones) are found once per prediction, not three
  times. At 1,400 events (200 turns) a prediction costs ~8-12 ms instead of ~30-40. So the
  predictions are Rasa's as long
  as no rule is longer than the window (a `conversation_start` rule included: it matches the start
  state only within its own length). This project's longest rule has 3 states; tests/bot/
  test_rasa_server.py checks that on the trained model and compares states and predictions with and
  without the window along long conversations. Where MemoizationPolicy hides rule-only turns, a
  state takes the user input of the kept state before it unless its previous action is
  action_listen, so its window starts at such a state. Only prediction is changed
  (`MaxHistoryTrackerFeaturizer.prediction_states`, plain `DialogueStateTracker`s): training
  featurises whole stories as before. `RASA_STATES_WINDOW=0` leaves Rasa's way.
- the SQL tracker store looks a session's start up once instead of once per row of the session
  (bot/rasa_tracker_cache.py: the same rows in the same order).
- conversations stay live between turns instead of being re-read from the tracker store (parsed and
  replayed from JSON in memory, from the session's rows on SQL) at every message
  (bot/rasa_tracker_cache.py; `RASA_LIVE_TRACKERS=0` leaves Rasa's way).
"""
from __future__ import annotations

import logging
import os
import sys
import weakref
from typing import Any, Dict

from bot import rasa_tracker_cache

logger = logging.getLogger(__name__)

WRITTEN_FOR = "3.6."  # the Rasa minor version whose internals the patches below replace
STATES_WINDOW = 20  # default of RASA_STATES_WINDOW: dialogue steps whose states the policies get (see above)


def _install_validator_built_once() -> None:
    import jsonschema
    from rasa.core.actions import action
    from rasa.shared.constants import DOCS_BASE_URL

    spec = action.RemoteAction.action_response_format_spec()
    validator_class = jsonschema.validators.validator_for(spec)
    validator_class.check_schema(spec)  # what jsonschema.validate does first, here done once
    validator = validator_class(spec)

    def _validate_action_result(self: Any, result: Dict[str, Any]) -> bool:
        # as jsonschema.validate(result, spec) after its schema check: the best-matching error, if any
        error = jsonschema.exceptions.best_match(validator.iter_errors(result))
        if error is None:
            return True
        error.message += (
            f". Failed to validate Action server response from API, "
            f"make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise error

    action.RemoteAction._validate_action_result = _validate_action_result


def _install_event_type_table() -> None:
    from rasa.shared.core import events
    from rasa.shared.utils.common import all_subclasses

    def build() -> dict:
        table: dict = {}
        for cls in all_subclasses(events.Event):
            table.setdefault(cls.type_name, cls)  # the first match, as Rasa's own loop returns
        return table

    by_name = build()
    original = events.Event.resolve_by_type

    def resolve_by_type(type_name: str, default: Any = None) -> Any:
        nonlocal by_name
        found = by_name.get(type_name)
        if found is None:
            by_name = build()  # an event class imported since (a plugin), or an unknown name
            found = by_name.get(type_name)
        return found if found is not None else original(type_name, default)

    events.Event.resolve_by_type = staticmethod(resolve_by_type)


def _install_recent_states_only(window: int) -> None:
    from rasa.core.featurizers.tracker_featurizers import MaxHistoryTrackerFeaturizer
    from rasa.shared.core.constants import ACTION_LISTEN_NAME, PREVIOUS_ACTION
    from rasa.shared.core.events import ActionExecuted
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.shared.nlu.constants import ACTION_NAME

    last_applied: list = [None]  # (the tracker, weakly; its number of events; its last event; its applied events)

    def applied_events(tracker: Any) -> list:
        # tracker.applied_events(), computed once for the three featurisations of a prediction (it walks
        # every event, and back through a form's steps at each of its executions: ~4 ms at 1,400 events).
        # Rasa only appends to tracker.events, so the same count and last event mean the same events.
        count, last = len(tracker.events), (tracker.events[-1] if tracker.events else None)
        cached = last_applied[0]
        if cached is not None and cached[0]() is tracker and cached[1] == count and cached[2] is last:
            return cached[3]
        applied = tracker.applied_events()
        last_applied[0] = (weakref.ref(tracker), count, last, applied)
        return applied

    def prior_steps(tracker: Any, applied: list) -> Any:
        # tracker.generate_all_prior_trackers(), given the events tracker.applied_events() returned
        step = tracker.init_copy()
        for event in applied:
            if isinstance(event, ActionExecuted):
                yield step, event.hide_rule_turn
            step.update(event)
        yield step, False

    def kept_steps(domain: Any, tracker: Any, applied: list, ignore_rule_only_turns: bool) -> Any:
        # Domain.states_for_tracker_history's walk, without computing any state: the tracker at each
        # step whose state Rasa keeps, and the previous action of the last step not hidden
        last_ml_action = None
        turn_was_hidden = False
        for step, hide_rule_turn in prior_steps(tracker, applied):
            if ignore_rule_only_turns:
                if not turn_was_hidden:
                    last_ml_action = domain._get_prev_action_sub_state(step)
                if not step.followup_action and not step.latest_action_name == step.active_loop_name:
                    turn_was_hidden = hide_rule_turn
                if turn_was_hidden:
                    continue
            yield step, last_ml_action

    def first_in_window(domain: Any, tracker: Any, applied: list, keep: int, ignore_rule_only_turns: bool) -> int:
        if not ignore_rule_only_turns:  # every step is kept: one per action, plus the current one
            return max(1 + sum(isinstance(e, ActionExecuted) for e in applied) - keep, 0)
        # a kept state copies the user input of the one before unless its previous action is
        # action_listen: start at such a state, so that the first one computed is Rasa's
        after_listen = [(step.latest_action or {}).get(ACTION_NAME) == ACTION_LISTEN_NAME
                        for step, _ in kept_steps(domain, tracker, applied, ignore_rule_only_turns)]
        first = max(len(after_listen) - keep, 0)
        while first > 0 and not after_listen[first]:
            first -= 1
        return first

    def recent_states(tracker: Any, domain: Any, keep: int, ignore_rule_only_turns: bool,
                      rule_only_data: Any) -> tuple[list, bool]:
        """The last states of Rasa's `tracker.past_states(...)` (at least `keep` of them, all if fewer),
        and whether they are all of them."""
        if type(tracker) is DialogueStateTracker:  # not the training trackers, which cache their states
            applied = applied_events(tracker)
            first = first_in_window(domain, tracker, applied, keep, ignore_rule_only_turns)
        else:
            first = 0
        if first == 0:
            return tracker.past_states(domain, ignore_rule_only_turns=ignore_rule_only_turns,
                                       rule_only_data=rule_only_data), True
        states: list = []
        for index, (step, last_ml_action) in enumerate(kept_steps(domain, tracker, applied, ignore_rule_only_turns)):
            if index < first:
                continue
            # from here on as Domain.states_for_tracker_history
            state = domain.get_active_state(step)
            if ignore_rule_only_turns:
                domain._remove_rule_only_features(state, rule_only_data)
                if states:
                    domain._substitute_rule_only_user_input(state, states[-1])
                if last_ml_action:
                    state[PREVIOUS_ACTION] = last_ml_action
            states.append(domain._clean_state(state))
        return states, False

    original = MaxHistoryTrackerFeaturizer.prediction_states

    def prediction_states(self: Any, trackers: list, domain: Any, use_text_for_last_user_input: bool = False,
                          ignore_rule_only_turns: bool = False, rule_only_data: Any = None,
                          ignore_action_unlikely_intent: bool = False) -> list:
        keep = max(window, self.max_history or 0)
        windows = [recent_states(tracker, domain, keep, ignore_rule_only_turns, rule_only_data)
                   for tracker in trackers]
        trackers_as_states = [states for states, _ in windows]
        if ignore_action_unlikely_intent:
            trackers_as_states = [self._remove_action_unlikely_intent_from_states(states)
                                  for states in trackers_as_states]
            if any(len(states) < keep and not whole for states, (_, whole) in zip(trackers_as_states, windows)):
                # action_unlikely_intent steps (UnexpecTEDIntentPolicy) emptied the window: Rasa's way
                return original(self, trackers, domain, use_text_for_last_user_input, ignore_rule_only_turns,
                                rule_only_data, ignore_action_unlikely_intent)
        # from here on as MaxHistoryTrackerFeaturizer.prediction_states
        trackers_as_states = [self.slice_state_history(states, self.max_history) for states in trackers_as_states]
        self._choose_last_user_input(trackers_as_states, use_text_for_last_user_input)
        return trackers_as_states

    MaxHistoryTrackerFeaturizer.prediction_states = prediction_states


def states_window(env: Dict[str, str] | None = None) -> int:
    """RASA_STATES_WINDOW: the dialogue steps whose states the policies get at prediction time (0: all)."""
    value = (os.environ if env is None else env).get("RASA_STATES_WINDOW", "").strip()
    window = int(value) if value else STATES_WINDOW
    if window < 0:
        raise ValueError(f"RASA_STATES_WINDOW must be 0 (off) or a number of steps, not {value}")
    return window


def install() -> list[str]:
    """Install the optimisations; returns the names of those installed."""
    import rasa

    if not rasa.__version__.startswith(WRITTEN_FOR):
        logger.warning("Rasa %s is not %sx: starting without the latency patches of bot/rasa_server.py",
                       rasa.__version__, WRITTEN_FOR)
        return []
    _install_validator_built_once()
    _install_event_type_table()
    installed = ["action-response validator built once", "event types looked up in a table"]
    window = states_window()
    if window:
        _install_recent_states_only(window)
        installed.append(f"policies featurise the last {window} dialogue steps")
    rasa_tracker_cache.install_session_query()
    installed.append("SQL session start looked up once")
    if rasa_tracker_cache.enabled():
        rasa_tracker_cache.install()
        installed.append("trackers kept live between turns")
    return installed


def main() -> None:
    installed = install()
    from rasa.__main__ import main as rasa_main

    if installed:
        # Rasa configures logging only inside its CLI, so this goes to stderr before its own output
        print(f"[rasa_server] installed: {', '.join(installed)}", file=sys.stderr, flush=True)
    rasa_main()


if __name__ == "__main__":
    main()
