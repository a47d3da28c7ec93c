"""`python -m actions.server`: the action server (rasa-sdk, same arguments as `python -m rasa_sdk`) with
what a production process needs besides `/health`:

- `/ready`: 200 once the knowledge-base index is loaded and the store answers, else 503 with the reason;
- `/metrics`: Prometheus — actions run by name, outcome and duration, ratings saved / not saved and
  alerts created (read from the responses the survey action sends, so actions/ stays unaware of it);
  loopback and private addresses only, as on the entry point;
- start-up checks of the production profile (secrets, PostgreSQL) and JSON logs (ops/).

The laptop's entry too (`scripts/run`): with no APP_ENV it serves on 0.0.0.0:5055 like rasa_sdk, logs
text lines, and honours rasa_sdk's `--debug` / `--verbose` / `--quiet` (else LOG_LEVEL), `--log-file`
(the same redacted lines, appended), `--logging-config_file`, `--cors`, `--auto-reload`, `--ssl-*`.
`--grpc` is handed to rasa_sdk unchanged (its gRPC server has no /ready or /metrics).
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from functools import partial
from typing import Optional

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sanic import Sanic, response
from sanic.worker.loader import AppLoader

from ops import health, logs, metrics, profile
from ops.metrics import ACTION_SECONDS, ACTIONS, ALERTS_CREATED, RATING_OUTCOMES, RATINGS_SUBMITTED

# rasa-sdk imports every module of the actions package, this one included: it defines no metric itself
# (a second definition under the name "actions.server" would clash with "__main__"'s).

def _observe(action: str, seconds: float, status: int, body: bytes) -> None:
    ACTION_SECONDS.labels(action).observe(seconds)
    ACTIONS.labels(action, "ok" if status == 200 else "error").inc()
    if action != "action_submit_survey" or status != 200:
        return
    try:
        names = [r.get("response") for r in json.loads(body).get("responses") or []]
    except (ValueError, AttributeError):
        return
    for name in names:
        if name in RATING_OUTCOMES:
            RATINGS_SUBMITTED.labels(RATING_OUTCOMES[name]).inc()
        if name == "utter_survey_alert_next":
            ALERTS_CREATED.inc()


def add_operations(app: Sanic) -> Sanic:
    @app.get("/ready")
    async def ready(_):
        import knowledge_base

        problems = {}
        if not knowledge_base.is_loaded():
            problems["index"] = "loading"
        database = await asyncio.to_thread(health.database_problem)
        if database:
            problems["database"] = database
        body = {"ready": not problems, "index": problems.get("index", "ok"), "database": database or "ok"}
        return response.json(body, status=503 if problems else 200)

    @app.get("/metrics")
    async def prometheus(request):
        if not metrics.may_scrape(request.client_ip):
            return response.json({"error": "forbidden"}, status=403)
        return response.raw(generate_latest(), content_type=CONTENT_TYPE_LATEST)

    @app.on_request
    async def start_timer(request):
        request.ctx.started = time.perf_counter()

    @app.on_response
    async def observe(request, result):
        if request.path == "/webhook" and request.method == "POST":
            action = (request.json or {}).get("next_action") if isinstance(request.json, dict) else None
            _observe(str(action or "unknown")[:64], time.perf_counter() - request.ctx.started, result.status,
                     result.body or b"")

    return app


def configure_logging(level: Optional[int] = None, log_file: Optional[str] = None,
                      config_file: Optional[str] = None) -> None:
    """ops/logs.py's format on stderr at `level` (else LOG_LEVEL, else INFO); `log_file` gets the same
    redacted lines; a logging configuration file (rasa_sdk's option) is applied last, as rasa_sdk does."""
    logs.configure("actions", level=level)
    if log_file:
        handler = logging.FileHandler(log_file, encoding="utf-8")
        handler.setFormatter(logs.formatter("actions"))
        logging.getLogger().addHandler(handler)
    if config_file:
        from rasa_sdk.utils import configure_logging_from_input_file

        configure_logging_from_input_file(config_file)


def create_app_for_serve(action_executor, *, logging_options: Optional[dict] = None, **options) -> Sanic:
    """rasa-sdk's app factory plus the operational routes; module level so Sanic can pickle it."""
    from rasa_sdk.endpoint import create_app_for_serve as sdk_factory

    configure_logging(**(logging_options or {}))  # Sanic's workers are fresh processes: configure theirs too
    return add_operations(sdk_factory(action_executor, **options))


def main() -> None:
    from rasa_sdk import utils
    from rasa_sdk.endpoint import create_argument_parser, create_ssl_config
    from rasa_sdk.executor import ActionExecutor

    parser = create_argument_parser()
    parser.set_defaults(loglevel=None)  # no --debug/--verbose/--quiet: LOG_LEVEL decides (production sets it)
    args = parser.parse_args()
    profile.start_checks("actions")
    if args.grpc:
        import rasa_sdk.__main__

        args.loglevel = args.loglevel or logging.INFO
        rasa_sdk.__main__.main_from_args(args)
        return
    logging_options = {"level": args.loglevel, "log_file": args.log_file, "config_file": args.logging_config_file}
    configure_logging(**logging_options)
    executor = ActionExecutor()
    executor.register_package(args.actions_module or args.actions)
    loader = AppLoader(factory=partial(create_app_for_serve, executor, logging_options=logging_options,
                                       cors_origins=args.cors, auto_reload=args.auto_reload,
                                       endpoints=args.endpoints))
    app = loader.load()
    host = os.environ.get("SANIC_HOST", "0.0.0.0")
    ssl = create_ssl_config(args.ssl_certificate, args.ssl_keyfile, args.ssl_password)
    logging.getLogger(__name__).info("action server on %s://%s:%s (/health, /ready, /metrics)",
                                     "https" if ssl else "http", host, args.port)
    app.prepare(host=host, port=args.port, ssl=ssl, workers=utils.number_of_sanic_workers(), access_log=False)
    try:
        Sanic.serve(primary=app, app_loader=loader)
    except (BrokenPipeError, ConnectionResetError, EOFError) as error:
        # SIGTERM to the whole process group (systemd's default kill mode, Ctrl-C in a terminal) can stop
        # Sanic's state-sharing manager process before the main process has finished stopping its
        # workers: its next state sync then finds the pipe closed. The workers got the signal too.
        logging.getLogger(__name__).warning("action server stopped; Sanic's worker manager had already exited (%s)",
                                            type(error).__name__)


if __name__ == "__main__":
    main()
