"""The Telegram process's operational endpoints, on a listener of their own (TELEGRAM_OPS_HOST:
TELEGRAM_OPS_PORT, default 127.0.0.1:8090; on in production and in webhook mode):

- `/health`: the process is alive;
- `/ready`: 200 once PTB has started and receives updates (polling runs, or the webhook server is up)
  and at least one Rasa replica answers, else 503 with what is missing;
- `/metrics`: Prometheus (ops/metrics.py) for loopback and private addresses: this process's turns and
  Rasa errors, and its rate limiter's decisions.

A listener of its own rather than routes on the webhook server: that one faces Telegram (public), this
one the monitoring network; and long polling has no HTTP server at all. It runs in the bot's own event
loop, so a loop that stops answering shows on /health too.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Optional

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from telegram.ext import Application

from ops import metrics

from . import handlers

logger = logging.getLogger(__name__)

SERVER = "operations_server"  # bot_data keys: this listener, and the webhook server it reports on
WEBHOOK_SERVER = "webhook_server"


def receiving(application: Application) -> bool:
    """PTB processes updates and something brings them: long polling, or the webhook server."""
    if not application.running:
        return False
    webhook = application.bot_data.get(WEBHOOK_SERVER)
    if webhook is not None:
        return bool(webhook.started)
    return application.updater is not None and application.updater.running


def operations_app(application: Application) -> Starlette:
    async def health(_: Request) -> Response:
        return PlainTextResponse("ok")

    async def ready(_: Request) -> Response:
        rasa = application.bot_data.get(handlers.RASA)
        replicas = await rasa.ready() if rasa is not None else {}
        telegram = "ok" if receiving(application) else "starting"
        ok = telegram == "ok" and any(replicas.values())
        body = {"ready": ok, "telegram": telegram, "rasa_replicas": replicas}
        return JSONResponse(body, status_code=200 if ok else 503, headers={"Cache-Control": "no-store"})

    return Starlette(routes=[Route("/health", health), Route("/ready", ready),
                             Route("/metrics", metrics.starlette_endpoint)])


class OperationsServer(uvicorn.Server):
    """uvicorn serving `operations_app` as a task in the bot's event loop. It leaves the process's
    signals to PTB (polling) or to the webhook server, which stop the bot and then this listener."""

    def __init__(self, application: Application, host: str, port: int):
        super().__init__(uvicorn.Config(operations_app(application), host=host, port=port, log_config=None,
                                        access_log=False, lifespan="off"))
        self._task: Optional[asyncio.Task] = None

    @contextlib.contextmanager
    def capture_signals(self):
        yield

    async def start(self) -> None:
        """Serve in the background; returns once listening (a port in use ends the process, as uvicorn
        does, with its error in the log)."""
        self._task = asyncio.create_task(self.serve(), name="telegram-operations")
        while not self.started:
            if self._task.done():
                self._task.result()
                raise RuntimeError("the operations listener stopped while starting")
            await asyncio.sleep(0.05)
        logger.info("Telegram channel: /health, /ready and /metrics on %s:%s", self.config.host, self.config.port)

    async def stop(self) -> None:
        if self._task is None:
            return
        self.should_exit = True
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._task, timeout=10)
        self._task = None
