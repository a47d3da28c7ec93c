"""QR codes for survey links, and the printable A4 desk poster (PNG and PDF) that carries one.

The poster is laid out once (`poster_layout`: rectangles, lines of text and the QR, in millimetres on
A4 portrait, measured with the same TTF the renderers use) and drawn by two small renderers: Pillow for
PNG and fpdf2 for PDF, so both outputs look the same. Vietnamese needs a Unicode font: DejaVu Sans from
Debian's fonts-dejavu-core (`POSTER_FONT_DIR` to use another folder holding the same files). Texts come
from posters.yml.
"""
from __future__ import annotations

import functools
import io
import os
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Union

import segno
import yaml

TEXTS_FILE = Path(__file__).with_name("posters.yml")
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_PACKAGE = "fonts-dejavu-core"
FONT_FILES = {"regular": "DejaVuSans.ttf", "bold": "DejaVuSans-Bold.ttf", "mono": "DejaVuSansMono.ttf"}
MAX_URL_CHARS = 1000  # a longer link makes a QR too dense to scan from a printed page
QR_ERROR = "m"  # 15 % of the code may be damaged (a worn or creased poster) and still scan

PAGE_W, PAGE_H, MARGIN = 210.0, 297.0, 15.0  # A4 portrait, millimetres
PT = 25.4 / 72  # one typographic point in millimetres
LEADING = 1.3
PNG_DPI = 200
NAVY, RED, INK, GREY, WHITE, PALE = "#12355b", "#b3261e", "#1b1b1b", "#555555", "#ffffff", "#eef2f7"
Colour = str


class FontMissing(RuntimeError):
    """The poster font is not installed."""


# ------------------------------------------------------------------ QR codes
def _qr(url: str) -> segno.QRCode:
    if not isinstance(url, str) or not url.strip():
        raise ValueError("a QR code needs the survey link")
    url = url.strip()
    if not url.lower().startswith(("https://", "http://")):
        raise ValueError(f"the survey link must start with https:// or http://, not {url[:40]!r}")
    if len(url) > MAX_URL_CHARS:
        raise ValueError(f"the survey link is {len(url)} characters long; at most {MAX_URL_CHARS} fit a QR code "
                         "that still scans from a poster")
    return segno.make(url, error=QR_ERROR, boost_error=True, micro=False)


def qr_matrix(url: str) -> tuple[tuple[bool, ...], ...]:
    """The QR's modules (True = dark), without the quiet zone."""
    return tuple(tuple(bool(v) for v in row) for row in _qr(url).matrix)


def qr_svg(url: str, scale: int = 4) -> str:
    """An inline SVG (for the dossier QR a desk officer shows on screen), with the 4-module quiet zone."""
    return _qr(url).svg_inline(scale=scale, border=4, dark="#000", light="#fff", title=url.strip())


def qr_png(url: str, scale: int = 10) -> bytes:
    """A PNG of the QR code, `scale` pixels per module, with the 4-module quiet zone."""
    if not isinstance(scale, int) or not 1 <= scale <= 100:
        raise ValueError("scale is 1 to 100 pixels per module")
    out = io.BytesIO()
    _qr(url).save(out, kind="png", scale=scale, border=4, dark="#000", light="#fff")
    return out.getvalue()


# ------------------------------------------------------------------ fonts and texts
@functools.lru_cache(maxsize=1)
def texts() -> dict:
    return yaml.safe_load(TEXTS_FILE.read_text(encoding="utf-8"))


def font_path(style: str) -> Path:
    folder = Path(os.environ.get("POSTER_FONT_DIR") or FONT_DIR)
    path = folder / FONT_FILES[style]
    if not path.is_file():
        raise FontMissing(f"the poster font {path} is missing: install the Debian package {FONT_PACKAGE} "
                          f"(apt-get install {FONT_PACKAGE}, scripts/setup does it) or set POSTER_FONT_DIR to a "
                          f"folder with {', '.join(FONT_FILES.values())}")
    return path


@functools.lru_cache(maxsize=None)
def _pil_font(style: str, pixels: int):
    from PIL import ImageFont

    return ImageFont.truetype(str(font_path(style)), pixels)


def text_width(text: str, style: str, size: float) -> float:
    """Width in millimetres of one line at `size` points (measured at 1000 px for precision)."""
    return _pil_font(style, 1000).getlength(text) / 1000 * size * PT


def wrap(text: str, style: str, size: float, width: float) -> list[str]:
    """Lines no wider than `width` mm: broken at spaces, and inside a word (a link) only when it must."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if text_width(candidate, style, size) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            line = ""
            for char in word:  # a word wider than the line: cut it where it overflows
                if line and text_width(line + char, style, size) > width:
                    lines.append(line)
                    line = ""
                line += char
        lines.append(line)
    return lines


# ------------------------------------------------------------------ layout
@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float
    colour: Colour


@dataclass(frozen=True)
class Line:
    """One line of text; (x, y) is the left end of the line box's vertical middle."""

    x: float
    y: float
    text: str
    style: str
    size: float
    colour: Colour


@dataclass(frozen=True)
class QR:
    x: float
    y: float
    size: float  # the modules' square, without the quiet zone
    matrix: tuple[tuple[bool, ...], ...]


Op = Union[Box, Line, QR]


@dataclass(frozen=True)
class Poster:
    ops: tuple[Op, ...]
    title: str

    @property
    def qr(self) -> QR:
        return next(op for op in self.ops if isinstance(op, QR))


def _clean(text: Optional[str]) -> str:
    # NFC: precomposed Vietnamese letters, which the font draws as one glyph each
    return " ".join(unicodedata.normalize("NFC", text or "").split())


class _Flow:
    """Places lines top to bottom, centred or left-aligned, in a column of the page."""

    def __init__(self, y: float):
        self.y = y
        self.ops: list[Op] = []

    def text(self, text: str, style: str, size: float, colour: Colour, *, left: float = MARGIN,
             width: float = PAGE_W - 2 * MARGIN, centre: bool = True, indent: str = "") -> None:
        height = size * PT * LEADING
        for number, line in enumerate(wrap(text, style, size, width - text_width(indent, style, size))):
            shown = (indent if number == 0 else "") + line
            x = left + (width - text_width(shown, style, size)) / 2 if centre else left + (
                0 if number == 0 else text_width(indent, style, size))
            self.ops.append(Line(x, self.y + height / 2, shown, style, size, colour))
            self.y += height

    def gap(self, mm: float) -> None:
        self.y += mm


def poster_layout(unit, desk, url: str) -> Poster:
    """Every element of the desk poster in millimetres on A4 portrait."""
    t = texts()
    matrix = qr_matrix(url)
    unit_name, desk_name = _clean(unit.name), _clean(desk.name)
    url = url.strip()

    top = _Flow(12)
    top.text(unit_name, "bold", 17, WHITE)
    band = Box(0, 0, PAGE_W, top.y + 8, NAVY)

    head = _Flow(band.h + 10)
    head.text(_clean(t["heading"]).upper(), "bold", 26, NAVY)
    head.text(_clean(t["subheading"]), "regular", 15, NAVY)
    head.gap(5)
    head.text(desk_name, "bold", 20, RED)
    head.gap(2)

    # below the QR, measured first so the QR takes whatever height is left
    below = _Flow(0)
    below.gap(3)
    below.text(_clean(t["link"]), "regular", 9.5, GREY)
    below.text(url, "mono", 9.5, INK)
    below.gap(6)
    below.text(_clean(t["scan"]), "bold", 15, NAVY)
    below.gap(2)
    for number, step in enumerate(t["steps"], start=1):
        below.text(_clean(step), "regular", 12, INK, left=MARGIN + 10, width=PAGE_W - 2 * MARGIN - 20,
                   centre=False, indent=f"{number}. ")
        below.gap(1)
    below.gap(2)
    below.text(_clean(t["english"]), "regular", 11, GREY)

    footer = _Flow(0)
    footer.text(_clean(t["hotline"].format(hotline=unit.hotline)), "bold", 13, NAVY)
    footer_h = footer.y + 12
    footer_box = Box(0, PAGE_H - footer_h, PAGE_W, footer_h, PALE)

    # the QR and its quiet zone (4 modules each side) take what is left between the heading and the texts below
    available = footer_box.y - 4 - head.y - below.y
    side = min(115.0, available / (1 + 8 / len(matrix)))
    if side < 50:  # a unit and desk name so long that the code would be too small to scan from a step away
        raise ValueError("the unit and desk names are too long to leave room for the QR code on one A4 page")
    quiet = side * 4 / len(matrix)
    qr = QR((PAGE_W - side) / 2, head.y + quiet, side, matrix)

    ops: list[Op] = [band, *top.ops, *head.ops, Box(qr.x - quiet, qr.y - quiet, side + 2 * quiet, side + 2 * quiet,
                                                    WHITE), qr]
    ops += [Line(op.x, op.y + qr.y + side + quiet, op.text, op.style, op.size, op.colour) for op in below.ops]
    ops += [footer_box]
    ops += [Line(op.x, op.y + footer_box.y + 6, op.text, op.style, op.size, op.colour) for op in footer.ops]
    title = _clean(t["title"].format(unit=unit_name, desk=desk_name))
    return Poster(tuple(ops), title)


# ------------------------------------------------------------------ renderers
def qr_pixels(qr: QR, dpi: int = PNG_DPI) -> tuple[int, int, int]:
    """(left, top, pixels per module) of the QR in the PNG: whole pixels per module keep it sharp."""
    scale = dpi / 25.4
    module = max(1, int(qr.size * scale / len(qr.matrix)))
    offset = (qr.size * scale - module * len(qr.matrix)) / 2
    return round(qr.x * scale + offset), round(qr.y * scale + offset), module


def desk_poster_png(unit, desk, url: str, dpi: int = PNG_DPI) -> bytes:
    """The poster as an A4 PNG at `dpi` (200 by default: sharp on an office printer, ~1654 × 2339 px)."""
    from PIL import Image, ImageDraw

    poster = poster_layout(unit, desk, url)
    scale = dpi / 25.4
    image = Image.new("RGB", (round(PAGE_W * scale), round(PAGE_H * scale)), WHITE)
    draw = ImageDraw.Draw(image)
    for op in poster.ops:
        if isinstance(op, Box):
            draw.rectangle([round(op.x * scale), round(op.y * scale), round((op.x + op.w) * scale) - 1,
                            round((op.y + op.h) * scale) - 1], fill=op.colour)
        elif isinstance(op, Line):
            font = _pil_font(op.style, round(op.size * PT * scale))
            draw.text((op.x * scale, op.y * scale), op.text, font=font, fill=op.colour, anchor="lm")
        else:
            left, top, module = qr_pixels(op, dpi)
            for row, modules in enumerate(op.matrix):
                for column, dark in enumerate(modules):
                    if dark:
                        x, y = left + column * module, top + row * module
                        draw.rectangle([x, y, x + module - 1, y + module - 1], fill="#000000")
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(dpi, dpi))  # optimize=True: 3 × slower for 4 % smaller
    return out.getvalue()


def desk_poster_pdf(unit, desk, url: str) -> bytes:
    """The poster as a one-page A4 PDF, text as real (selectable) text and the QR drawn as vector squares."""
    from fpdf import FPDF

    poster = poster_layout(unit, desk, url)
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    for style, name in (("regular", ""), ("bold", "B")):
        pdf.add_font("DejaVu", name, str(font_path(style)))
    pdf.add_font("DejaVuMono", "", str(font_path("mono")))
    pdf.set_title(poster.title)
    pdf.set_creator("tthc-assistant dashboard")
    pdf.set_lang("vi")
    pdf.add_page()
    for op in poster.ops:
        if isinstance(op, Box):
            pdf.set_fill_color(op.colour)
            pdf.rect(op.x, op.y, op.w, op.h, style="F")
        elif isinstance(op, Line):
            family, style = ("DejaVuMono", "") if op.style == "mono" else ("DejaVu", "B" if op.style == "bold" else "")
            pdf.set_font(family, style, op.size)
            pdf.set_text_color(op.colour)
            height = op.size * PT * LEADING
            pdf.set_xy(op.x, op.y - height / 2)
            pdf.cell(text_width(op.text, op.style, op.size) + 1, height, op.text)
        else:
            pdf.set_fill_color(0, 0, 0)
            module = op.size / len(op.matrix)
            for row, modules in enumerate(op.matrix):
                column = 0
                while column < len(modules):  # one rectangle per run of dark modules: smaller, no seams
                    if not modules[column]:
                        column += 1
                        continue
                    start = column
                    while column < len(modules) and modules[column]:
                        column += 1
                    # a hair of overlap downwards hides the seams some viewers draw between rows
                    pdf.rect(op.x + start * module, op.y + row * module, (column - start) * module, module + 0.02,
                             style="F")
    return bytes(pdf.output())
