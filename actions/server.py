"""`python -m actions.server`: the action server (rasa-sdk, same arguments as `python -m rasa_sdk`) with
what a production process needs besides `/health`:

- `/ready`: 200 once the knowledge-base index is loaded and the store answers, else 503 with the reason;
- `/metrics`: Prometheus — actions run by name, outcome and duration, ratings saved / not saved and
  alerts created (read from the responses the survey action sends, so actions/ stays unaware of it);
- start-up checks of the production profile (secrets, PostgreSQL) and JSON logs (ops/).
"""
from __future__ import annotations

import asyncio
import json
import os
import time
from functools import partial

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sanic import Sanic, response
from sanic.worker.loader import AppLoader

from ops import health, logs, profile
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
    async def metrics(_):
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


def create_app_for_serve(action_executor, **options) -> Sanic:
    """rasa-sdk's app factory plus the operational routes; module level so Sanic can pickle it."""
    from rasa_sdk.endpoint import create_app_for_serve as sdk_factory

    logs.configure("actions")  # Sanic's workers are fresh processes: configure theirs too
    return add_operations(sdk_factory(action_executor, **options))


def main() -> None:
    from rasa_sdk import utils
    from rasa_sdk.endpoint import create_argument_parser, create_ssl_config
    from rasa_sdk.executor import ActionExecutor

    args = create_argument_parser().parse_args()
    profile.start_checks("actions")
    logs.configure("actions")
    executor = ActionExecutor()
    executor.register_package(args.actions_module or args.actions)
    loader = AppLoader(factory=partial(create_app_for_serve, executor, cors_origins=args.cors,
                                       auto_reload=args.auto_reload, endpoints=args.endpoints))
    app = loader.load()
    app.prepare(host=os.environ.get("SANIC_HOST", "0.0.0.0"), port=args.port,
                ssl=create_ssl_config(args.ssl_certificate, args.ssl_keyfile, args.ssl_password),
                workers=utils.number_of_sanic_workers(), access_log=False)
    Sanic.serve(primary=app, app_loader=loader)


if __name__ == "__main__":
    main()
