"""The entry point's operational endpoints: `/ready` (every Rasa replica and the store reachable) and
`/metrics` (Prometheus, ops/metrics.py; loopback and private addresses only, see `metrics.may_scrape`),
with the rate limiter's decisions among them. `/health` (live) stays in app.py."""
from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ops import health, metrics


async def ready(request: Request) -> Response:
    """200 when at least one Rasa replica and the database answer (the entry point can serve), else 503;
    the body says which part is missing."""
    replicas, database = await asyncio.gather(request.app.state.rasa.ready(),
                                              asyncio.to_thread(health.database_problem))
    ok = any(replicas.values()) and database is None
    body = {"ready": ok, "rasa_replicas": replicas, "database": database or "ok"}
    return JSONResponse(body, status_code=200 if ok else 503, headers={"Cache-Control": "no-store"})


prometheus = metrics.starlette_endpoint
