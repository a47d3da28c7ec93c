"""Account management for admins: list, create (with a generated password shown once), disable and
re-enable. The CLI (`python -m bot.dashboard user …`) does the same through `store.staff`."""
from __future__ import annotations

from starlette.responses import Response

from store import staff
from store.models import STAFF_ROLES

from .reports import unit_choices
from .web import Context, error_text, notice_text


def _page(ctx: Context, status: int = 200, error: str | None = None, form: dict | None = None) -> Response:
    return ctx.render("accounts.html", status, accounts=staff.list_accounts(), roles=STAFF_ROLES,
                      unit_choices=unit_choices(ctx), error=error, form=form or {})


def accounts_page(ctx: Context) -> Response:
    return _page(ctx)


def account_create(ctx: Context) -> Response:
    form = {name: ctx.field(name)[:200] for name in ("username", "display_name", "role", "unit")}
    password = staff.generate_password()
    try:
        created = staff.create_account(form["username"], form["role"], form["unit"], password,
                                       form["display_name"] or None)
    except staff.AccountError as error:
        return _page(ctx, 400, error_text(error.code), form)
    ctx.notices.append(notice_text("account_created", username=created.username, password=password))
    return _page(ctx)


def account_active(active: bool):
    def page(ctx: Context) -> Response:
        username = ctx.request.path_params["username"]
        if not active and ctx.user is not None and username == ctx.user.username:
            return _page(ctx, 400, error_text("own_account"))
        try:
            changed = staff.set_active(username, active)
        except staff.AccountError as error:
            return _page(ctx, 404, error_text(error.code))
        ctx.notices.append(notice_text("account_enabled" if active else "account_disabled",
                                       username=changed.username))
        return _page(ctx)

    page.__name__ = "account_enable" if active else "account_disable"
    return page
