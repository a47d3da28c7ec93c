"""`.venvs/rasa/bin/python -m ops.rasa run …`: Rasa's own command line (same arguments as `rasa`), with
the logging of the other processes (ops/logs.py: JSON lines under LOG_FORMAT=json, redaction).

Rasa installs its coloured console handler after reading any logging configuration file, so the file
route cannot win; and its structured events carry the citizen's text (`text`, `user_message`, slot
values…) unless an anonymisation plugin is installed — here those fields are replaced before rendering.

The HTTP API's token comes from the environment (`RASA_AUTH_TOKEN`) and is handed to Rasa's parser
inside this process: a `--auth-token` on the command line is readable by every user of the machine in
`ps` and /proc/<pid>/cmdline, while the arguments added to `sys.argv` here never reach either. In
production a token given on the command line is refused for that reason.
Runs in the Rasa environment (Python 3.10)."""
from __future__ import annotations

import logging
import os
import sys
from typing import Mapping, Optional, Sequence

logger = logging.getLogger(__name__)

TOKEN_VARIABLE = "RASA_AUTH_TOKEN"
TOKEN_OPTIONS = ("--auth-token", "-t")

# Event fields of Rasa's structured logs that hold what the citizen wrote or what the bot knows of them.
PERSONAL_FIELDS = ("text", "response_text", "user_text", "slot_values", "parse_data_text", "parse_data_entities",
                   "prediction_events", "tracker_latest_message", "prefilled_slots", "message", "response",
                   "slot_candidates", "rasa_event", "rasa_events", "tracker_states", "current_states", "old_states",
                   "successes", "current_entity", "next_entity", "states", "entity", "token_text", "user_message",
                   "json_message", "sender_id", "conversation_id")


def drop_personal_fields(_logger, _name, event_dict):
    for key in PERSONAL_FIELDS:
        if key in event_dict:
            event_dict[key] = "[removed]"
    return event_dict


def fail_turns_without_their_tracker() -> bool:
    """Rasa 3.6 wraps every tracker store in a FailSafeTrackerStore whose read answers an error with
    None, "no conversation yet": during a database outage a citizen in the middle of a survey is
    answered as a new conversation (a wrong reply instead of "try again"), and the fresh tracker's
    events can be appended to the real conversation once the database answers again. Here a read that
    fails fails the turn instead: the citizen channel answers nothing and the entry point tells the
    citizen to try again in a moment. Saving keeps Rasa's behaviour. Returns False (plain Rasa) on
    another Rasa version."""
    import rasa
    from rasa.core import tracker_store

    if not rasa.__version__.startswith("3.6."):
        logger.warning("Rasa %s: a failed tracker read starts a new conversation (patch written for 3.6)",
                       rasa.__version__)
        return False
    store = tracker_store.FailSafeTrackerStore

    async def retrieve(self, sender_id):
        try:
            return await self._tracker_store.retrieve(sender_id)
        except Exception as error:
            _tracker_unavailable(error)
            raise

    async def retrieve_full_tracker(self, sender_id):
        try:
            return await self._tracker_store.retrieve_full_tracker(sender_id)
        except Exception as error:
            _tracker_unavailable(error)
            raise

    store.retrieve, store.retrieve_full_tracker = retrieve, retrieve_full_tracker
    return True


def _tracker_unavailable(error: Exception) -> None:
    # the class names only: a database error's text carries the query's parameters (the sender id)
    cause = getattr(error, "orig", None)
    logger.error("conversation tracker unavailable (%s%s): the turn fails, no new conversation is started",
                 type(error).__name__, f": {type(cause).__name__}" if cause is not None else "")


def _gives_token(argv: Sequence[str]) -> bool:
    return any(arg in TOKEN_OPTIONS or arg.startswith("--auth-token=") or (arg.startswith("-t") and len(arg) > 2
               and not arg.startswith("--")) for arg in argv)


def with_auth_token(argv: Sequence[str], env: Optional[Mapping[str, str]] = None) -> list[str]:
    """Rasa's arguments (without the program name) with `--auth-token` from RASA_AUTH_TOKEN added for
    `run`, unless the command line already gives one (the laptop may; production may not, see main)."""
    env = os.environ if env is None else env
    argv = list(argv)
    token = env.get(TOKEN_VARIABLE, "")
    if argv[:1] != ["run"] or argv[1:2] == ["actions"] or not token or _gives_token(argv):
        return argv
    return [*argv, "--auth-token", token]


LIBRARY_LOG_SETTERS = ("update_sanic_log_level", "update_apscheduler_log_level", "update_socketio_log_level",
                       "update_tensorflow_log_level")


def route_library_logs_to_root() -> None:
    """Rasa sets the level of Sanic's, apscheduler's, socketio's and TensorFlow's loggers
    (LOG_LEVEL_LIBRARIES) and cuts them off from the root logger: with no handler of their own, logging's
    last resort prints their records as bare text ("Unable to start server" and its traceback when the
    port is taken). After each of those settings, such a logger propagates again, so what it logs is one
    line in this process's format like the rest; the level Rasa set stays."""
    from rasa.utils import common

    from ops import logs

    logs.sanic_defaults_to_root()  # Rasa's API app is created with Sanic's own logging configuration
    for name in LIBRARY_LOG_SETTERS:
        setter = getattr(common, name, None)
        if setter is not None:
            setattr(common, name, _then_propagate(setter))


def _then_propagate(setter):
    def set_then_propagate(*args, **kwargs):
        setter(*args, **kwargs)
        for candidate in list(logging.root.manager.loggerDict.values()):
            if isinstance(candidate, logging.Logger) and not candidate.propagate and not candidate.handlers:
                candidate.propagate = True

    return set_then_propagate


def main() -> None:
    from ops import logs, profile

    if profile.is_production() and _gives_token(sys.argv[1:]):
        print(f"[rasa] refuses to start: give the API token in {TOKEN_VARIABLE}, not --auth-token on the command "
              "line (every user of the machine can read it in ps)", file=sys.stderr, flush=True)
        raise SystemExit(2)
    if sys.argv[1:2] == ["run"] and sys.argv[2:3] != ["actions"]:
        profile.start_checks("rasa")  # production: a real RASA_AUTH_TOKEN, or a clear message
    sys.argv[1:] = with_auth_token(sys.argv[1:])
    logs.configure("rasa")  # before importing Rasa: its imports already warn (TensorFlow, jax)
    import rasa.__main__
    import rasa.utils.io
    import rasa.utils.log_utils

    def configure_logging(loglevel=None) -> None:
        logs.configure("rasa", level=os.environ.get("LOG_LEVEL", "INFO"))

    rasa.utils.io.configure_colored_logging = configure_logging
    rasa.utils.log_utils._anonymizer = drop_personal_fields  # looked up when Rasa configures structlog
    route_library_logs_to_root()
    fail_turns_without_their_tracker()
    try:  # the same cost-only optimisations as the laptop's Rasa (bot/rasa_server.py), when present
        from bot import rasa_server
    except ImportError:
        pass
    else:
        rasa_server.install()
    rasa.__main__.main()


if __name__ == "__main__":
    main()
