"""The citizen's unit decides which level of a multi-level procedure the answer shows."""
from __future__ import annotations

import units
from actions import kb


def test_the_units_level_as_the_records_name_it():
    directory = units.directory()
    by_kind = {u.kind: u.code for u in directory.units.values()}
    assert kb.citizen_level(by_kind["ward"]) == "commune"
    assert kb.citizen_level(by_kind["commune"]) == "commune"
    assert kb.citizen_level(by_kind["department"]) == "province"
    assert kb.citizen_level(by_kind["service_centre"]) == "province"
    assert kb.citizen_level("no-such-unit") is None and kb.citizen_level(None) is None


def test_search_passes_the_level_on(monkeypatch):
    seen = {}

    class FakeSearch:
        def search(self, text, k, *, with_rejected=False, level=None):
            seen.update(text=text, level=level)
            return []

    monkeypatch.setattr(kb.knowledge_base, "default_search", lambda: FakeSearch())
    ward = next(u.code for u in units.directory().units.values() if u.kind == "ward")
    kb.search("cấp lại thẻ", 5, unit=ward)
    assert seen == {"text": "cấp lại thẻ", "level": "commune"}
