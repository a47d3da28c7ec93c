"""The web widget's server: the static widget (widget.js, widget.css, its texts), a demo one-stop-desk
page, `POST /api/chat` (to Rasa through bot.rasa_client) and `GET /api/units/<code>` (unit data).

Starlette (ASGI, served by uvicorn) rather than the Sanic that rasa-sdk brings: Sanic's version is
pinned by the action server's rasa-sdk, and the staff dashboard that will live here wants plain ASGI
middleware (sessions, auth) and Starlette's in-process TestClient."""
from __future__ import annotations

import functools
import html
import re
import string
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Optional

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route

import units
from bot.catalogue import load_catalogue
from bot.limits import MAX_BODY_BYTES, InputRejected, check_message, language_of_request, \
    parse_json_object, read_body
from bot.rasa_client import RasaClient, RasaUnavailable
from bot.rate_limit import RateLimiter, create_limiter
from ops import metrics

from . import operations
from .settings import WebchatSettings

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
CATALOGUE_FILE = HERE / "messages.yml"
DEMO_TEMPLATE = HERE / "templates" / "demo.html"

SESSION = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
CONTEXT_VALUE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
LANGUAGES = ("vi", "en")
SENDER_PREFIX = "web-"  # keeps widget conversations apart from Telegram's numeric senders
SESSION_SCOPE, ADDRESS_SCOPE = "chat-session", "chat-address"  # rate-limit scopes
# The demo page loads only its own files: no inline script, no other origin.
DEMO_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'")


@functools.lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, str]]:
    return load_catalogue(CATALOGUE_FILE)


def _language(value: Any) -> str:
    return value if value in LANGUAGES else "vi"


def _error(status: int, code: str, language: str, headers: Optional[dict[str, str]] = None) -> JSONResponse:
    return JSONResponse({"error": code, "message": catalogue()[language][code]}, status_code=status,
                        headers=headers)


def _request_language(request: Request) -> str:
    """The language of an answer given before the body is read: ?lang=, else Accept-Language."""
    return language_of_request(request.query_params.get("lang"), request.headers.get("accept-language"))


async def _over_rate(request: Request, scope: str, identity: str, language: str) -> Optional[Response]:
    """A polite 429 ("please wait a moment", with Retry-After) when `identity` sends faster than its rate."""
    limiter: RateLimiter = request.app.state.limiter
    decision = await limiter.hit(scope, identity, request.app.state.rates[scope])
    if decision.allowed:
        return None
    return _error(429, "rate_limited", language, {"Retry-After": str(decision.retry_after_seconds)})


def unit_json(unit: units.Unit, demo: bool) -> dict[str, Any]:
    return {"code": unit.code, "kind": unit.kind, "name": unit.name, "name_en": unit.name_en,
            "address": unit.address, "hotline": unit.hotline, "office_hours": unit.office_hours,
            "office_hours_en": unit.office_hours_en, "demo": demo}


async def chat(request: Request) -> Response:
    """{"session", "message", "unit"?, "desk"?, "language"?} → {"messages": [{"text", "buttons"}]}

    Limits, each answered with a polite message in the citizen's language: the body (MAX_BODY_BYTES,
    JSON nested at most MAX_JSON_DEPTH), the message (MAX_MESSAGE_CHARS), and the rates per client
    address (before the body is read) and per session."""
    language = _request_language(request)
    client = request.client.host if request.client else "unknown"
    refused = await _over_rate(request, ADDRESS_SCOPE, client, language)
    if refused is not None:
        return refused
    try:
        data = parse_json_object(await read_body(request, MAX_BODY_BYTES))
    except InputRejected as rejected:
        return _error(413 if rejected.code == "too_long" else 400, rejected.code, language)
    language = _language(data.get("language"))
    session, message = data.get("session"), data.get("message")
    if not isinstance(session, str) or not SESSION.match(session) or not isinstance(message, str):
        return _error(400, "invalid_request", language)
    if not message.strip():
        return _error(400, "empty_message", language)
    try:
        message = check_message(message)
    except InputRejected as rejected:
        return _error(413, rejected.code, language)
    refused = await _over_rate(request, SESSION_SCOPE, session, language)
    if refused is not None:
        return refused
    directory = request.app.state.units
    unit = data.get("unit") if isinstance(data.get("unit"), str) and data["unit"] in directory else None
    desk = data.get("desk") if isinstance(data.get("desk"), str) and CONTEXT_VALUE.match(data["desk"]) else None
    metadata = {"channel": "webchat", "unit": unit, "desk": desk, "language": language}
    try:
        replies = await request.app.state.rasa.send(SENDER_PREFIX + session, message, metadata)
    except RasaUnavailable:  # logged by the client, once per outage
        return _error(503, "rasa_unavailable", language)
    return JSONResponse({"messages": [reply.to_json() for reply in replies]},
                        headers={"Cache-Control": "no-store"})


async def unit_info(request: Request) -> Response:
    directory = request.app.state.units
    code = request.path_params["code"]
    if code not in directory:
        return _error(404, "unknown_unit", _request_language(request))
    return JSONResponse(unit_json(directory.units[code], directory.demo),
                        headers={"Cache-Control": "public, max-age=300"})


async def widget_messages(_: Request) -> Response:
    return JSONResponse(catalogue(), headers={"Cache-Control": "public, max-age=300"})


def _static(name: str, media_type: str):
    async def serve(_: Request) -> Response:
        return FileResponse(STATIC / name, media_type=media_type, headers={"Cache-Control": "public, max-age=300"})
    return serve


async def demo(request: Request) -> Response:
    """A one-stop desk's page with the widget in place: /demo?unit=<code>&desk=<id>&lang=vi|en&kiosk=1"""
    directory = request.app.state.units
    unit = directory.get(request.query_params.get("unit"))
    desk = request.query_params.get("desk") or "quay-1"
    desk = desk if CONTEXT_VALUE.match(desk) else "quay-1"
    language = _language(request.query_params.get("lang"))
    other_units = "\n".join(
        f'        <li><a href="/demo?unit={html.escape(u.code)}">{html.escape(u.name)}</a></li>'
        for u in directory.units.values())
    page = string.Template(DEMO_TEMPLATE.read_text(encoding="utf-8")).substitute(
        lang=language, unit_code=html.escape(unit.code), unit_name=html.escape(unit.name),
        unit_address=html.escape(unit.address), unit_hotline=html.escape(unit.hotline),
        unit_hours=html.escape(unit.office_hours), desk=html.escape(desk), units=other_units,
        mode="kiosk" if request.query_params.get("kiosk") == "1" else "floating")
    return HTMLResponse(page, headers={"Content-Security-Policy": DEMO_CSP})


async def index(_: Request) -> Response:
    return RedirectResponse("/demo", status_code=302)


async def health(request: Request) -> Response:
    return PlainTextResponse("ok")


def create_app(settings: Optional[WebchatSettings] = None, *, rasa: Optional[RasaClient] = None,
               directory: Optional[units.UnitDirectory] = None, dashboard: Optional[Starlette] = None,
               limiter: Optional[RateLimiter] = None) -> Starlette:
    """The widget's server with the staff dashboard mounted at /dashboard (built from the environment
    unless given; in production it refuses to start without DASHBOARD_SECRET). Rate limits are kept in
    Redis when `settings.redis_url` is set (shared by every replica), else in this process."""
    from bot.dashboard.app import create_dashboard

    settings = settings or WebchatSettings.from_env()
    dashboard = dashboard or create_dashboard()

    @asynccontextmanager
    async def lifespan(app: Starlette):
        app.state.units = directory or units.directory()
        app.state.rasa = rasa or RasaClient(settings.rasa_url, timeout=settings.rasa_timeout)
        app.state.limiter = limiter or create_limiter(settings.redis_url)
        metrics.watch_rate_limiter(app.state.limiter)  # its decisions on /metrics
        app.state.rates = {SESSION_SCOPE: settings.session_rate, ADDRESS_SCOPE: settings.address_rate}
        try:
            yield
        finally:
            await app.state.rasa.aclose()
            await app.state.limiter.aclose()

    routes = [
        Route("/", index), Route("/demo", demo), Route("/health", health),
        Route("/ready", operations.ready), Route("/metrics", operations.prometheus),
        Route("/widget.js", _static("widget.js", "text/javascript; charset=utf-8")),
        Route("/widget.css", _static("widget.css", "text/css; charset=utf-8")),
        Route("/demo.css", _static("demo.css", "text/css; charset=utf-8")),
        Route("/widget-messages.json", widget_messages),
        Route("/api/chat", chat, methods=["POST"]),
        Route("/api/units/{code}", unit_info),
        Mount("/dashboard", app=dashboard),
    ]
    # Desks embed the widget in their own sites, so the API answers other origins (no cookies involved).
    middleware = [Middleware(CORSMiddleware, allow_origins=list(settings.allowed_origins),
                             allow_methods=["GET", "POST"], allow_headers=["Content-Type"])]
    return Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
