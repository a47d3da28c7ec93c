"""The units directory: the demo province after the two-tier reform, and a broken file reported by
file, row and field."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from units import UnitsFileError, directory, load_units
from units.__main__ import main as units_cli

CURATED = Path(__file__).resolve().parents[2] / "knowledge_base" / "records" / "curated"


def test_demo_province_after_the_two_tier_reform():
    units = directory()
    assert units.demo and not units.problems
    kinds = {u.kind for u in units.units.values()}
    assert kinds == {"province", "service_centre", "department", "commune", "ward"}
    province = next(u for u in units.units.values() if u.kind == "province")
    # no district level: everything hangs directly under the province
    assert all(u.parent == province.code for u in units.units.values() if u is not province)
    assert all(u.hotline and u.address and u.office_hours for u in units.units.values())
    assert all("demo" in u.name for u in units.units.values())  # clearly marked as sample data
    assert sum(1 for u in units.units.values() if u.kind == "department") >= 5


def test_every_unit_receiving_citizens_has_desks_and_procedures_that_exist():
    known = {p.stem for p in CURATED.glob("*.yml")}
    for unit in directory().rateable():
        assert unit.desks, unit.code
        assert unit.procedures and set(unit.procedures) <= known, unit.code
    assert {u.code for u in directory().handling("cap-ho-chieu")} == {"demo-cong-an-tinh"}


def test_descendants_for_reports():
    units = directory()
    everything = units.descendants("demo-province")
    assert everything[0] == "demo-province" and len(everything) == len(units.units)
    assert units.descendants("demo-xa-song-xanh") == ["demo-xa-song-xanh"]


def test_unknown_or_missing_unit_falls_back_to_the_service_centre():
    assert directory().get(None).kind == "service_centre"
    assert directory().get("no-such-unit").kind == "service_centre"
    assert directory().get("demo-xa-song-xanh").kind == "commune"


def test_a_file_whose_default_unit_is_broken_names_the_problem(tmp_path):
    path = tmp_path / "units.yml"
    path.write_text("default_unit: a\nunits:\n  - code: a\n    kind: province\n    name: A\n", encoding="utf-8")
    with pytest.raises(UnitsFileError, match="row 1, field address: missing"):
        load_units(path)


def test_bad_rows_are_reported_by_file_row_and_field_and_the_rest_load(tmp_path):
    good = {"kind": "commune", "name": "X", "address": "addr", "hotline": "1", "office_hours": "h", "parent": "p"}
    rows = [
        {"code": "p", "kind": "province", "name": "P", "address": "a", "hotline": "1", "office_hours": "h"},
        {**good, "code": "ok"},
        {**good, "code": "no-phone", "hotline": ""},
        {**good, "code": "odd", "kind": "district"},
        {**good, "code": "orphan", "parent": "nowhere"},
        {**good, "code": "ok"},
        {**good, "code": "bad-desks", "desks": [{"code": "d"}]},
        {**good, "code": "bad-procs", "procedures": "dang-ky-khai-sinh"},
        {**good, "code": "Có Dấu"},
        {**good, "code": "typo", "hotlien": "2"},
    ]
    path = tmp_path / "units.yml"
    path.write_text(yaml.safe_dump({"default_unit": "p", "units": rows}, allow_unicode=True), encoding="utf-8")
    loaded = load_units(path)
    assert set(loaded.units) == {"p", "ok"}
    found = {(p.row, p.field) for p in loaded.problems}
    assert found == {(3, "hotline"), (4, "kind"), (5, "parent"), (6, "code"), (7, "desks"), (8, "procedures"),
                     (9, "code"), (10, "hotlien")}
    assert all(str(path) in str(p) for p in loaded.problems)
    assert units_cli(["check", str(path)]) == 1
    assert units_cli(["check"]) == 0


def test_an_unquoted_desk_name_with_a_comma_is_reported_not_cut_short(tmp_path):
    path = tmp_path / "units.yml"
    path.write_text(
        "default_unit: p\nunits:\n"
        "  - {code: p, kind: province, name: P, address: a, hotline: '1', office_hours: h}\n"
        "  - code: w\n    kind: ward\n    name: W\n    address: a\n    hotline: '1'\n    office_hours: h\n"
        "    parent: p\n    desks:\n      - {code: quay-2, name: Quầy 2 – Đất đai, xây dựng, name_en: Desk 2}\n",
        encoding="utf-8")
    loaded = load_units(path)
    assert [(p.row, p.field) for p in loaded.problems] == [(2, "desks.quay-2.xây dựng")]
    assert "quote" in str(loaded.problems[0])
