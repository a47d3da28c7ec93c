"""The entry point's operational endpoints: `/ready` (every Rasa replica and the store reachable) and
`/metrics` (Prometheus, ops/metrics.py). `/health` (live) stays in app.py."""
from __future__ import annotations

import asyncio
import ipaddress
import os

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


def _may_scrape(request: Request) -> bool:
    """Metrics are for the monitoring network: by default only loopback and private addresses may read
    them (METRICS_ALLOW_ANY=1 lifts this, e.g. behind a proxy that already restricts /metrics)."""
    if os.environ.get("METRICS_ALLOW_ANY") == "1":
        return True
    try:
        address = ipaddress.ip_address(request.client.host if request.client else "")
    except ValueError:
        return request.client is not None and request.client.host == "testclient"
    return address.is_loopback or address.is_private


async def prometheus(request: Request) -> Response:
    if not _may_scrape(request):
        return JSONResponse({"error": "forbidden"}, status_code=403)
    body, content_type = await asyncio.to_thread(metrics.exposition)
    return Response(body, media_type=content_type)
