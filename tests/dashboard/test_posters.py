"""QR codes and desk posters. No QR decoder is installed here (zbar, OpenCV), so the images are read back
module by module and compared with segno's own matrix for the URL; the PDF's text is extracted through
its ToUnicode maps, which is what copy-paste and screen readers use."""
from __future__ import annotations

import io
import re
import zlib

import pytest
import segno
from PIL import Image

import units
from bot.dashboard import posters

URL = "https://dichvu.example.vn/demo?unit=demo-xa-song-xanh&survey=1AbCdEfGhIjKlMnOp1234"


@pytest.fixture
def unit_and_desk():
    unit = units.directory().units["demo-xa-song-xanh"]
    return unit, unit.desks[0]


def segno_matrix(url: str) -> list[list[bool]]:
    return [[bool(v) for v in row] for row in segno.make(url, error="m", boost_error=True, micro=False).matrix]


def read_modules(image: Image.Image, left: int, top: int, module: int, count: int) -> list[list[bool]]:
    grey = image.convert("L")
    return [[grey.getpixel((left + c * module + module // 2, top + r * module + module // 2)) < 128
             for c in range(count)] for r in range(count)]


def test_qr_png_reads_back_as_the_urls_code():
    image = Image.open(io.BytesIO(posters.qr_png(URL, scale=6)))
    expected = segno_matrix(URL)
    n = len(expected)
    assert image.size == ((n + 8) * 6, (n + 8) * 6)  # 4-module quiet zone each side
    assert read_modules(image, 4 * 6, 4 * 6, 6, n) == expected
    assert posters.qr_matrix(URL) == tuple(tuple(r) for r in expected)


def test_qr_svg_is_an_svg_of_the_same_size():
    svg = posters.qr_svg(URL)
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    n = len(segno_matrix(URL)) + 8
    assert f'width="{n * 4}"' in svg


@pytest.mark.parametrize("bad", ["", "   ", None, "javascript:alert(1)", "ftp://x", "https://x/" + "a" * 2000])
def test_bad_links_are_refused_with_a_message(bad):
    with pytest.raises(ValueError, match="survey link|QR"):
        posters.qr_png(bad)


def test_desk_poster_png_is_a4_and_its_qr_scans_as_the_url(unit_and_desk):
    unit, desk = unit_and_desk
    image = Image.open(io.BytesIO(posters.desk_poster_png(unit, desk, URL)))
    assert image.format == "PNG"
    width, height = image.size
    assert abs(height / width - 297 / 210) < 0.01
    assert round(image.info["dpi"][0]) == posters.PNG_DPI

    layout = posters.poster_layout(unit, desk, URL)
    expected = segno_matrix(URL)
    left, top, module = posters.qr_pixels(layout.qr)
    assert module >= 10  # ≥ 1.2 mm per module at 200 dpi: scans from arm's length
    assert read_modules(image, left, top, module, len(expected)) == expected
    # the quiet zone around the code is white
    grey = image.convert("L")
    for offset in range(1, 4 * module, module):
        assert grey.getpixel((left - offset, top + module)) > 200
        assert grey.getpixel((left + module, top - offset)) > 200


def test_poster_texts_unit_desk_url_and_hotline_are_on_the_page(unit_and_desk):
    unit, desk = unit_and_desk
    lines = [op.text for op in posters.poster_layout(unit, desk, URL).ops if isinstance(op, posters.Line)]
    page = "\n".join(lines)
    assert unit.name in page and desk.name in page
    assert URL in page.replace("\n", "")
    assert unit.hotline in page
    assert "English" in page
    for op in posters.poster_layout(unit, desk, URL).ops:
        if isinstance(op, posters.Line):  # nothing runs off the page
            assert 0 <= op.x and op.x + posters.text_width(op.text, op.style, op.size) <= posters.PAGE_W
            assert 0 < op.y < posters.PAGE_H


def test_long_names_and_links_wrap_and_still_fit(unit_and_desk):
    unit, desk = unit_and_desk
    long_unit = units.Unit(**{**unit.__dict__, "name": "Trung tâm Phục vụ hành chính công " * 4})
    long_url = "https://dichvu.example.vn/khao-sat?" + "&".join(f"tham-so-{i}=gia-tri-{i}" for i in range(12))
    layout = posters.poster_layout(long_unit, desk, long_url)
    lines = [op for op in layout.ops if isinstance(op, posters.Line)]
    assert max(op.x + posters.text_width(op.text, op.style, op.size) for op in lines) <= posters.PAGE_W
    assert max(op.y for op in lines) < posters.PAGE_H
    assert layout.qr.size >= 50
    assert "".join(op.text for op in lines if op.style == "mono") == long_url
    assert_nothing_overlaps(layout)


def line_box(op: posters.Line) -> tuple[float, float, float, float]:
    half = op.size * posters.PT * posters.LEADING / 2
    return op.x, op.y - half, op.x + posters.text_width(op.text, op.style, op.size), op.y + half


def assert_nothing_overlaps(layout: posters.Poster) -> None:
    """No line of text runs into another, into the QR's quiet zone, or across the footer's edge."""
    qr = layout.qr
    quiet = qr.size * 4 / len(qr.matrix)
    boxes = [(qr.x - quiet, qr.y - quiet, qr.x + qr.size + quiet, qr.y + qr.size + quiet)]
    footer = [op for op in layout.ops if isinstance(op, posters.Box)][-1]
    for op in layout.ops:
        if isinstance(op, posters.Line):
            box = line_box(op)
            assert box[1] >= footer.y or box[3] <= footer.y, op.text
            for other in boxes:
                apart = (box[2] <= other[0] or other[2] <= box[0] or box[3] <= other[1] + 0.01
                         or other[3] <= box[1] + 0.01)
                assert apart, (op.text, other)
            boxes.append(box)


def test_the_usual_poster_has_no_overlaps(unit_and_desk):
    assert_nothing_overlaps(posters.poster_layout(*unit_and_desk, URL))


# ------------------------------------------------------------------ PDF, read back without a PDF library
def _objects(pdf: bytes) -> dict[int, tuple[bytes, bytes]]:
    """{object number: (dictionary text, decompressed stream or b"")}."""
    found = {}
    for match in re.finditer(rb"(\d+) 0 obj\s*(.*?)endobj", pdf, re.S):
        body = match.group(2)
        stream = b""
        if b"stream" in body:
            head, rest = body.split(b"stream", 1)
            stream = rest.lstrip(b"\r\n").rsplit(b"endstream", 1)[0].rstrip(b"\r\n")
            if b"/FlateDecode" in head:
                stream = zlib.decompress(stream)
            body = head
        found[int(match.group(1))] = (body, stream)
    return found


def _cmap(stream: bytes) -> dict[int, str]:
    mapping = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", stream, re.S):
        for code, text in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            mapping[int(code, 16)] = bytes.fromhex(text.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", stream, re.S):
        for low, high, start in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                mapping[code] = chr(int(start, 16) + offset)
    return mapping


def _literal_strings(content: bytes):
    """(font name, raw bytes) of every `(…) Tj` in a content stream, escapes resolved."""
    font, i = None, 0
    escapes = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}
    while i < len(content):
        if content[i:i + 1] == b"/":
            match = re.match(rb"/(\w+)\s+[\d.]+\s+Tf", content[i:])
            if match:
                font = match.group(1).decode()
                i += match.end()
                continue
        if content[i:i + 1] == b"(":
            out, depth, i = bytearray(), 1, i + 1
            while depth:
                ch = content[i:i + 1]
                if ch == b"\\":
                    nxt = content[i + 1:i + 2]
                    octal = re.match(rb"[0-7]{1,3}", content[i + 1:i + 4])
                    if octal:
                        out.append(int(octal.group(0), 8))
                        i += 1 + len(octal.group(0))
                        continue
                    out += escapes.get(nxt, nxt)
                    i += 2
                    continue
                depth += {b"(": 1, b")": -1}.get(ch, 0)
                if depth:
                    out += ch
                i += 1
            yield font, bytes(out)
            continue
        i += 1


def pdf_text(pdf: bytes) -> str:
    objects = _objects(pdf)
    fonts = {}
    for body, _ in objects.values():
        for name, number in re.findall(rb"/(F\d+)\s+(\d+) 0 R", body):
            unicode_ref = re.search(rb"/ToUnicode (\d+) 0 R", objects[int(number)][0])
            fonts[name.decode()] = _cmap(objects[int(unicode_ref.group(1))][1])
    lines = []
    for body, stream in objects.values():
        if b" Tj" in stream:
            for font, raw in _literal_strings(stream):
                cmap = fonts[font]
                lines.append("".join(cmap.get(int.from_bytes(raw[k:k + 2], "big"), "?") for k in range(0, len(raw), 2)))
    return "\n".join(lines)


def test_desk_poster_pdf_is_one_a4_page_with_the_texts(unit_and_desk):
    unit, desk = unit_and_desk
    pdf = posters.desk_poster_pdf(unit, desk, URL)
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert len(re.findall(rb"/Type /Page\b", pdf)) == 1
    assert b"/MediaBox [0 0 595.28 841.89]" in pdf  # A4 portrait in points
    text = pdf_text(pdf)
    assert unit.name in text and desk.name in text
    assert unit.hotline in text
    assert URL in text.replace("\n", "")
    assert "ĐÁNH GIÁ MỨC ĐỘ HÀI LÒNG" in text


def test_a_missing_font_names_the_package(unit_and_desk, monkeypatch, tmp_path):
    monkeypatch.setenv("POSTER_FONT_DIR", str(tmp_path))
    posters._pil_font.cache_clear()
    try:
        with pytest.raises(posters.FontMissing, match="fonts-dejavu-core"):
            posters.desk_poster_pdf(*unit_and_desk, URL)
        with pytest.raises(posters.FontMissing, match="fonts-dejavu-core"):
            posters.desk_poster_png(*unit_and_desk, URL)
    finally:
        posters._pil_font.cache_clear()
