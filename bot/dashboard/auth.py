"""Signing in and out. The cookie (signed, HttpOnly, SameSite=Lax, Secure behind https) carries only a
random session id and the CSRF token; the session itself lives in the database (`store.staff`), so a
logout or a disabled account ends it in every process."""
from __future__ import annotations

import math
import re

from starlette.responses import Response

from store import staff

from .web import CSRF_KEY, SESSION_KEY, Context, client_address, csrf_token, error_text, notice_text

_LOCAL_PATH = re.compile(r"^/[A-Za-z0-9/_.\-]*(\?[A-Za-z0-9=&%_.\-+]*)?$")


def _next_path(value: str) -> str:
    """Where to go after signing in: a path inside the dashboard only (never another site)."""
    return value if value and len(value) <= 500 and _LOCAL_PATH.match(value) and not value.startswith("//") \
        else "/reports"


def login_form(ctx: Context) -> Response:
    if ctx.user is not None:
        return ctx.redirect("/reports")
    notice = notice_text("signed_out") if ctx.params.get("signed_out") == "1" else None
    return ctx.render("login.html", next=_next_path(ctx.params.get("next", "")), username="", error=None,
                      notice=notice)


def login(ctx: Context) -> Response:
    username, password = ctx.field("username"), ctx.form.get("password") if ctx.form is not None else None
    target = _next_path(ctx.field("next"))
    result = staff.authenticate(username, password if isinstance(password, str) else None,
                                client_address(ctx.request))
    if not result.ok:
        if result.locked_for is not None:
            minutes = max(1, math.ceil(result.locked_for.total_seconds() / 60))
            error, status = error_text("throttled", minutes=minutes), 429
        else:
            error, status = error_text("bad_login"), 401
        return ctx.render("login.html", status, next=target, username=username[:64], error=error, notice=None)
    session = ctx.request.session
    session.clear()  # a fresh session id and CSRF token after signing in (no session fixation)
    session[SESSION_KEY] = staff.start_session(result.user)
    csrf_token(ctx.request)
    return ctx.redirect(target)


def logout(ctx: Context) -> Response:
    staff.end_session(ctx.request.session.get(SESSION_KEY))
    ctx.request.session.pop(SESSION_KEY, None)
    ctx.request.session.pop(CSRF_KEY, None)
    return ctx.redirect("/login", {"signed_out": "1"})


def home(ctx: Context) -> Response:
    return ctx.redirect("/reports")
