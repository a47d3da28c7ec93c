"""The units directory used for handoff."""
from __future__ import annotations

import pytest

from units import UnitsFileError, directory, load_units


def test_demo_province_after_the_two_tier_reform():
    units = directory()
    assert units.demo
    kinds = sorted(u.kind for u in units.units.values())
    assert kinds == ["commune", "province", "service_centre", "ward"]
    province = next(u for u in units.units.values() if u.kind == "province")
    assert all(u.parent == province.code for u in units.units.values() if u is not province)
    assert all(u.hotline and u.address and u.office_hours for u in units.units.values())


def test_unknown_or_missing_unit_falls_back_to_the_service_centre():
    assert directory().get(None).kind == "service_centre"
    assert directory().get("no-such-unit").kind == "service_centre"
    assert directory().get("demo-xa-song-xanh").kind == "commune"


def test_a_broken_file_names_the_problem(tmp_path):
    path = tmp_path / "units.yml"
    path.write_text("default_unit: a\nunits:\n  - code: a\n    kind: province\n    name: A\n", encoding="utf-8")
    with pytest.raises(UnitsFileError, match="lacks address, hotline, office_hours"):
        load_units(path)
