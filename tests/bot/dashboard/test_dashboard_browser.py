"""The dashboard in Debian's chromium (Playwright) against the real webchat server (uvicorn on a free
port) with the known month of ratings: sign in, pick unit and period, read the figures, download CSV and
XLSX, be refused another unit, handle an alert. Screenshots at phone and desktop widths go to
var/screenshots/."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest

import store
from channel_fakes import serve_app
from dashboard_fixtures import PASSWORD, fill_known_month, make_accounts, make_app

pytestmark = pytest.mark.browser

REPO_ROOT = Path(__file__).resolve().parents[3]
SCREENSHOTS = REPO_ROOT / "var" / "screenshots"
PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def known_database(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DATABASE_URL", f"sqlite:///{tmp_path_factory.mktemp('db') / 'app.db'}")
        patch.delenv("APP_ENV", raising=False)
        store.reset_database()
        ids = fill_known_month(store.database())
        make_accounts()
        yield ids
        store.reset_database()


@pytest.fixture(scope="module")
def server(known_database):
    with serve_app(make_app(), "dashboard") as port:
        yield f"http://127.0.0.1:{port}/dashboard"


def new_page(browser, viewport=DESKTOP):
    context = browser.new_context(viewport=viewport, locale="vi-VN", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(10000)
    errors: list[str] = []
    # CSP refusals and script errors; refused pages (403) and the favicon are expected to "fail to load"
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" and not message.text.startswith("Failed to load resource") else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return context, page, errors


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"dashboard-{name}.png"), full_page=True)


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/reports")
    assert "/login" in page.url
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/reports*")


def figure(page, name: str) -> str:
    return page.locator(f'[data-figure="{name}"]').inner_text().strip()


def test_staff_reads_the_known_month_downloads_it_and_is_refused_another_unit(browser, server):
    context, page, errors = new_page(browser)
    page.goto(f"{server}/login")
    shot(page, "login-desktop")
    sign_in(page, server, "can-bo-xa")
    form = page.locator("form.filters")
    assert form.get_by_label("Đơn vị").input_value() == "demo-xa-song-xanh"
    assert form.get_by_label("Đơn vị").locator("option").count() == 1  # staff: their unit only
    form.get_by_label("Loại kỳ").select_option("month")
    form.get_by_label("Năm", exact=True).fill("2026")
    form.get_by_label("Tháng", exact=True).select_option("3")
    form.get_by_role("button", name="Xem báo cáo").click()
    page.wait_for_url("**month=3**")
    assert (figure(page, "issued"), figure(page, "returned"), figure(page, "sipas_index"),
            figure(page, "satisfied_dossiers"), figure(page, "average_score")) == (
        "4", "4", "75,00 % (3/4)", "100,00 % (2/2)", "15,50 · Xuất sắc")
    assert page.locator("svg.chart-trend > rect.bar").count() == 12
    assert page.get_by_role("button", name="In trang").is_visible()  # the one script ran under the CSP
    shot(page, "report-desktop")

    with page.expect_download() as csv_download:
        page.get_by_role("link", name="CSV").click()
    text = Path(csv_download.value.path()).read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert any("Đăng ký khai sinh" in cell for row in rows for cell in row)
    assert csv_download.value.suggested_filename == "bao-cao-demo-xa-song-xanh-20260301-20260331.csv"
    with page.expect_download() as xlsx_download:
        page.get_by_role("link", name="Excel (XLSX)").click()
    workbook = openpyxl.load_workbook(io.BytesIO(Path(xlsx_download.value.path()).read_bytes()))
    cells = [c for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True) for c in row]
    assert "Đăng ký khai sinh" in cells and len(workbook.worksheets) >= 5

    other = page.goto(f"{server}/reports?unit=demo-phuong-trung-tam&period=month&year=2026&month=3")
    assert other.status == 403 and "không được xem số liệu của đơn vị này" in page.content()
    assert "Bí mật" not in page.content()
    export = page.request.get(f"{server}/reports.xlsx?unit=demo-phuong-trung-tam&period=year&year=2026")
    assert export.status == 403 and export.headers["content-type"].startswith("text/html")
    assert page.request.get(f"{server}/comments.csv?unit=demo-phuong-trung-tam").status == 403
    assert not errors, errors
    context.close()


def test_alert_handling_in_the_browser(browser, server, known_database):
    context, page, errors = new_page(browser)
    sign_in(page, server, "can-bo-xa")
    page.get_by_role("link", name="Cảnh báo").click()
    alert = page.locator(f"#alert-{known_database['alert']}")
    assert "Mới" in alert.locator(".badge").inner_text()
    assert "<script>" not in page.content().split("<main")[1].split("</main>")[0].replace("&lt;script&gt;", "")
    alert.get_by_label("Trạng thái").select_option("handled")
    alert.get_by_role("button", name="Lưu").click()
    assert "ghi nội dung xử lý" in page.content()  # handled needs a note; nothing changed
    page.go_back()
    alert = page.locator(f"#alert-{known_database['alert']}")
    alert.get_by_label("Trạng thái").select_option("in_progress")
    alert.get_by_role("button", name="Lưu").click()
    page.wait_for_url("**saved=1**")
    alert = page.locator(f"#alert-{known_database['alert']}")
    assert "Đang xử lý" in alert.locator(".badge").inner_text()
    alert.get_by_label("Trạng thái").select_option("handled")
    alert.get_by_label("Nội dung xử lý").fill("Đã gọi điện xin lỗi và hướng dẫn lại hồ sơ.")
    alert.get_by_role("button", name="Lưu").click()
    page.wait_for_url("**saved=1**")
    assert "Đã cập nhật cảnh báo" in page.content()
    alert = page.locator(f"#alert-{known_database['alert']}")
    assert "Đã xử lý" in alert.locator(".badge").inner_text()
    assert alert.get_by_label("Nội dung xử lý").input_value() == "Đã gọi điện xin lỗi và hướng dẫn lại hồ sơ."
    shot(page, "alerts-desktop")
    assert not errors, errors
    context.close()


def test_supervisor_picks_a_unit_and_period_and_pages_fit_a_phone(browser, server):
    context, page, errors = new_page(browser, PHONE)
    sign_in(page, server, "lanh-dao-tinh")
    form = page.locator("form.filters")
    form.get_by_label("Đơn vị").select_option("demo-province")
    form.get_by_label("Loại kỳ").select_option("quarter")
    form.get_by_label("Năm", exact=True).fill("2026")
    form.get_by_label("Quý", exact=True).select_option("1")
    form.get_by_role("button", name="Xem báo cáo").click()
    page.wait_for_url("**quarter=1**")
    assert figure(page, "returned") == "8"  # March's seven plus 28 February
    assert page.locator("svg.chart-ranking").count() == 1
    for name, path in [("report", None), ("comments", "/comments?period=month&year=2026&month=3"),
                       ("alerts", "/alerts"), ("questions", "/questions?period=month&year=2026&month=3"),
                       ("qr", "/qr")]:
        if path:
            page.goto(server + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{name} is {width}px wide on a 390px phone"
        shot(page, f"{name}-phone")
    context.close()
    context, page, errors = new_page(browser, DESKTOP)
    sign_in(page, server, "admin")
    for name, path in [("comments", "/comments?period=month&year=2026&month=3"), ("qr", "/qr"),
                       ("accounts", "/accounts"), ("questions", "/questions?period=month&year=2026&month=3")]:
        page.goto(server + path)
        shot(page, f"{name}-desktop")
    page.emulate_media(media="print")
    page.goto(server + "/reports?unit=demo-province&period=month&year=2026&month=3")
    assert not page.locator("form.filters").is_visible() and page.locator("#subject").is_visible()
    shot(page, "report-print")
    assert not errors, errors
    context.close()
