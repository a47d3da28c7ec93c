"""Alerts from "Không hài lòng" and reports of abusive treatment: the list per unit and status, moving an
alert new → in progress → handled with a handling note, and the CSV/XLSX download. An alert is
changed only after checking its unit against the account's reach."""
from __future__ import annotations

import re

from starlette.responses import Response

from store import alerts as store_alerts
from store import dashboard_queries as queries
from store.models import ALERT_STATUSES

from . import access
from .downloads import download, filename
from .filters import PERIOD_KINDS, BadInput, parse_choice, parse_period
from .procedures import procedure_label
from .reports import unit_choices
from .web import Context, error_page, label, local_time, notice_text, unit_name

MAX_NOTE_CHARS = 4000
EXPORT_ROWS = 10_000
_ID = re.compile(r"^[1-9][0-9]{0,17}$")


def _request(ctx: Context):
    scope = ctx.scope(ctx.params.get("unit"))
    status = parse_choice(ctx.params, "status", ALERT_STATUSES, "bad_status")
    # alerts are worked through until handled: no period unless one is asked for
    choice = parse_period(ctx.params) if ctx.params.get("period") else None
    return scope, status, choice


def alerts_page(ctx: Context) -> Response:
    scope, status, choice = _request(ctx)
    paging = ctx.paging()
    if ctx.params.get("saved") == "1":
        ctx.notices.append(notice_text("alert_saved"))
    found = queries.alerts(scope.rows, choice.period if choice else None, status=status, page=paging.page,
                           size=paging.size)
    counts = queries.alert_counts(scope.rows)
    query = {"unit": scope.unit, "status": status, **(choice.query() if choice else {}),
             "size": paging.size if paging.size != 50 else None}
    return ctx.render("alerts.html", found=found, scope=scope, status=status, statuses=ALERT_STATUSES,
                      counts=counts, unit_choices=unit_choices(ctx), choice=choice, kinds=PERIOD_KINDS,
                      query=query, procedure_label=procedure_label, error=None)


def alert_update(ctx: Context) -> Response:
    """POST /alerts/{id}: status and handling note."""
    alert_id = ctx.request.path_params["alert_id"]
    unit = queries.alert_unit(int(alert_id)) if _ID.match(alert_id) else None
    if unit is None:
        return error_page(ctx, 404, "unknown_alert")
    try:
        access.authorise(ctx.user, unit)
    except access.Denied:
        return error_page(ctx, 404, "unknown_alert")  # another unit's alert is not even confirmed to exist
    status = ctx.field("status")
    note = ctx.field("note")
    if status not in ALERT_STATUSES:
        raise BadInput("bad_status")
    if len(note) > MAX_NOTE_CHARS:
        raise BadInput("note_too_long")
    if status == "handled" and not note:
        raise BadInput("note_required")
    store_alerts.update_alert(int(alert_id), status, note or None)
    back = ctx.field("back")
    target = back if back.startswith("/alerts") and len(back) < 600 and "//" not in back else "/alerts"
    separator = "&" if "?" in target else "?"
    return ctx.redirect(f"{target}{separator}saved=1")


def alerts_download(ctx: Context, fmt: str) -> Response:
    scope, status, choice = _request(ctx)

    def tables() -> list:
        from .exports import Column, Table

        found = queries.alerts(scope.rows, choice.period if choice else None, status=status, page=1,
                               size=EXPORT_ROWS)
        title = f"Cảnh báo – {unit_name(scope.unit)}" + (f" – {choice.period}" if choice else "")
        return [Table(title, [Column("Số", "int"), Column("Thời gian"), Column("Mã đơn vị"), Column("Đơn vị"),
                              Column("Lý do"), Column("Trạng thái"), Column("Thủ tục"), Column("Mã hồ sơ"),
                              Column("Góp ý", width=60), Column("Ghi chú xử lý", width=60),
                              Column("Cập nhật lúc")],
                      [[row.id, local_time(row.created_at), row.unit, unit_name(row.unit),
                        ", ".join(label("alert_reasons", r) for r in row.reasons), label("alert_statuses", row.status),
                        procedure_label(row.procedure_id), row.dossier_code or "", row.comment or "", row.note or "",
                        local_time(row.updated_at)] for row in found.rows], sheet="Cảnh báo")]

    name = filename("canh-bao", scope.unit, choice.start, choice.end, fmt) if choice else f"canh-bao-{scope.unit}.{fmt}"
    return download(ctx, fmt, name, tables)
