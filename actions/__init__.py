"""Custom actions of the assistant, one module per feature; the Rasa SDK imports every module here.

In an action-server worker the knowledge base is warmed up in the background at import, so the first
citizen does not wait for the encoder to load (a request arriving earlier simply waits for it).
"""
import logging
import os
import threading

logger = logging.getLogger(__name__)


def _warm_up_in_background() -> None:
    def run() -> None:
        try:
            from . import kb

            kb.warm_up()
            logger.info("knowledge base ready")
        except Exception:  # the first question will retry and report the problem then
            logger.exception("knowledge base warm-up failed")

    threading.Thread(target=run, name="kb-warm-up", daemon=True).start()


# Sanic sets SANIC_WORKER_NAME in the worker processes that serve requests; the managing process and
# unit tests import this package too and must not pay for loading the index.
if os.environ.get("SANIC_WORKER_NAME") and os.environ.get("ACTIONS_WARM_UP", "1") != "0":
    _warm_up_in_background()
