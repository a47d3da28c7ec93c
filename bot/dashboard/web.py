"""The dashboard's request plumbing: templates (Jinja2, autoescaped), the signed-in user, CSRF, and the
one wrapper every page goes through, which checks sign-in, the page's access level and the form's CSRF
token before the page runs, and turns refusals and bad input into a polite Vietnamese page.

Pages are plain functions run in a worker thread (the store is synchronous SQLAlchemy), taking a
`Context` and returning a Response.
"""
from __future__ import annotations

import datetime as dt
import functools
import hmac
import logging
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Optional
from urllib.parse import urlencode

import jinja2
import yaml
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

import units
from store import staff
from store.reports import REPORT_TIMEZONE
from store.staff import StaffUser

from . import access
from .filters import MAX_PAGE_SIZE, BadInput, Paging, parse_paging

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
MESSAGES_FILE = HERE / "messages.yml"
SESSION_KEY, CSRF_KEY = "sid", "csrf"
MAX_FORM_FIELDS = 40
MAX_FORM_PART_BYTES = 64 * 1024
log = logging.getLogger(__name__)


@functools.lru_cache(maxsize=1)
def messages() -> dict[str, Any]:
    return yaml.safe_load(MESSAGES_FILE.read_text(encoding="utf-8"))


def error_text(code: str, **values: Any) -> str:
    text = messages()["errors"].get(code) or messages()["errors"]["server_error"]
    return text.format(**values) if values else text


def notice_text(code: str, **values: Any) -> str:
    return messages()["notices"][code].format(**values)


def label(group: str, key: Optional[str]) -> str:
    if not key:
        return messages()["none"]
    return messages().get(group, {}).get(key, key)


def local_time(value: Optional[dt.datetime], fmt: str = "%d/%m/%Y %H:%M") -> str:
    return value.astimezone(REPORT_TIMEZONE).strftime(fmt) if value else ""


def percent(rate) -> str:
    """A scoring.Rate as 92,09 % (803/872)."""
    if rate is None or rate.percent is None:
        return f"– ({getattr(rate, 'numerator', 0)}/{getattr(rate, 'denominator', 0)})"
    return f"{rate.percent:.2f}".replace(".", ",") + f" % ({rate.numerator}/{rate.denominator})"


def decimal(value, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}".replace(".", ",")


def unit_name(code: Optional[str]) -> str:
    directory = units.directory()
    if not code:
        return messages()["none"]
    return directory.units[code].label() if code in directory else code


@functools.lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.globals.update(label=label, local_time=local_time, percent=percent, decimal=decimal, unit_name=unit_name)
    return env


@dataclass
class Context:
    """One request as a page sees it."""

    request: Request
    user: Optional[StaffUser]
    form: Optional[FormData]
    settings: Any
    notices: list[str] = field(default_factory=list)

    @property
    def params(self) -> Mapping[str, str]:
        return self.request.query_params

    @property
    def root(self) -> str:
        return self.request.scope.get("root_path", "")

    def url(self, path: str, query: Optional[Mapping[str, Any]] = None) -> str:
        clean = {k: v for k, v in (query or {}).items() if v not in (None, "")}
        return self.root + path + (("?" + urlencode(clean)) if clean else "")

    def field(self, name: str) -> str:
        value = self.form.get(name) if self.form is not None else None
        return value.strip() if isinstance(value, str) else ""

    def scope(self, unit: Optional[str] = None) -> access.Scope:
        return access.authorise(self.user, unit)

    def paging(self) -> Paging:
        """The page asked for, with a notice when the page size had to be capped."""
        paging = parse_paging(self.params)
        if paging.capped:
            self.notices.append(notice_text("page_size_capped", size=MAX_PAGE_SIZE))
        return paging

    def render(self, template: str, status_code: int = 200, **values: Any) -> HTMLResponse:
        return render(self, template, status_code, **values)

    def redirect(self, path: str, query: Optional[Mapping[str, Any]] = None) -> RedirectResponse:
        return RedirectResponse(self.url(path, query), status_code=303)


def csrf_token(request: Request) -> str:
    token = request.session.get(CSRF_KEY)
    if not isinstance(token, str) or len(token) < 32:
        token = secrets.token_urlsafe(32)
        request.session[CSRF_KEY] = token
    return token


def demo_data_present() -> bool:
    """Whether the clearly marked demo ratings are in the database (the banner shows then)."""
    try:
        from store.demo import has_demo_data
    except ImportError:
        return False
    try:
        return bool(has_demo_data())
    except Exception:  # the banner must never take a page down
        log.exception("could not tell whether demo data is present")
        return False


def render(ctx: Context, template: str, status_code: int = 200, **values: Any) -> HTMLResponse:
    user = ctx.user
    nav = []
    if user is not None:
        nav = [("/reports", "Báo cáo"), ("/comments", "Góp ý"), ("/alerts", "Cảnh báo"),
               ("/questions", "Câu hỏi chưa trả lời"), ("/qr", "Mã QR")]
        if access.may_manage_accounts(user):
            nav.append(("/accounts", "Tài khoản"))
    page = environment().get_template(template).render(
        ctx=ctx, user=user, csrf=csrf_token(ctx.request), nav=nav, path=ctx.request.url.path[len(ctx.root):],
        notices=ctx.notices, demo=user is not None and demo_data_present(),
        demo_units=units.directory().demo, **values)
    return HTMLResponse(page, status_code=status_code)


def error_page(ctx: Context, status: int, code: str, **values: Any) -> HTMLResponse:
    return render(ctx, "error.html", status, message=error_text(code, **values))


def client_address(request: Request) -> Optional[str]:
    return request.client.host if request.client else None


def current_user(request: Request) -> Optional[StaffUser]:
    return staff.session_user(request.session.get(SESSION_KEY))


def _csrf_ok(request: Request, form: Optional[FormData]) -> bool:
    expected = request.session.get(CSRF_KEY)
    given = form.get("csrf") if form is not None else None
    return (isinstance(expected, str) and isinstance(given, str) and len(expected) >= 32
            and hmac.compare_digest(expected.encode(), given.encode()))


def _run(handler: Callable[[Context], Response], level: str, request: Request, form: Optional[FormData]) -> Response:
    ctx = Context(request=request, user=None, form=form, settings=request.app.state.settings)
    try:
        ctx.user = current_user(request)
        if request.method == "POST" and not _csrf_ok(request, form):
            return error_page(ctx, 403, "csrf")
        if level != "public" and ctx.user is None:
            if request.method == "GET":
                return ctx.redirect("/login", {"next": request.url.path[len(ctx.root):] + (
                    "?" + request.url.query if request.url.query else "")})
            return ctx.redirect("/login")
        if level == "admin" and not access.may_manage_accounts(ctx.user):
            return error_page(ctx, 403, "admin_only")
        return handler(ctx)
    except access.Denied as denied:
        return error_page(ctx, 403, denied.code)
    except access.UnknownUnit:
        return error_page(ctx, 404, "unknown_unit")
    except BadInput as bad:
        return error_page(ctx, 400, bad.code)


def page(handler: Callable[[Context], Response], level: str) -> Callable:
    """The endpoint for a page function; `level` is public, signed_in or admin."""
    async def endpoint(request: Request) -> Response:
        form = None
        if request.method == "POST":
            try:
                form = await request.form(max_files=0, max_fields=MAX_FORM_FIELDS, max_part_size=MAX_FORM_PART_BYTES)
            except Exception:  # malformed body, too many fields, a file: all the same to us
                ctx = Context(request=request, user=None, form=None, settings=request.app.state.settings)
                return await run_in_threadpool(error_page, ctx, 400, "bad_form")
        return await run_in_threadpool(_run, handler, level, request, form)

    endpoint.__name__ = handler.__name__
    return endpoint
