"""Dashboard pages: how long a signed-in request takes through the real app (in process, Starlette's
TestClient), each beside its bare baseline — the `store.reports` / `store.dashboard_queries` calls the
page makes, without sign-in, access check, templates or charts.

    .venvs/app/bin/python bench/dashboard_pages.py [--months 6] [--n 15]

A temporary SQLite database gets the demo data (`store.demo.fill_demo_data`) and one admin account.
Nothing is written outside a temporary folder.
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.measure import OtherLoad, latency, machine, table, time_calls  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--months", type=int, default=6)
    parser.add_argument("--n", type=int, default=15, help="requests per page")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="bench-dashboard-")
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/app.db"
    os.environ.pop("APP_ENV", None)

    from store import dashboard_queries, reports, staff
    from store.demo import fill_demo_data
    from starlette.testclient import TestClient

    from bot.dashboard import filters
    from bot.dashboard.app import create_dashboard
    from bot.dashboard.settings import DashboardSettings
    from bot.webchat.app import create_app
    from bot.webchat.settings import WebchatSettings

    print(machine())
    fill_demo_data(months=args.months)
    staff.create_account("bench-admin", "admin", "demo-province", "bench-password-long")
    today = filters.today()
    year = reports.Period.year(today.year)
    month = reports.Period.month(today.year, today.month)
    app = create_app(WebchatSettings(rasa_url="http://127.0.0.1:9"),
                     dashboard=create_dashboard(DashboardSettings(secret="b" * 48, public_base_url="http://x/demo")))
    children = [u.code for u in __import__("units").directory().children("demo-province")]
    cases = [
        ("report, province, year (+12 months trend, ranking of 14 units)",
         f"/dashboard/reports?unit=demo-province&period=year&year={today.year}",
         lambda: (reports.unit_report("demo-province", year), reports.monthly_trend("demo-province", today.year),
                  reports.compare_units(children, year))),
        ("report, commune, this month (+ trend)", "/dashboard/reports?unit=demo-xa-song-xanh",
         lambda: (reports.unit_report("demo-xa-song-xanh", month), reports.monthly_trend("demo-xa-song-xanh",
                                                                                          today.year))),
        ("comments, province, year, page 1", f"/dashboard/comments?unit=demo-province&period=year&year={today.year}",
         lambda: dashboard_queries.comments(None, year)),
        ("alerts, province", "/dashboard/alerts", lambda: dashboard_queries.alerts(None)),
        ("questions, province, year", f"/dashboard/questions?period=year&year={today.year}",
         lambda: dashboard_queries.grouped_questions(None, year)),
        ("XLSX download, province, year", f"/dashboard/reports.xlsx?unit=demo-province&period=year&year={today.year}",
         lambda: (reports.unit_report("demo-province", year), reports.monthly_trend("demo-province", today.year),
                  reports.compare_units(children, year))),
    ]
    rows = []
    with TestClient(app) as client, OtherLoad() as load:
        page = client.get("/dashboard/login").text
        token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        client.post("/dashboard/login", data={"csrf": token, "username": "bench-admin",
                                              "password": "bench-password-long"})
        for label, url, baseline in cases:
            assert client.get(url).status_code == 200, url  # warm caches (templates, names) once
            baseline()
            page_times = latency(time_calls(lambda _: client.get(url), args.n))
            base_times = latency(time_calls(lambda _: baseline(), args.n))
            rows.append([label, f"{page_times['p50']:.0f}", f"{page_times['p95']:.0f}", f"{base_times['p50']:.0f}",
                         f"{page_times['p50'] / base_times['p50']:.2f}"])
    print(f"demo data: {args.months} months; {args.n} requests per page")
    print(table(["page", "p50 ms", "p95 ms", "baseline p50 ms", "ratio"], rows))
    print(load)


if __name__ == "__main__":
    main()
