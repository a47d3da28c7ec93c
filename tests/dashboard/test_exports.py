"""CSV and XLSX exports: read back with the csv module and openpyxl, never by comparing bytes."""
from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest

import store
from bot.dashboard import exports
from bot.dashboard.exports import Column, Table, comparison_table, to_csv, to_xlsx, trend_table, unit_report_tables
from store.reports import Period, compare_units, monthly_trend, unit_report
from store.scoring import Rate

VN = dt.timezone(dt.timedelta(hours=7))
INJECTIONS = ["=HYPERLINK(\"http://evil\",\"bấm\")", "+1+2", "-3+4", "@SUM(A1:A2)", "\tcmd", "\rcmd"]


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "Excel needs the UTF-8 byte-order mark"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def read_xlsx(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def sample_table(title="Thử nghiệm", sheet=None) -> Table:
    return Table(title, [Column("Tên"), Column("Số phiếu", "int"), Column("Tỷ lệ hài lòng", "rate"),
                         Column("Ngày", "date"), Column("Lúc", "datetime"), Column("Điểm TB", "decimal"),
                         Column("Phần trăm", "percent")],
                 [["Phường Trung Tâm", 1234, Rate(12, 15), dt.date(2026, 3, 31),
                   dt.datetime(2026, 3, 31, 17, 30, tzinfo=dt.timezone.utc), 15.5, Decimal("92.09")],
                  ["Xã Sông Xanh", 0, Rate(0, 0), None, None, None, None]], sheet=sheet)


def test_csv_reads_back_with_titles_and_blank_line_between_tables():
    rows = read_csv(to_csv([sample_table("Bảng một"), sample_table("Bảng hai")]))
    assert rows[0] == ["Bảng một"]
    assert rows[1] == ["Tên", "Số phiếu", "Tỷ lệ hài lòng", "Ngày", "Lúc", "Điểm TB", "Phần trăm"]
    # 17:30 UTC is 00:30 the next day in Vietnam, the reports' calendar
    assert rows[2] == ["Phường Trung Tâm", "1234", "12/15 (80,00 %)", "31/03/2026", "01/04/2026 00:30", "15,50",
                       "92,09 %"]
    assert rows[3] == ["Xã Sông Xanh", "0", "0/0 (–)", "", "", "", ""]
    assert rows[4] == []
    assert rows[5] == ["Bảng hai"]
    assert len(rows) == 9  # 4 + blank + 4


def test_xlsx_header_bold_frozen_numbers_as_numbers_with_formats():
    book = read_xlsx(to_xlsx(sample_table(sheet="Mẫu")))
    sheet = book["Mẫu"]
    header = [c.value for c in sheet[1]]
    assert header == ["Tên", "Số phiếu", "Tỷ lệ hài lòng", "Tỷ lệ hài lòng: tử số", "Tỷ lệ hài lòng: mẫu số",
                      "Ngày", "Lúc", "Điểm TB", "Phần trăm"]
    assert all(c.font.bold for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    name, count, rate, numerator, denominator, day, moment, average, percent = sheet[2]
    assert (count.value, count.data_type, count.number_format) == (1234, "n", "#,##0")
    assert (rate.value, rate.number_format) == (pytest.approx(0.8), "0.00%")
    assert (numerator.value, denominator.value) == (12, 15)
    assert (day.value, day.number_format) == (dt.datetime(2026, 3, 31), "dd/mm/yyyy")
    assert (moment.value, moment.number_format) == (dt.datetime(2026, 4, 1, 0, 30), "dd/mm/yyyy hh:mm")
    assert (average.value, average.number_format) == (15.5, "0.00")
    assert (percent.value, percent.number_format) == (pytest.approx(0.9209), "0.00%")
    empty_rate = sheet[3][2]
    assert empty_rate.value is None and (sheet[3][3].value, sheet[3][4].value) == (0, 0)
    assert sheet.column_dimensions["A"].width >= len("Phường Trung Tâm")
    assert sheet.oddHeader.center.text == "Thử nghiệm"


@pytest.mark.parametrize("payload", INJECTIONS)
def test_formula_injection_is_neutralised(payload):
    table = Table("Ý kiến", [Column("Ý kiến"), Column("Số", "int")], [[payload, 1]])
    assert read_csv(to_csv(table))[2][0] == "'" + payload
    cell = read_xlsx(to_xlsx(table)).active["A2"]
    assert cell.data_type == "s"  # text, not a formula
    assert cell.value in (payload, payload.replace("\r", "\n"))  # XML reads a lone CR back as LF


def test_a_title_that_looks_like_a_formula_is_guarded_too():
    table = Table("=1+1", [Column("=A1")], [["x"]])
    assert read_csv(to_csv(table))[:2] == [["'=1+1"], ["'=A1"]]
    sheet = read_xlsx(to_xlsx(table)).active
    assert sheet["A1"].data_type == "s" and sheet["A1"].value == "=A1"


def test_control_characters_and_huge_text_do_not_break_the_workbook():
    table = Table("Ý kiến", [Column("Ý kiến")], [["xin\x00 chào\x1b", ], ["a" * 40000]])
    sheet = read_xlsx(to_xlsx(table)).active
    assert sheet["A2"].value == "xin chào"
    assert len(sheet["A3"].value) == exports.MAX_XLSX_CELL_CHARS


def test_sheet_names_are_short_unique_and_legal():
    names = exports.sheet_names(["Tổng hợp", "tổng hợp", "a/b:c*d?[e]\\f", "'", "", "x" * 40, "x" * 40, "History"])
    assert names[0] == "Tổng hợp" and names[1] == "tổng hợp (2)"
    assert names[2] == "a b c d e f"
    assert all(0 < len(n) <= 31 and not set(n) & set("[]:*?/\\") and not n.startswith("'") for n in names)
    assert len({n.lower() for n in names}) == len(names)
    assert "History" not in names
    book = read_xlsx(to_xlsx([Table(t, [Column("x")], []) for t in ["a/b", "a/b", "x" * 40]]))
    assert book.sheetnames == ["a b", "a b (2)", "x" * 31]


def test_cells_of_the_wrong_kind_are_refused_clearly():
    with pytest.raises(TypeError, match="Số"):
        to_csv(Table("t", [Column("Số", "int")], [["12"]]))
    with pytest.raises(TypeError, match="cannot hold datetime"):
        to_csv(Table("t", [Column("Ngày", "date")], [[dt.datetime(2026, 1, 1)]]))
    with pytest.raises(ValueError, match="row 1"):
        Table("t", [Column("a"), Column("b")], [["only one"]])
    with pytest.raises(ValueError, match="kind"):
        Column("a", "money")


# ------------------------------------------------------------------ builders over a real report
def local(day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, tzinfo=VN).astimezone(dt.timezone.utc)


@pytest.fixture
def march(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'app.db'}")
    monkeypatch.delenv("APP_ENV", raising=False)
    store.reset_database()
    full = {"citizen_contacts": 2, "citizen_bodies": 2, "citizen_publicity": 2, "citizen_attitude": 2,
            "agency_total_time": 2, "agency_step_time": 2, "agency_one_stop": 2, "agency_feedback": 2,
            "agency_online": 1}
    with store.database().session() as s:
        for n in range(3):
            s.add(store.SurveyInvitation(issued_at=local(1), unit="demo-xa-song-xanh", kind="desk"))
        s.add(store.Rating(created_at=local(2), unit="demo-xa-song-xanh", overall="very_satisfied",
                           conversation_id="a", procedure_id="dang-ky-khai-sinh", channel="qr", dossier_code="D1",
                           sipas_access=5, **full))  # 17 points
        s.add(store.Rating(created_at=local(3), unit="demo-xa-song-xanh", overall="dissatisfied",
                           conversation_id="b", procedure_id="dang-ky-khai-sinh", channel="telegram",
                           citizen_attitude=0, sipas_access=2, comment="=cmd|' /C calc'!A0"))
        s.add(store.Rating(created_at=local(4), unit="demo-phuong-trung-tam", overall="satisfied",
                           conversation_id="c", channel="webchat"))
    yield
    store.reset_database()


def test_unit_report_tables_carry_the_reports_figures(march):
    report = unit_report("demo-xa-song-xanh", Period.month(2026, 3))
    tables = unit_report_tables(report, {"dang-ky-khai-sinh": "Đăng ký khai sinh"})
    assert [t.sheet for t in tables] == ["Tổng hợp", "Chỉ tiêu", "SIPAS", "Theo thủ tục", "Theo kênh"]
    rows = read_csv(to_csv(tables))
    summary = dict(zip(rows[1], rows[2]))
    assert summary["Mã đơn vị"] == "demo-xa-song-xanh"
    assert summary["Đơn vị"].startswith("Bộ phận Một cửa xã Sông Xanh")
    assert (summary["Từ ngày"], summary["Đến ngày"]) == ("01/03/2026", "31/03/2026")
    assert (summary["Phiếu đã phát"], summary["Phiếu thu về"]) == ("3", "2")
    assert summary["Tỷ lệ phản hồi"] == "2/3 (66,67 %)"
    assert (summary["Rất hài lòng"], summary["Hài lòng"], summary["Không hài lòng"]) == ("1", "0", "1")
    assert summary["Chỉ số hài lòng SIPAS"] == "1/2 (50,00 %)"
    assert summary["Tỷ lệ hồ sơ hài lòng (QĐ 766)"] == "1/1 (100,00 %)"
    assert (summary["Điểm trung bình (thang 18)"], summary["Xếp loại"]) == ("17,00", "Xuất sắc")

    book = read_xlsx(to_xlsx(tables))
    assert book.sheetnames == ["Tổng hợp", "Chỉ tiêu", "SIPAS", "Theo thủ tục", "Theo kênh"]
    header = [c.value for c in book["Tổng hợp"][1]]
    values = dict(zip(header, (c for c in book["Tổng hợp"][2])))
    assert values["Phiếu thu về"].value == 2 and values["Phiếu thu về"].data_type == "n"
    assert values["Chỉ số hài lòng SIPAS"].value == pytest.approx(0.5)
    assert values["Chỉ số hài lòng SIPAS"].number_format == "0.00%"
    assert values["Từ ngày"].value == dt.datetime(2026, 3, 1)

    indicators = {row[0].value: [c.value for c in row] for row in book["Chỉ tiêu"].iter_rows(min_row=2)}
    assert indicators["g"][2:6] == [1, 0, 1, 1.0]  # attitude: citizen 2 points once, 0 points once, average 1
    assert indicators["a"][2:5] == [None, None, None]  # the agency alone assesses total time
    sipas = {row[0].value: [c.value for c in row] for row in book["SIPAS"].iter_rows(min_row=2)}
    assert sipas["Tiếp cận dịch vụ"][1:6] == [0, 1, 0, 0, 1]
    procedures = [[c.value for c in row] for row in book["Theo thủ tục"].iter_rows(min_row=2)]
    assert procedures[0][:3] == ["dang-ky-khai-sinh", "Đăng ký khai sinh", 2]
    channels = {row[0].value: row[1].value for row in book["Theo kênh"].iter_rows(min_row=2)}
    assert channels == {"qr": "Mã QR tại quầy", "telegram": "Telegram"}


def test_comparison_and_trend_tables(march):
    period = Period.month(2026, 3)
    reports = compare_units(["demo-phuong-trung-tam", "demo-xa-song-xanh", "demo-xa-doi-thong"], period)
    rows = read_csv(to_csv(comparison_table(reports)))
    assert rows[0] == ["So sánh đơn vị — 01/03/2026–31/03/2026"]
    assert [r[0:2] for r in rows[2:]] == [["1", "demo-phuong-trung-tam"], ["2", "demo-xa-song-xanh"],
                                         ["", "demo-xa-doi-thong"]]

    trend = trend_table("demo-xa-song-xanh", 2026, monthly_trend("demo-xa-song-xanh", 2026))
    sheet = read_xlsx(to_xlsx(trend)).active
    assert [c.value for c in sheet[1]][:4] == ["Năm", "Tháng", "Phiếu thu về", "Chỉ số hài lòng SIPAS"]
    march_row = [c.value for c in sheet[4]]
    assert march_row[:4] == [2026, 3, 2, pytest.approx(0.5)]
    assert sheet.max_row == 13

