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
"""
from __future__ import annotations

import logging
import sys
from typing import Any, Dict

logger = logging.getLogger(__name__)

WRITTEN_FOR = "3.6."  # the Rasa minor version whose internals the patches below replace


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


def install() -> list[str]:
    """Install the optimisations; returns the names of those installed."""
    import rasa

    if not rasa.__version__.startswith(WRITTEN_FOR):
        logger.warning("Rasa %s is not %sx: starting without the latency patches of bot/rasa_server.py",
                       rasa.__version__, WRITTEN_FOR)
        return []
    _install_validator_built_once()
    _install_event_type_table()
    return ["action-response validator built once", "event types looked up in a table"]


def main() -> None:
    installed = install()
    from rasa.__main__ import main as rasa_main

    if installed:
        # Rasa configures logging only inside its CLI, so this goes to stderr before its own output
        print(f"[rasa_server] installed: {', '.join(installed)}", file=sys.stderr, flush=True)
    rasa_main()


if __name__ == "__main__":
    main()
