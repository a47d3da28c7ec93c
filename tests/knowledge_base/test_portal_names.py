"""Everyday names of imported portal procedures (knowledge_base/portal_names.py, portal_aliases.yml)."""
from __future__ import annotations

import pytest

from knowledge_base import portal_names
from knowledge_base.portal_names import EverydayNames, PortalNamesError, load_names, with_everyday_names
from knowledge_base.records import load_records
from knowledge_base.schema import Procedure


@pytest.fixture
def procedure(record_fields):
    def make(**fields) -> Procedure:
        return Procedure.model_validate(record_fields(**fields))

    return make


NAMES = {"1.001613": EverydayNames(("rút bảo hiểm xã hội một lần",), "Lump-sum social insurance withdrawal")}


def test_a_portal_record_gets_the_names_of_its_code(procedure):
    portal = procedure(id="portal-1-001613", name="Giải quyết hưởng bảo hiểm xã hội một lần",
                       official_code=["1.001613"], aliases=[], origin="portal")
    [named] = with_everyday_names([portal], NAMES)
    assert named.aliases == ["rút bảo hiểm xã hội một lần"]
    assert named.name_en == "Lump-sum social insurance withdrawal"
    assert named.name == portal.name and portal.aliases == []  # the portal's text stays as published


def test_what_a_record_has_comes_first_and_curated_records_are_left_alone(procedure):
    portal = procedure(id="portal-1-001613", official_code=["1.001613"], aliases=["bhxh một lần"],
                       name_en="Own name", origin="portal")
    curated = procedure(id="rut-bhxh", official_code=["1.001613"], aliases=["a"], origin="curated")
    named, same = with_everyday_names([portal, curated], NAMES)
    assert named.aliases == ["bhxh một lần", "rút bảo hiểm xã hội một lần"] and named.name_en == "Own name"
    assert same == curated


def test_the_file_is_read_by_code(tmp_path):
    path = tmp_path / "portal_aliases.yml"
    path.write_text('"1.000001":\n  aliases: [làm giấy độc thân]\n  name_en: Marital status certificate\n'
                    '"1.000002":\n  aliases: [nhập hộ khẩu]\n', encoding="utf-8")
    assert load_names(path) == {"1.000001": EverydayNames(("làm giấy độc thân",), "Marital status certificate"),
                                "1.000002": EverydayNames(("nhập hộ khẩu",), None)}
    assert load_names(tmp_path / "absent.yml") == {}


@pytest.mark.parametrize("content, where", [
    ('"1.1": [a, b]\n', "1.1: expected aliases"),
    ('"1.1":\n  aliases: [a, ""]\n', "1.1: expected aliases"),
    ('"1.1":\n  aliases: [a]\n  name_en: 3\n', "1.1: expected aliases"),
    ('"1.1":\n  aliases: [a]\n  other: x\n', "1.1: expected aliases"),
    ("[1]\n", "expected official codes"),
])
def test_a_broken_file_names_the_file_and_code(tmp_path, content, where):
    path = tmp_path / "portal_aliases.yml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(PortalNamesError, match="portal_aliases.yml") as error:
        load_names(path)
    assert where in str(error.value)


def test_a_broken_file_is_reported_and_the_records_still_load(small_records, monkeypatch):
    def broken():
        raise PortalNamesError("portal_aliases.yml: 1.1: expected aliases")

    monkeypatch.setattr(portal_names, "default_names", broken)
    procedures, problems = load_records([small_records])
    assert len(procedures) == 3
    assert [p.field for p in problems] == ["portal_aliases"] and "1.1" in problems[0].message
