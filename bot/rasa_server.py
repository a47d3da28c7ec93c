"""Starts the Rasa server (Python 3.10 environment) after installing optimisations that change what a
turn costs, never what it does; then hands the command line to Rasa's own CLI unchanged.

    .venvs/rasa/bin/python -m bot.rasa_server run --enable-api --model models/tthc.tar.gz ...

Installed here (each guarded by the Rasa version it was written against; another version starts
plain Rasa and says so in the log):
- the action-response validator is built once. Rasa 3.6 calls `jsonschema.validate(result, spec)` for
  every action-server response, which re-checks the constant schema against its meta-schema first:
  ~24 ms of CPU per action call on this machine, against ~0.5 ms for checking the response alone.
  The same responses are accepted and the same errors raised, with the same message.
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


def install() -> list[str]:
    """Install the optimisations; returns the names of those installed."""
    import rasa

    if not rasa.__version__.startswith(WRITTEN_FOR):
        logger.warning("Rasa %s is not %sx: starting without the latency patches of bot/rasa_server.py",
                       rasa.__version__, WRITTEN_FOR)
        return []
    _install_validator_built_once()
    return ["action-response validator built once"]


def main() -> None:
    installed = install()
    from rasa.__main__ import main as rasa_main

    if installed:
        # Rasa configures logging only inside its CLI, so this goes to stderr before its own output
        print(f"[rasa_server] installed: {', '.join(installed)}", file=sys.stderr, flush=True)
    rasa_main()


if __name__ == "__main__":
    main()
