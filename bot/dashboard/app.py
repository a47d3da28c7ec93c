"""The dashboard's Starlette app, mounted at /dashboard by the web widget's server (`bot.webchat.app`), so
the one `scripts/run` process serves it. `PAGES` is the route table: every page with its access level,
which the app serves and the tests walk (a route added here is in the authorisation matrix at once).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from . import accounts, alerts, auth, comments, qr, questions, reports
from .downloads import for_format
from .settings import DashboardSettings
from .web import error_text, page

STATIC = Path(__file__).resolve().parent / "static"
COOKIE = "tthc_dashboard"
SESSION_SECONDS = 12 * 3600
# Everything from our own origin; no inline script or style; data: only for the on-screen QR image.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PageRoute:
    path: str
    handler: Callable
    methods: tuple[str, ...] = ("GET",)
    access: str = "signed_in"  # public | signed_in | admin
    unit_param: bool = False  # takes ?unit= (or a unit in the path) and must refuse other units


def _routes() -> list[PageRoute]:
    pages = [
        PageRoute("/login", auth.login_form, access="public"),
        PageRoute("/login", auth.login, ("POST",), access="public"),
        PageRoute("/logout", auth.logout, ("POST",)),
        PageRoute("/", auth.home),
        PageRoute("/reports", reports.report_page, unit_param=True),
        PageRoute("/comments", comments.comments_page, unit_param=True),
        PageRoute("/alerts", alerts.alerts_page, unit_param=True),
        PageRoute("/alerts/{alert_id}", alerts.alert_update, ("POST",), unit_param=True),
        PageRoute("/questions", questions.questions_page, unit_param=True),
        PageRoute("/qr", qr.qr_page),
        PageRoute("/qr/dossier", qr.dossier_link, ("POST",), unit_param=True),
        PageRoute("/qr/{unit}/{desk}/poster.png", qr.poster_for("png"), unit_param=True),
        PageRoute("/qr/{unit}/{desk}/poster.pdf", qr.poster_for("pdf"), unit_param=True),
        PageRoute("/accounts", accounts.accounts_page, access="admin"),
        PageRoute("/accounts", accounts.account_create, ("POST",), access="admin"),
        PageRoute("/accounts/{username}/disable", accounts.account_active(False), ("POST",), access="admin"),
        PageRoute("/accounts/{username}/enable", accounts.account_active(True), ("POST",), access="admin"),
    ]
    for stem, handler in (("/reports", reports.report_download), ("/comments", comments.comments_download),
                          ("/alerts", alerts.alerts_download), ("/questions", questions.questions_download)):
        for fmt in ("csv", "xlsx"):
            pages.append(PageRoute(f"{stem}.{fmt}", for_format(handler, fmt), unit_param=True))
    return pages


PAGES: list[PageRoute] = _routes()


class SecurityHeaders:
    """CSP and friends on every dashboard response; pages are per-user, so never cached."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                extra = [(b"content-security-policy", CSP.encode()), (b"x-frame-options", b"DENY"),
                         (b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin")]
                if b"cache-control" not in names:
                    extra.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers + extra}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _static(name: str, media_type: str):
    async def serve(_: Request) -> Response:
        return FileResponse(STATIC / name, media_type=media_type, headers={"Cache-Control": "public, max-age=300"})
    return serve


async def _not_found(request: Request, exc) -> Response:
    return HTMLResponse(f"<!doctype html><meta charset=utf-8><title>404</title><p>{error_text('not_found')}</p>",
                        status_code=404)


async def _server_error(request: Request, exc) -> Response:
    log.exception("dashboard error on %s", request.url.path, exc_info=exc)
    return HTMLResponse(f"<!doctype html><meta charset=utf-8><title>500</title><p>{error_text('server_error')}</p>",
                        status_code=500)


def create_dashboard(settings: Optional[DashboardSettings] = None, mount_path: str = "/dashboard") -> Starlette:
    """The app to mount at `mount_path` (the session cookie is scoped to it)."""
    settings = settings or DashboardSettings.from_env()
    routes = [Route(p.path, page(p.handler, p.access), methods=list(p.methods)) for p in PAGES]
    routes += [Route("/static/dashboard.css", _static("dashboard.css", "text/css; charset=utf-8")),
               Route("/static/dashboard.js", _static("dashboard.js", "text/javascript; charset=utf-8"))]
    middleware = [
        Middleware(SecurityHeaders),
        Middleware(SessionMiddleware, secret_key=settings.secret, session_cookie=COOKIE, max_age=SESSION_SECONDS,
                   path=mount_path or "/", same_site="lax", https_only=settings.secure_cookies),
    ]
    app = Starlette(routes=routes, middleware=middleware,
                    exception_handlers={404: _not_found, 405: _not_found, Exception: _server_error})
    app.state.settings = settings
    app.state.pages = PAGES
    return app
