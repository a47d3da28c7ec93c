"""Dashboard outputs: how long exports, posters and the demo fill take, each beside a bare baseline.

    .venvs/app/bin/python bench/dashboard_outputs.py [--rows 10000] [--months 6]

- exports: a comments-like table (text with formula-looking cells, int, rate, datetime) through
  `to_csv` / `to_xlsx`, against the csv module and openpyxl writing the same raw values with no
  formatting, guard or widths;
- posters: `desk_poster_png` / `desk_poster_pdf` against segno's own PNG of the same link;
- demo: `fill_demo_data` on a SQLite file (disk, and tmpfs when there is one) against inserting the same
  number of ratings in one transaction, which is what the per-rating real code path costs.
Nothing is written outside a temporary folder.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.measure import OtherLoad, latency, machine, time_calls  # noqa: E402

URL = "https://dichvu.example.vn/demo?unit=demo-phuong-trung-tam&survey=1AbCdEfGhIjKlMnOp1234"


def line(name: str, samples: list[float], baseline: list[float] | None = None) -> str:
    figures = latency(samples)
    text = f"  {name:<38} p50 {figures['p50']:8.1f} ms   mean {figures['mean']:8.1f} ms"
    if baseline:
        text += f"   × {figures['mean'] / latency(baseline)['mean']:.1f} of baseline"
    return text


def exports_section(rows: int) -> None:
    import openpyxl

    from bot.dashboard.exports import Column, Table, to_csv, to_xlsx
    from store.scoring import Rate

    rng = random.Random(1)
    start = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    values = [[rng.choice(["Cán bộ nhiệt tình, hồ sơ trả đúng hẹn.", "=1+1", "Chờ hơi lâu lúc đông người."]),
               rng.randint(0, 500), Rate(rng.randint(0, 50), 50), start + dt.timedelta(minutes=i)]
              for i in range(rows)]
    table = Table("Ý kiến", [Column("Ý kiến"), Column("Số", "int"), Column("Tỷ lệ", "rate"),
                             Column("Lúc", "datetime")], values)

    def raw_csv(_):
        out = io.StringIO()
        writer = csv.writer(out)
        for row in values:
            writer.writerow([row[0], row[1], f"{row[2].numerator}/{row[2].denominator}", row[3].isoformat()])
        return out.getvalue().encode()

    def raw_xlsx(_):
        book = openpyxl.Workbook()
        sheet = book.active
        for row in values:
            sheet.append([row[0], row[1], row[2].numerator, row[2].denominator, row[3].replace(tzinfo=None)])
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()

    print(f"exports: {rows} rows × 4 columns")
    with OtherLoad() as load:
        base_csv, ours_csv = time_calls(raw_csv, 3), time_calls(lambda _: to_csv(table), 3)
        base_xlsx, ours_xlsx = time_calls(raw_xlsx, 3), time_calls(lambda _: to_xlsx(table), 3)
    print(line("baseline csv.writer", base_csv))
    print(line("to_csv", ours_csv, base_csv))
    print(line("baseline openpyxl append", base_xlsx))
    print(line("to_xlsx", ours_xlsx, base_xlsx))
    print(f"  sizes: CSV {len(to_csv(table)) / 1024:.0f} KB, XLSX {len(to_xlsx(table)) / 1024:.0f} KB; {load}")


def posters_section() -> None:
    import segno

    import units
    from bot.dashboard.posters import desk_poster_pdf, desk_poster_png

    unit = units.directory().units["demo-phuong-trung-tam"]
    desk = unit.desks[0]
    print("posters: one A4 poster")
    with OtherLoad() as load:
        base = time_calls(lambda _: segno.make(URL, error="m").save(io.BytesIO(), kind="png", scale=10), 5)
        png = time_calls(lambda _: desk_poster_png(unit, desk, URL), 5)
        pdf = time_calls(lambda _: desk_poster_pdf(unit, desk, URL), 5)
    print(line("baseline segno QR PNG alone", base))
    print(line("desk_poster_png (200 dpi)", png, base))
    print(line("desk_poster_pdf", pdf, base))
    print(f"  sizes: PNG {len(desk_poster_png(unit, desk, URL)) / 1024:.0f} KB, "
          f"PDF {len(desk_poster_pdf(unit, desk, URL)) / 1024:.0f} KB; {load}")


def demo_section(months: int) -> None:
    import store
    from store.demo import fill_demo_data

    folders = [("disk", tempfile.gettempdir())] + ([("tmpfs", "/dev/shm")] if os.path.isdir("/dev/shm") else [])
    print(f"demo: {months} months, SQLite")
    for label, parent in folders:
        with tempfile.TemporaryDirectory(dir=parent) as folder, OtherLoad() as load:
            os.environ["DATABASE_URL"] = f"sqlite:///{folder}/demo.db"
            store.reset_database()
            store.database().ensure_schema()
            started = time.perf_counter()
            summary = fill_demo_data(months)
            took = time.perf_counter() - started

            os.environ["DATABASE_URL"] = f"sqlite:///{folder}/baseline.db"
            store.reset_database()
            store.database().ensure_schema()
            started = time.perf_counter()
            with store.database().session() as session:
                session.add_all(store.Rating(unit="demo-hcc", overall="satisfied", conversation_id=f"b{i}")
                                for i in range(summary.ratings))
            baseline = time.perf_counter() - started
            store.reset_database()
        print(f"  {label:<6} fill_demo_data {took:6.2f} s for {summary.ratings} ratings, {summary.invitations} links, "
              f"{summary.alerts} alerts, {summary.questions} questions ({summary.ratings / took:.0f} ratings/s); "
              f"baseline one-transaction insert {baseline:.3f} s (× {took / baseline:.0f}); {load}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10000)
    parser.add_argument("--months", type=int, default=6)
    args = parser.parse_args()
    print(machine())
    exports_section(args.rows)
    posters_section()
    demo_section(args.months)
    print(machine())


if __name__ == "__main__":
    main()
