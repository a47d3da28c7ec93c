"""Import one National Public Service Portal record (crawl 6–7/2026) into a `Procedure` dict.

The crawl flattened the portal's tables into strings; defects are flagged for staff, never guessed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field as dc_field
from typing import Optional

from pydantic import ValidationError

from knowledge_base.schema import Procedure

# The crawl ran in June–July 2026; the last day of that period is the latest date the
# portal text can be vouched for, so it is the record's `updated`.
CRAWL_END = "2026-07-01"
MAX_FIELD_CHARS = 200_000
NO_INFO = "Không có thông tin"

KNOWN_FIELDS = frozenset({
    "ministry_slug", "ma_thu_tuc", "detail_url", "ten_thu_tuc", "so_quyet_dinh", "cap_thuc_hien",
    "loai_thu_tuc", "linh_vuc", "doi_tuong_thuc_hien", "co_quan_co_tham_quyen", "dia_chi_tiep_nhan",
    "co_quan_duoc_uy_quyen", "co_quan_phoi_hop", "thu_tuc_lien_quan", "trinh_tu_thuc_hien",
    "cach_thuc_thuc_hien", "thanh_phan_ho_so", "can_cu_phap_ly", "co_quan_thuc_hien",
    "yeu_cau_dieu_kien", "ket_qua_xu_ly",
})

LEVELS = {"Cấp bộ": "central", "Cấp tỉnh": "province", "Cấp xã": "commune", "Cơ quan khác": "other"}
ABOLISHED_LEVEL = "Cấp huyện"

CHANNEL_KINDS = {"Trực tiếp": "truc_tiep", "Trực tuyến": "truc_tuyen", "Dịch vụ bưu chính": "buu_chinh"}
CHANNEL_NAME = "Trực tiếp|Trực tuyến|Dịch vụ bưu chính"
CHANNEL_LABELS = {kind: label for label, kind in CHANNEL_KINDS.items()}

ABOLISHED_TERMS = re.compile(
    r"sổ hộ khẩu|cấp huyện|(?:UBND|[UỦ]ỷ? ?ban nhân dân)\s+(?:cấp\s+)?huyện", re.IGNORECASE
)


@dataclass
class PortalParse:
    record: Optional[dict]
    flags: list[str] = dc_field(default_factory=list)
    errors: list[tuple[str, str]] = dc_field(default_factory=list)


class _Flags(list):
    """Ordered, de-duplicated flag names."""

    def add(self, name: str) -> None:
        if name not in self:
            self.append(name)


# --------------------------------------------------------------------------- text helpers

def clean(value: object) -> Optional[str]:
    """Portal text, with the portal's "no information" placeholders as None."""
    if value is None:
        return None
    text = re.sub(r"[\uf000-\uf8ff]", "", str(value))  # Word bullet glyphs from copy-paste
    text = text.strip()
    if not text or text.strip(" -.") == "" or text == NO_INFO:
        return None
    return text


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


VND_AMOUNT = re.compile(
    r"(?<![\d.,/])(\d+(?:[.,]\d+)*)\s*(?:Việt Nam Đồng|VNĐ|VND|vnđ|vnd|đồng|Đồng|đ(?!\w))"
)


def amount_value(digits: str) -> float:
    """ "2,000,000" / "2.000.000" -> 2000000; "1,5" -> 1.5 (a lone separator not before 3 digits)."""
    if re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+", digits) or digits.count(",") + digits.count(".") > 1:
        return float(re.sub(r"[.,]", "", digits))
    return float(digits.replace(",", "."))


def vnd_amounts(text: str) -> list[float]:
    """Amounts written with a Vietnamese-dong unit, as numbers ("70,000 VNĐ" -> 70000)."""
    return [amount_value(match.group(1)) for match in VND_AMOUNT.finditer(text)]


# "8.000.000/lần" states a fee without a unit; a plain "Thông tư 64/2025" must not count.
BARE_AMOUNT = re.compile(r"(?<![\d.,/])\d{1,3}(?:[.,]\d{3})+(?=\s*/\s*[^\d\s])|(?<![\d.,/])\d{5,}(?=/[a-zđà-ỹ])")


def states_amount(text: str) -> bool:
    return any(value > 0 for value in vnd_amounts(text)) or bool(BARE_AMOUNT.search(text))


# --------------------------------------------------------------------------- level, agency

def parse_levels(cap_thuc_hien: Optional[str], flags: _Flags) -> list[str]:
    levels: list[str] = []
    for part in (cap_thuc_hien or "").split(","):
        part = part.strip()
        if not part:
            continue
        if part == ABOLISHED_LEVEL:
            flags.add("abolished_district_level")
        elif part in LEVELS:
            if LEVELS[part] not in levels:
                levels.append(LEVELS[part])
        else:
            flags.add(f"unknown_level:{part}")
    if not levels:
        # The schema needs a level; "other" plus a flag keeps the record visible to staff.
        flags.add("level_missing")
        levels = ["other"]
    return levels


def parse_agency(raw: dict) -> dict:
    return {
        "receives": clean(raw.get("dia_chi_tiep_nhan")) or clean(raw.get("co_quan_thuc_hien")),
        "decides": clean(raw.get("co_quan_co_tham_quyen")),
    }


# --------------------------------------------------------------------------- channels

CHANNEL_HEADER = "Hình thức nộpThời gianPhí, lệ phíMô tả"
TIME_UNITS = r"Ngày làm việc|Ngày|Giờ|Tháng|Năm|Tuần|Phút"
CURRENCY = r"Việt Nam Đồng|VNĐ|VND|USD|EUR|đồng|Đồng"
# Some time cells hold a sentence ("Không phải trả kết quả…"); it starts glued and capitalised,
# unlike descriptions that open with a channel name ("Trực tuyến: …", "Trực tiếp nộp…").
_FREE_TIME = rf"[A-ZĐÀ-Ỹ](?:(?!{CHANNEL_NAME})[^\n]){{2,200}}?"
_TIME = (
    rf"\d+(?:[.,]\d+)?\s*(?:{TIME_UNITS})|(?:{TIME_UNITS})|{NO_INFO}|Không quy định"
    rf"|Không\s*|\d+(?:[.,]\d+)?|{_FREE_TIME}"
)
_FEE = rf"Miễn phí|{NO_INFO}|Không|\d[\d.,]*\s*(?:{CURRENCY})"
# A channel name starts a row only when a time cell and a fee cell follow it; descriptions
# such as "Trực tuyến: nộp hồ sơ qua Cổng…" also begin with a channel name.
ROW_START = re.compile(
    rf"({CHANNEL_NAME})(?=(?:{_TIME})(?:{_FEE}))"
)
TIME_CELL = re.compile(
    rf"(?P<num>\d+(?:[.,]\d+)?)\s*(?P<unit>{TIME_UNITS})|(?P<unit_only>{TIME_UNITS})"
    rf"|(?P<text>{NO_INFO}|Không quy định|Không(?=\s*(?:{_FEE})))"
    rf"|(?P<bare>\d+(?:[.,]\d+)?)|(?P<free>{_FREE_TIME})(?={_FEE})"
)
# a "Miễn phí" whose note says the fee is set by the province ("Mức lệ phí cụ thể do Hội đồng nhân dân tỉnh
# quyết định", "Theo quy định của HĐND cấp tỉnh"): 66 portal records; "free" may be wrong there
FEE_SET_BY_PROVINCE = re.compile(
    r"(?:mức (?:thu )?(?:lệ )?phí|lệ phí|phí thẩm định|theo quy định của)[^.;]{0,80}(?:hội đồng nhân dân|hđnd)",
    re.IGNORECASE)
FEE_CELL = re.compile(rf"Miễn phí|{NO_INFO}|Không(?!\w)|\d[\d.,]*\s*(?:{CURRENCY})")
MERGED_TIME_FEE = re.compile(rf"\d[\d.,]*\s*(?:{CURRENCY})")


def _closing_bracket(text: str) -> Optional[int]:
    """Where the bracket `text` opens with closes (nesting allowed); None when it never does."""
    depth = 0
    for index, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0:
            return index
    return None


def split_balanced_parens(text: str) -> tuple[Optional[str], str]:
    """Split a leading "(…)" note (nesting allowed) from the rest of `text`; a note that never closes
    takes the whole text."""
    if not text.startswith("("):
        return None, text
    end = _closing_bracket(text)
    if end is None:
        return text[1:].strip(), ""
    return text[1:end].strip(), text[end + 1:]


def parse_time_cell(row: str, flags: _Flags) -> tuple[Optional[str], str]:
    match = TIME_CELL.match(row)
    if not match:
        return None, row
    rest = row[match.end():]
    if match.group("num"):
        return f"{match.group('num')} {match.group('unit').lower()}", rest
    if match.group("unit_only"):
        flags.add("time_without_number")
        return f"{match.group('unit_only').lower()} (không ghi số)", rest
    if match.group("bare"):
        flags.add("time_without_unit")
        return f"{match.group('bare')} (không ghi đơn vị)", rest
    if match.group("free"):
        return squash(match.group("free")).rstrip("."), rest.lstrip()
    text = match.group("text")
    return (None if text in (NO_INFO, "Không") else text), rest.lstrip()


def parse_fee_cell(row: str, flags: _Flags) -> tuple[Optional[str], Optional[str], str]:
    """(fee as written, its bracketed note, the rest of the row)."""
    match = FEE_CELL.match(row)
    if not match:
        return None, None, row
    fee = match.group(0)
    tail = row[match.end():]
    if tail.startswith("(") and _closing_bracket(tail) is None:
        # the portal's note never closes its bracket: the row's description may be inside it, and
        # where it ends is unknowable, so the note is kept whole and the record says so
        flags.add("fee_note_unclosed")
    note, rest = split_balanced_parens(tail)
    while note and note.startswith("(") and split_balanced_parens(note)[1] == "":
        note = split_balanced_parens(note)[0]
    if note and note.strip(" .").lower() in {"không", "không có", NO_INFO.lower(), ""}:
        note = None
    return (None if fee == NO_INFO else fee), note, rest


def check_fee(fee: Optional[str], texts: list[str], flags: _Flags) -> None:
    said = " ".join(t for t in texts if t)
    if fee in ("Miễn phí", "Không"):
        if states_amount(said):
            flags.add("fee_conflict")
        if FEE_SET_BY_PROVINCE.search(said):
            flags.add("fee_set_by_province")
    if any(0 < amount < 1000 for amount in vnd_amounts(" ".join([fee or "", said]))):
        flags.add("fee_amount_suspicious")


def parse_channel_row(label: str, row: str, url: Optional[str], flags: _Flags) -> dict:
    if MERGED_TIME_FEE.match(row):
        # "Trực tuyến120 VNĐ": a bare time glued to an amount; the split point is unknowable.
        flags.add("time_fee_merged")
        time = None
    else:
        time, row = parse_time_cell(row, flags)
    fee, fee_note, description = parse_fee_cell(row, flags)
    description = clean(description)
    check_fee(fee, [fee_note or "", description or ""], flags)
    channel = {
        "kind": CHANNEL_KINDS[label],
        "processing_time": time,
        "fee": " ".join(part for part in (fee, f"({fee_note})" if fee_note else None) if part) or None,
        "description": description,
    }
    if channel["kind"] == "truc_tuyen" and url:
        channel["online_url"] = url
    return channel


def parse_channels(cach_thuc_thuc_hien: Optional[str], url: Optional[str], flags: _Flags) -> list[dict]:
    text = clean(cach_thuc_thuc_hien)
    if not text:
        return []
    text = text.replace(CHANNEL_HEADER, "", 1)
    starts = list(ROW_START.finditer(text))
    if not starts:
        if clean(text):
            flags.add("channels_unparsed")
        return []
    if clean(text[:starts[0].start()]):
        flags.add("channels_unparsed")
    channels = []
    for index, start in enumerate(starts):
        end = starts[index + 1].start() if index + 1 < len(starts) else len(text)
        channels.append(parse_channel_row(start.group(1), text[start.end():end], url, flags))
    return channels


def summarise_by_channel(channels: list[dict], key: str) -> Optional[str]:
    """The common value, or "Trực tiếp: …; Trực tuyến: …" when channels differ.

    A channel listed twice (one row per case) gets its values joined with "hoặc".
    """
    if not any(channel.get(key) for channel in channels):
        return None
    by_kind: dict[str, list[str]] = {}
    for channel in channels:
        values = by_kind.setdefault(CHANNEL_LABELS[channel["kind"]], [])
        value = channel.get(key) or "chưa có thông tin"
        if value not in values:
            values.append(value)
    order = list(dict.fromkeys(value for values in by_kind.values() for value in values))
    texts = {label: " hoặc ".join(sorted(values, key=order.index)) for label, values in by_kind.items()}
    if len(set(texts.values())) == 1:
        return next(iter(texts.values()))
    return "; ".join(f"{label}: {text}" for label, text in texts.items())


# --------------------------------------------------------------------------- documents

DOCUMENT_HEADER = "Tên giấy tờMẫu đơn, tờ khaiSố lượng"
COUNT = re.compile(
    r"(?P<orig>\d+) ?bản chính(?:, ?(?P<copy_after>\d+) ?bản sao)?"
    r"|(?P<copy>\d+) ?bản sao"
    r"|Bản chính: ?(?P<orig2>\d+),? ?Bản sao: ?(?P<copy2>\d+)"
)
TEMPLATE_FILE = re.compile(r"\.(?:docx|doc|pdf|xlsx|xls|rtf|odt|zip|rar)", re.IGNORECASE)
MAX_TEMPLATE_CHARS = 120


def is_count_cell(text: str, match: re.Match) -> bool:
    """Whether a "1 bản chính" is the Số lượng cell rather than words inside a name.

    Cells are glued to the preceding name; the same words inside a name sit between spaces.
    """
    if match.start() == 0:
        return False
    before = text[match.start() - 1]
    after = text[match.end():match.end() + 1]
    digits = re.match(r"\d+", match.group(0))
    if before == "(":
        return False
    if before.isspace():
        glued_number = bool(digits) and len(digits.group(0)) >= 3
        return glued_number or after == "" or not (after.isspace() or after in ".,;:)")
    return True


def split_count_number(number: str) -> tuple[str, int]:
    """A count glued to a name ending in digits ("…ngày 25/6/20241 bản chính")."""
    if len(number) == 1 or (len(number) == 2 and number.startswith("0")):
        return "", int(number)
    # Portal counts are single digits; the extra leading digits end the document name.
    return number[:-1], int(number[-1])


def count_fields(match: re.Match) -> tuple[str, dict]:
    glued = ""
    if match.group("orig2") is not None:
        originals, copies = int(match.group("orig2")), int(match.group("copy2"))
    elif match.group("orig") is not None:
        glued, originals = split_count_number(match.group("orig"))
        copies = int(match.group("copy_after") or 0)
    else:
        glued, copies = split_count_number(match.group("copy"))
        originals = 0
    if originals and copies:
        # The portal's "1 bản chính, 1 bản sao" is read as "original or copy", as the names
        # of such papers usually say ("Bản chính hoặc bản sao…"); unequal numbers go to the note.
        fields = {"form": "original_or_copy", "copies": max(originals, copies)}
        if originals != copies:
            fields["count_note"] = f"Cổng ghi: {originals} bản chính, {copies} bản sao"
    elif originals:
        fields = {"form": "original", "copies": originals}
    elif copies:
        fields = {"form": "copy", "copies": copies}
    else:
        # "0 bản chính" is the portal's blank, not "no copy needed".
        fields = {}
    return glued, fields


def glue_points(cell: str, end: int) -> list[int]:
    """Positions where two words meet without a space ("…NĐ-CPMẫu", "…;Mẫu", "…giấy.PC22")."""
    points = []
    for position in range(max(1, end - MAX_TEMPLATE_CHARS), end):
        prev, char = cell[position - 1], cell[position]
        nxt = cell[position + 1:position + 2]
        if (
            (prev in ";.):”," and char.isalnum() and not re.search(r"(?<!\S)\d{1,3}\.$", cell[:position]))
            or (prev.isalpha() and prev.islower() and (char.isupper() or char.isdigit()))
            or ((prev.isupper() or prev.isdigit()) and char.isupper() and nxt.islower()
                and cell[position - 1:position + 2] != "TTg")
        ):
            points.append(position)
    return points


def template_start(cell: str) -> int:
    """Where a glued file name ("…NĐ-CPMẫu số 01.docx") begins in the name cell, or -1."""
    end = TEMPLATE_FILE.search(cell).start()
    points = glue_points(cell, end)
    # Prefer a start after which no prose punctuation follows; file names rarely contain ", ".
    for position in points:
        if not re.search(r"[;:,]\s|\.\s+[A-ZĐ]", cell[position:end]):
            return position
    return points[-1] if points else -1


def split_template(cell: str) -> tuple[str, Optional[str]]:
    if not TEMPLATE_FILE.search(cell):
        return cell, None
    start = template_start(cell)
    if start < 0:
        return cell, None
    files = re.findall(rf".+?{TEMPLATE_FILE.pattern}", cell[start:], re.IGNORECASE)
    tail = cell[start + sum(len(f) for f in files):]
    return cell[:start] + tail, "; ".join(f.strip() for f in files) or None


def document_name(text: str) -> Optional[str]:
    name = squash(text).lstrip("-+*•.,;) ").rstrip(" ,;")
    return name or None


def parse_document_row(cell: str, count: Optional[re.Match], case: Optional[str]) -> Optional[dict]:
    glued, fields = count_fields(count) if count else ("", {})
    name, template = split_template(cell + glued)
    name = document_name(name) or template
    if not name:
        return None
    notes = [note for note in (case, fields.pop("count_note", None)) if note]
    document = {"name": name, **fields, "template": template}
    if notes:
        document["note"] = "; ".join(notes)
    return document


def parse_document_group(chunk: str, case: Optional[str]) -> tuple[list[dict], str]:
    """Rows of one table, and the trailing text (the next table's caption, if any)."""
    documents, position = [], 0
    for match in COUNT.finditer(chunk):
        if not is_count_cell(chunk, match):
            continue
        document = parse_document_row(chunk[position:match.start()], match, case)
        if document:
            documents.append(document)
        position = match.end()
    return documents, chunk[position:]


def caption(text: str) -> Optional[str]:
    text = squash(text).strip("-* ")
    return text or None


def parse_documents(thanh_phan_ho_so: Optional[str], flags: _Flags) -> list[dict]:
    text = clean(thanh_phan_ho_so)
    if not text:
        return []
    chunks = text.split(DOCUMENT_HEADER)
    if len(chunks) == 1:
        flags.add("documents_unparsed")
        return [{"name": squash(text).strip("- ")}] if caption(text) else []
    documents: list[dict] = []
    case = caption(chunks[0])
    for index, chunk in enumerate(chunks[1:], start=1):
        rows, tail = parse_document_group(chunk, case)
        documents.extend(rows)
        is_last = index == len(chunks) - 1
        if is_last and caption(tail):
            # Text after the last count: a paper listed without a count.
            flags.add("document_without_count")
            row = parse_document_row(tail, None, case)
            documents.extend([row] if row else [])
        case = caption(tail)
    if not documents and caption(text.replace(DOCUMENT_HEADER, "")):
        flags.add("documents_unparsed")
        documents = [{"name": squash(text.replace(DOCUMENT_HEADER, " ")).strip("- ")}]
    return documents


# --------------------------------------------------------------------------- steps

STEP_MARK = re.compile(
    r"(?:^|(?<=\n)|(?<=\t)|(?<=[.;:]\s)|(?<=[.;:]))[ \t]*(?:[-+*•]|[a-zđ]\)|\d+[.)])?[ \t]*"
    r"Bước\s*(\d+)\b\s*[:.\-–)]?",
    re.IGNORECASE,
)


def join_wrapped_lines(text: str) -> list[str]:
    """Lines, with hard-wrapped continuations (starting lower-case) rejoined."""
    lines: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if lines and line[0].islower() and not re.match(r"[a-zđ]\)", line):
            lines[-1] = f"{lines[-1]} {line}"
        else:
            lines.append(line)
    return lines


def paragraphs(lines: list[str]) -> list[str]:
    """Top-level lines, each with the bullet lines ("- …", "+ …") under it: sub-bullets are not steps.

    When the text itself is a bulleted list, its first bullet character marks the top level.
    """
    steps: list[str] = []
    top = lines[0][0] if lines and lines[0][0] in "-+*•" else ""
    for line in lines:
        if steps and line[0] in "-+*•" and line[0] != top:
            steps[-1] = f"{steps[-1]}\n{line}"
        else:
            steps.append(line)
    return steps


def parse_steps(trinh_tu_thuc_hien: Optional[str]) -> list[str]:
    text = clean(trinh_tu_thuc_hien)
    if not text:
        return []
    marks, expected = [], 1
    # Only an unbroken 1, 2, 3… sequence counts: prose also says "tại Bước 2".
    for match in STEP_MARK.finditer(text):
        if int(match.group(1)) == expected:
            marks.append(match)
            expected += 1
    if len(marks) < 2:
        return paragraphs(join_wrapped_lines(text))
    steps = []
    preamble = squash(text[:marks[0].start()])
    if preamble and not (preamble.endswith(":") and len(preamble) < 60):
        steps.append(preamble)
    for index, match in enumerate(marks):
        end = marks[index + 1].start() if index + 1 < len(marks) else len(text)
        body = "\n".join(join_wrapped_lines(text[match.end():end]))
        steps.append(f"Bước {match.group(1)}: {body}" if body else f"Bước {match.group(1)}")
    return steps


# --------------------------------------------------------------------------- legal basis

LEGAL_HEADER = "Tên văn bản pháp lýMã văn bản"
_AGENCY = (
    r"UBTVQH\d{2}|QH\d{2}|TTg|TTG|BLĐTBXH|BNNPTNT|BVHTTDL|BNNMT|BGTVT|BTNMT|BKHĐT|BKHCN|BGDĐT|"
    r"BTTTT|VKSNDTC|TANDTC|NHNN|VPCP|UBND|HĐND|HĐTP|BHXH|BTC|BCA|BTP|BXD|BYT|BCT|BQP|BNG|BNV|"
    r"BTNN|CP|CTN|TCT|UBCK|KTNN|BCY|TLĐ"
)
_DOC_TYPE = r"TTLT|VBHN|NĐ|TT|QĐ|QD|NQ|CT|PL|L|HD|TB"
# Suffix segments come from a known list because the next row's title is glued on
# ("…/NĐ-CPLUẬT…", "…/TT-BTCQuy định…"); a generic segment may not swallow a capitalised word.
_SEGMENT = rf"(?:{_AGENCY}|[A-ZĐ]{{1,8}}(?![a-zđà-ỹA-ZĐÀ-Ỹ]))"
LEGAL_CODE = re.compile(
    rf"(\d{{1,4}})/(?:(\d{{4}})/)?((?:{_AGENCY}|{_DOC_TYPE})(?:-{_SEGMENT})*)"
)


DOC_TYPE_WORDS = re.compile(
    r"(?:Bộ luật|Luật|Pháp lệnh|Lệnh|Nghị định|Nghị quyết|Thông tư liên tịch|Thông tư|Quyết định|"
    r"Chỉ thị|Văn bản hợp nhất)(?: số)?",
    re.IGNORECASE,
)


def legal_code(text: str, match: re.Match) -> tuple[int, str]:
    """(start, code); a number glued to a year before it ("năm 201102/2011/QH13") loses the year."""
    start = match.start(1)
    run_start = start
    while run_start > 0 and text[run_start - 1].isdigit():
        run_start -= 1
    number = text[run_start:match.end(1)]
    year_glued = re.fullmatch(r"((?:19|20)\d{2})(\d{1,4})", number)
    if run_start < start and year_glued:
        start, number = run_start + 4, year_glued.group(2)
    else:
        number = match.group(1)
    code = f"{number}/{match.group(2)}/{match.group(3)}" if match.group(2) else f"{number}/{match.group(3)}"
    return start, code


def is_code_cell(text: str, start: int, end: int) -> bool:
    """The Mã văn bản cell is glued to its title (or to the next title, which starts capitalised);
    codes quoted inside titles have spaces around them.
    """
    before = text[start - 1] if start else ""
    after = text[end:end + 1]
    glued_before = before and not before.isspace() and before not in "(“\""
    glued_after = after == "" or after.isupper()
    # "…tín dụngLuật số 32/2024/QH15": the cell holds "Luật số …", glued to the title instead.
    glued_type = re.search(rf"[a-zđà-ỹ](?:{DOC_TYPE_WORDS.pattern})\s*$", text[:start])
    return bool(glued_before or glued_after or glued_type)


def legal_entry(title: str, code: str) -> str:
    """Title with its code: "Luật An toàn thực phẩm (55/2010/QH12)", or "Nghị định 76/2012/NĐ-CP"."""
    # The code cell sometimes repeats the type ("…tín dụngLuật số 32/2024/QH15"); glued on, it
    # belongs to the code, not to the title.
    glued_type = re.search(rf"(?<=[a-zđà-ỹ])(?:{DOC_TYPE_WORDS.pattern})$", title)
    if glued_type and not title[:glued_type.start()].endswith(" "):
        title = title[:glued_type.start()]
    if not title:
        return code
    if code in title:
        return title
    if DOC_TYPE_WORDS.fullmatch(title):
        return f"{title} {code}"
    return f"{title} ({code})"


def parse_legal_basis(can_cu_phap_ly: Optional[str], flags: _Flags) -> list[str]:
    text = clean(can_cu_phap_ly)
    if not text:
        return []
    text = text.replace(LEGAL_HEADER, "", 1)
    entries: dict[str, str] = {}
    position = 0
    for match in LEGAL_CODE.finditer(text):
        start, code = legal_code(text, match)
        if not is_code_cell(text, start, match.end()):
            continue
        title = squash(text[position:start]).strip(" ;,.")
        position = match.end()
        if code in entries:
            continue
        entries[code] = legal_entry(title, code)
    if not entries:
        codes = [legal_code(text, m)[1] for m in LEGAL_CODE.finditer(text)]
        if codes:
            return list(dict.fromkeys(codes))
        flags.add("legal_basis_unparsed")
        return [squash(text)]
    return list(entries.values())


# --------------------------------------------------------------------------- result, sources

# Result codes look like KQ.G01.000068, 000.00.00.G04-KQ0174, TP-G01.0000001 or VBTT; the next
# result name is glued straight after them.
RESULT_CODE = re.compile(
    r"Mã:\s*(?:[\d.]*[A-Z]{1,3}[.\-]?[A-Z]?\d{1,3}[.\-](?:KQ)?\d{3,8}|[A-Z]{2,8}(?![a-zà-ỹ])|\S+?(?=[A-ZĐ]|$))?"
)
RESULT_JUNK = re.compile(r"Từ khóa|Mô tả|Chọn cơ quan thực hiện")


def parse_result(ket_qua_xu_ly: Optional[str], flags: _Flags) -> Optional[str]:
    text = clean(ket_qua_xu_ly)
    if not text:
        return None
    junk = RESULT_JUNK.search(text)
    text = text[:junk.start()] if junk else text
    names = [squash(part).lstrip("-+*•. ").strip() for part in RESULT_CODE.split(text)]
    names = list(dict.fromkeys(name for name in names if name and name != NO_INFO))
    if any(COUNT.search(name) for name in names):
        # Document-table text spilt into this field; the result name is not in it.
        flags.add("result_misaligned")
        return None
    return "; ".join(names) or None


def parse_sources(raw: dict, retrieved: str) -> list[dict]:
    sources = [{
        "title": "Cổng Dịch vụ công quốc gia",
        "url": clean(raw.get("detail_url")),
        "kind": "official_portal",
        "retrieved": retrieved,
    }]
    decision = clean(raw.get("so_quyet_dinh"))
    if decision:
        sources.append({"title": f"Quyết định công bố {decision}", "kind": "law"})
    return sources


# --------------------------------------------------------------------------- record

def record_id(code: str) -> str:
    return "portal-" + code.replace(".", "-")


def check_raw(raw: dict, flags: _Flags, errors: list[tuple[str, str]]) -> None:
    for key, value in raw.items():
        if key not in KNOWN_FIELDS:
            flags.add(f"unknown_field:{key}")
        if isinstance(value, str) and len(value) > MAX_FIELD_CHARS:
            errors.append((key, "field too large"))
        elif key in KNOWN_FIELDS and value is not None and not isinstance(value, str):
            errors.append((key, f"expected text, got {type(value).__name__}"))
    for key in ("ma_thu_tuc", "ten_thu_tuc"):
        if not clean(raw.get(key)) and not any(field == key for field, _ in errors):
            errors.append((key, "missing"))


def flag_abolished_terms(raw: dict, flags: _Flags) -> None:
    if any(isinstance(value, str) and ABOLISHED_TERMS.search(value) for value in raw.values()):
        flags.add("mentions_abolished_terms")


# Ministries of the crawl (ministry_slug); an unknown slug is kept as written.
MINISTRIES = {
    "bo-tai-chinh": "Bộ Tài chính",
    "bo-nong-nghiep-mt": "Bộ Nông nghiệp và Môi trường",
    "bo-xay-dung": "Bộ Xây dựng",
    "bo-cong-an": "Bộ Công an",
    "bo-tu-phap": "Bộ Tư pháp",
    "ngan-hang-nha-nuoc": "Ngân hàng Nhà nước Việt Nam",
    "toa-an-nhan-dan": "Tòa án nhân dân tối cao",
}


def build_record(raw: dict, retrieved: str, flags: _Flags) -> dict:
    url = clean(raw.get("detail_url"))
    channels = parse_channels(raw.get("cach_thuc_thuc_hien"), url, flags)
    code = clean(raw["ma_thu_tuc"])
    return {
        "id": record_id(code),
        "official_code": [code],
        "name": squash(raw["ten_thu_tuc"]),
        "aliases": [],
        "field": clean(raw.get("linh_vuc")) or "",
        "ministry": MINISTRIES.get(clean(raw.get("ministry_slug")) or "", clean(raw.get("ministry_slug"))),
        "level": parse_levels(clean(raw.get("cap_thuc_hien")), flags),
        "agency": parse_agency(raw),
        "channels": channels,
        "steps": parse_steps(raw.get("trinh_tu_thuc_hien")),
        "documents": parse_documents(raw.get("thanh_phan_ho_so"), flags),
        "processing_time": summarise_by_channel(channels, "processing_time"),
        "fee": {"summary": summarise_by_channel(channels, "fee")},
        "eligibility": clean(raw.get("doi_tuong_thuc_hien")),
        "requirements": clean(raw.get("yeu_cau_dieu_kien")),
        "result": parse_result(raw.get("ket_qua_xu_ly"), flags),
        "legal_basis": parse_legal_basis(raw.get("can_cu_phap_ly"), flags),
        "sources": parse_sources(raw, retrieved),
        "updated": CRAWL_END,
        "confidence": None,
        "origin": "portal",
    }


def validation_errors(error: ValidationError) -> list[tuple[str, str]]:
    return [(".".join(str(part) for part in item["loc"]) or "record", item["msg"]) for item in error.errors()]


def parse_portal_record(raw: dict, *, retrieved: str = "crawl 6–7/2026") -> PortalParse:
    flags, errors = _Flags(), []
    check_raw(raw, flags, errors)
    if errors:
        return PortalParse(record=None, flags=list(flags), errors=errors)
    flag_abolished_terms(raw, flags)
    record = build_record(raw, retrieved, flags)
    record["flags"] = list(flags)
    try:
        Procedure.model_validate(record)
    except ValidationError as error:
        return PortalParse(record=None, flags=list(flags), errors=validation_errors(error))
    return PortalParse(record=record, flags=list(flags), errors=[])
