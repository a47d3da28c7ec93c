"""The authorisation matrix: every route the dashboard app exposes (its own route table, so a new route
cannot be left out) × role × unit, through the real app in process. Staff see their unit, a supervisor
the unit and what is under it, an admin everything; whatever the URL or form says."""
from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

from bot.dashboard.app import PAGES
from dashboard_fixtures import csrf_of

XA, PHUONG, HCC, PROVINCE = "demo-xa-song-xanh", "demo-phuong-trung-tam", "demo-hcc", "demo-province"
DESKS = {XA: "quay-2", PHUONG: "quay-1", HCC: "quay-huong-dan"}
# (account, unit asked for, may it see that unit?)
CASES = [
    ("can-bo-xa", XA, True), ("can-bo-xa", PHUONG, False), ("can-bo-xa", PROVINCE, False),
    ("lanh-dao-hcc", HCC, True), ("lanh-dao-hcc", XA, False),
    ("lanh-dao-tinh", XA, True), ("lanh-dao-tinh", HCC, True),
    ("admin", PHUONG, True),
]
PERIOD = {"period": "month", "year": "2026", "month": "3"}


def request_for(path: str, method: str, unit: str, ids: dict) -> tuple[str, dict]:
    """(URL, form data) that asks route `path` about `unit`. A route missing here fails the matrix."""
    alert = {XA: ids["alert"], PHUONG: ids["other_alert"], HCC: ids["hcc_alert"]}.get(unit)
    table = {
        ("/login", "GET"): ("/login", {}),
        ("/login", "POST"): ("/login", {"username": "x", "password": "y"}),
        ("/logout", "POST"): ("/logout", {}),
        ("/", "GET"): ("/", {}),
        ("/reports", "GET"): ("/reports", {"unit": unit, **PERIOD}),
        ("/comments", "GET"): ("/comments", {"unit": unit, **PERIOD}),
        ("/alerts", "GET"): ("/alerts", {"unit": unit}),
        ("/alerts/{alert_id}", "POST"): (f"/alerts/{alert or 999999}", {"status": "in_progress", "note": "đang xem"}),
        ("/questions", "GET"): ("/questions", {"unit": unit, **PERIOD}),
        ("/qr", "GET"): ("/qr", {}),
        ("/qr/dossier", "POST"): ("/qr/dossier", {"unit": unit, "dossier": "H12.34-260301-0001"}),
        ("/qr/{unit}/{desk}/poster.png", "GET"): (f"/qr/{unit}/{DESKS.get(unit, 'quay-1')}/poster.png", {}),
        ("/qr/{unit}/{desk}/poster.pdf", "GET"): (f"/qr/{unit}/{DESKS.get(unit, 'quay-1')}/poster.pdf", {}),
        ("/accounts", "GET"): ("/accounts", {}),
        ("/accounts", "POST"): ("/accounts", {"username": f"moi-{unit}", "role": "staff", "unit": unit}),
        ("/accounts/{username}/disable", "POST"): ("/accounts/can-bo-phuong/disable", {}),
        ("/accounts/{username}/enable", "POST"): ("/accounts/can-bo-phuong/enable", {}),
    }
    for stem in ("/reports", "/comments", "/alerts", "/questions"):
        for fmt in ("csv", "xlsx"):
            table[(f"{stem}.{fmt}", "GET")] = (f"{stem}.{fmt}", {"unit": unit, **PERIOD})
    return table[(path, method)]


ROUTES = [(p.path, m, p.access, p.unit_param) for p in PAGES for m in p.methods]


def send(client: TestClient, method: str, url: str, data: dict, csrf: str | None):
    if method == "GET":
        return client.get("/dashboard" + url, params=data, follow_redirects=False)
    return client.post("/dashboard" + url, data={**data, **({"csrf": csrf} if csrf else {})}, follow_redirects=False)


def test_the_matrix_covers_every_route(known_month):
    missing = []
    for path, method, _, _ in ROUTES:
        try:
            request_for(path, method, XA, known_month)
        except KeyError:
            missing.append(f"{method} {path}")
    assert not missing, f"add these routes to request_for(): {missing}"


@pytest.mark.parametrize("path,method,level,unit_param", ROUTES, ids=[f"{m} {p}" for p, m, _, _ in ROUTES])
def test_signed_out_visitors_get_only_the_sign_in_page(client, known_month, path, method, level, unit_param):
    url, data = request_for(path, method, XA, known_month)
    csrf = csrf_of(client.get("/dashboard/login").text)
    response = send(client, method, url, data, csrf)
    if level == "public":
        assert response.status_code in (200, 401)
        return
    assert response.status_code == 303
    assert re.match(r"^/dashboard/login(\?|$)", response.headers["location"])
    assert "Bí mật" not in response.text


@pytest.mark.parametrize("account,unit,allowed", CASES)
def test_every_route_for_every_role_and_unit(signed_in, known_month, account, unit, allowed):
    client = signed_in(account)
    csrf = csrf_of(client.get("/dashboard/reports").text)
    is_admin = account == "admin"
    for path, method, level, unit_param in ROUTES:
        if path in ("/logout", "/login"):
            continue  # signing out or in again is tested on its own
        url, data = request_for(path, method, unit, known_month)
        response = send(client, method, url, data, csrf)
        where = f"{account} {method} {path} unit={unit}"
        assert response.status_code < 500, where
        if level == "admin":
            assert response.status_code == (200 if is_admin else 403), where
            continue
        if not unit_param:
            assert response.status_code in (200, 303), where
            continue
        if allowed:
            assert response.status_code in (200, 303), f"{where}: {response.status_code} {response.text[:300]}"
        else:
            # another unit's alert is "not found", everything else "not allowed"; never its data
            assert response.status_code == (404 if path == "/alerts/{alert_id}" else 403), where
            assert "Bí mật" not in response.text and "Phường chậm trễ" not in response.text, where


def test_staff_lists_never_show_another_units_rows(signed_in):
    client = signed_in("can-bo-xa")
    for page in ("/comments", "/alerts", "/questions"):
        text = client.get(f"/dashboard{page}", params=PERIOD).text
        assert "phường Trung Tâm" not in text.split("</header>")[1] or page == "/alerts"
        assert "Bí mật" not in text and "Phường chậm trễ" not in text and "câu hỏi riêng của phường" not in text
    csv = client.get("/dashboard/comments.csv", params=PERIOD).content.decode("utf-8-sig")
    assert "Cán bộ hướng dẫn" in csv and "Bí mật" not in csv
    # the default unit of a staff account is its own, whatever else it asks for
    assert client.get("/dashboard/comments.csv", params={"unit": PHUONG, **PERIOD}).status_code == 403


def test_an_alert_of_another_unit_is_left_alone(signed_in, known_month):
    client = signed_in("can-bo-xa")
    csrf = csrf_of(client.get("/dashboard/alerts").text)
    response = client.post(f"/dashboard/alerts/{known_month['other_alert']}",
                           data={"csrf": csrf, "status": "handled", "note": "không phải của tôi"})
    assert response.status_code == 404
    import store

    with store.database().session() as session:
        assert session.get(store.Alert, known_month["other_alert"]).status == "new"


def test_a_supervisor_sees_the_units_under_theirs(signed_in):
    client = signed_in("lanh-dao-tinh")
    page = client.get("/dashboard/reports", params={"unit": PROVINCE, **PERIOD}).text
    assert "Xếp hạng các đơn vị trực thuộc" in page
    assert 'data-figure="returned">7<' in page  # everything under the province in March
    staff = signed_in("can-bo-xa")
    assert 'data-figure="returned">4<' in staff.get("/dashboard/reports", params=PERIOD).text
    assert staff.get("/dashboard/reports", params={"unit": PROVINCE, **PERIOD}).status_code == 403
