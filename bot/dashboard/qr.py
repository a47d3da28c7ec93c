"""Survey QR codes: a printable poster (PNG, PDF) per desk of the account's units, and a one-dossier link
a desk officer issues and shows on screen as a QR. Links are `PUBLIC_BASE_URL?survey=TOKEN`, which the
web widget opens as the survey of that invitation."""
from __future__ import annotations

import base64
import logging

from starlette.responses import Response

import units
from store import surveys

from . import access
from .filters import BadInput
from .web import Context, error_page, error_text

logger = logging.getLogger(__name__)

POSTER_CHANNEL = "poster"
SCREEN_CHANNEL = "screen"


def _desks(ctx: Context) -> list[tuple[units.Unit, list[units.Desk]]]:
    directory = units.directory()
    return [(directory.units[code], list(directory.units[code].desks)) for code in access.visible_units(ctx.user)
            if directory.units[code].desks]


def _desk(ctx: Context, unit_code: str, desk_code: str) -> tuple[units.Unit, units.Desk]:
    access.authorise(ctx.user, unit_code)
    unit = units.directory().units[unit_code]
    desk = next((d for d in unit.desks if d.code == desk_code), None)
    if desk is None:
        raise BadInput("unknown_desk")
    return unit, desk


def qr_page(ctx: Context) -> Response:
    return ctx.render("qr.html", desks=_desks(ctx), issued=None, form={}, error=None)


def poster(ctx: Context, fmt: str) -> Response:
    unit, desk = _desk(ctx, ctx.request.path_params["unit"], ctx.request.path_params["desk"])
    from . import posters

    invitation = surveys.desk_invitation(unit.code, desk.code, POSTER_CHANNEL)
    url = invitation.widget_url(ctx.settings.public_base_url)
    try:
        if fmt == "png":
            body, media = posters.desk_poster_png(unit, desk, url), "image/png"
        else:
            body, media = posters.desk_poster_pdf(unit, desk, url), "application/pdf"
    except posters.FontMissing:
        logger.error("desk poster not drawn: %s", "the poster font is missing (apt install fonts-dejavu-core)")
        return error_page(ctx, 503, "poster_unavailable")
    except ValueError as problem:  # names too long for one A4 page
        logger.warning("desk poster not drawn for %s/%s: %s", unit.code, desk.code, problem)
        return error_page(ctx, 422, "poster_too_long")
    name = f"ap-phich-{unit.code}-{desk.code}.{fmt}"
    return Response(body, media_type=media, headers={"Content-Disposition": f'inline; filename="{name}"',
                                                     "Cache-Control": "no-store"})


def poster_for(fmt: str):
    def page(ctx: Context) -> Response:
        return poster(ctx, fmt)

    page.__name__ = f"poster_{fmt}"
    return page


def dossier_link(ctx: Context) -> Response:
    """POST /qr/dossier: unit, desk (optional), dossier code → a one-dossier link and its QR."""
    form = {name: ctx.field(name)[:100] for name in ("unit", "desk", "dossier")}
    scope = ctx.scope(form["unit"] or None)
    unit = units.directory().units[scope.unit]
    desk = form["desk"] or None
    if desk is not None and desk not in {d.code for d in unit.desks}:
        raise BadInput("unknown_desk")
    code = surveys.normalise_dossier_code(form["dossier"])
    if code is None:
        return ctx.render("qr.html", 400, desks=_desks(ctx), issued=None, form=form,
                          error=error_text("bad_dossier"))
    from . import posters

    invitation = surveys.issue_invitation(unit.code, desk=desk, dossier_code=code, channel=SCREEN_CHANNEL)
    url = invitation.widget_url(ctx.settings.public_base_url)
    image = "data:image/png;base64," + base64.b64encode(posters.qr_png(url, scale=8)).decode()
    return ctx.render("qr.html", desks=_desks(ctx), form=form, error=None,
                      issued={"url": url, "image": image, "dossier": code, "unit": unit, "desk": desk})


def unavailable(ctx: Context) -> Response:
    return error_page(ctx, 503, "export_unavailable")
