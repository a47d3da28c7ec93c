"""`.venvs/rasa/bin/python -m ops.rasa run …`: Rasa's own command line (same arguments as `rasa`), with
the logging of the other processes (ops/logs.py: JSON lines under LOG_FORMAT=json, redaction).

Rasa installs its coloured console handler after reading any logging configuration file, so the file
route cannot win; and its structured events carry the citizen's text (`text`, `user_message`, slot
values…) unless an anonymisation plugin is installed — here those fields are replaced before rendering.
Runs in the Rasa environment (Python 3.10)."""
from __future__ import annotations

import os

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


def main() -> None:
    from ops import logs

    logs.configure("rasa")  # before importing Rasa: its imports already warn (TensorFlow, jax)
    import rasa.__main__
    import rasa.utils.io
    import rasa.utils.log_utils

    def configure_logging(loglevel=None) -> None:
        logs.configure("rasa", level=os.environ.get("LOG_LEVEL", "INFO"))

    rasa.utils.io.configure_colored_logging = configure_logging
    rasa.utils.log_utils._anonymizer = drop_personal_fields  # looked up when Rasa configures structlog
    try:  # the same cost-only optimisations as the laptop's Rasa (bot/rasa_server.py), when present
        from bot import rasa_server
    except ImportError:
        pass
    else:
        rasa_server.install()
    rasa.__main__.main()


if __name__ == "__main__":
    main()
