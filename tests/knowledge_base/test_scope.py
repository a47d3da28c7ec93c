"""A deployment answering only some procedures declines questions about the others when it reads a
wider catalogue as its background (knowledge_base/scope.py, KB_BACKGROUND_INDEX_DIR)."""
from __future__ import annotations

import shutil

import pytest

from knowledge_base import index
from knowledge_base.index import IndexError_
from knowledge_base.retrieval import Hit, ProcedureSearch, load_search
from knowledge_base.scope import CLOSE_CHOICE_SHARE, Scope, outside_scope
from tests.knowledge_base.conftest import kb_environment

HELD = ("dang-ky-khai-sinh", "cap-ho-chieu", "cap-giay-chung-nhan-lan-dau")


@pytest.fixture(scope="module")
def held_settings(tmp_path_factory, curated_dir):
    """A deployment holding three of the curated procedures (hashing encoder)."""
    root = tmp_path_factory.mktemp("held")
    (root / "records").mkdir()
    for name in HELD:
        shutil.copy(curated_dir / f"{name}.yml", root / "records" / f"{name}.yml")
    with pytest.MonkeyPatch.context() as patch:
        settings = kb_environment(patch, root / "records", root / "index", KB_CALIBRATION_QUESTIONS="none")
    index.build(settings)
    return settings


@pytest.fixture(scope="module")
def held_search(held_settings, curated_search):
    """The three procedures, with the 42 curated ones as the background catalogue."""
    return ProcedureSearch(index.load(held_settings), background=curated_search)


def test_a_question_about_a_procedure_the_background_holds_is_declined_and_named(held_search):
    question = "thủ tục đăng ký kết hôn"
    assert ProcedureSearch(held_search.index).search(question, 5)  # alone, the nearest held one answers
    assert held_search.search(question, 5) == []
    assert held_search.outside_scope(question).id == "dang-ky-ket-hon"


def test_a_question_about_a_held_procedure_is_answered_as_without_background(held_search):
    alone = ProcedureSearch(held_search.index)
    for question in ("đăng ký khai sinh cho con mới sinh", "làm hộ chiếu cần giấy tờ gì"):
        assert held_search.outside_scope(question) is None
        assert [h.id for h in held_search.search(question, 5)] == [h.id for h in alone.search(question, 5)]
        assert held_search.search(question, 5)[0].id in HELD


def test_the_rejected_choices_are_still_listed_on_request(held_search):
    assert held_search.search("thủ tục đăng ký kết hôn", 5, with_rejected=True)


def test_without_background_nothing_is_outside_the_scope(curated_search):
    assert curated_search.background is None
    assert curated_search.outside_scope("thủ tục đăng ký kết hôn") is None


def _hit(id: str, confidence: float, codes=()) -> Hit:
    return Hit(id=id, name=id, score=confidence, aspect="overview", official_code=list(codes), confidence=confidence)


class _Background:
    def __init__(self, hits):
        self.hits = hits

    def search(self, text, k, level=None):
        return self.hits[:k]


def test_a_held_procedure_close_to_the_background_answer_keeps_the_question(curated_index):
    scope = Scope([curated_index.procedures["dang-ky-khai-sinh"]])
    near = CLOSE_CHOICE_SHARE * 0.8
    assert outside_scope(_Background([_hit("other", 0.8), _hit("dang-ky-khai-sinh", near)]), scope, "q") is None
    declined = outside_scope(_Background([_hit("other", 0.8), _hit("dang-ky-khai-sinh", near - 0.01)]), scope, "q")
    assert declined.id == "other"
    assert outside_scope(_Background([]), scope, "q") is None  # the background has no answer either
    assert outside_scope(_Background([_hit("dang-ky-khai-sinh", 0.9)]), scope, "q") is None


def test_a_procedure_is_held_by_its_official_code_whatever_its_id(curated_index):
    birth = curated_index.procedures["dang-ky-khai-sinh"]
    scope = Scope([birth])
    assert birth.official_code
    assert scope.holds(_hit("portal-birth", 0.5, birth.official_code))
    assert not scope.holds(_hit("portal-other", 0.5, ["9.999999"]))


def test_the_background_is_configured_by_its_folder(held_settings, curated_settings, curated_index, monkeypatch):
    settings = kb_environment(monkeypatch, held_settings.records_dirs[0], held_settings.index_dir,
                              KB_BACKGROUND_INDEX_DIR=str(curated_settings.index_dir))
    search = load_search(settings)
    assert set(search.background.index.procedures) == set(curated_index.procedures)
    assert set(search.index.procedures) == set(HELD)
    assert search.search("thủ tục đăng ký kết hôn", 5) == []


def test_a_missing_background_index_is_refused_with_its_setting_named(held_settings, tmp_path, monkeypatch):
    settings = kb_environment(monkeypatch, held_settings.records_dirs[0], held_settings.index_dir,
                              KB_BACKGROUND_INDEX_DIR=str(tmp_path / "nowhere"))
    with pytest.raises(IndexError_, match="KB_BACKGROUND_INDEX_DIR"):
        load_search(settings)
    settings = kb_environment(monkeypatch, held_settings.records_dirs[0], held_settings.index_dir,
                              KB_BACKGROUND_INDEX_DIR="none")
    assert settings.background() is None
    assert load_search(settings).background is None


def test_the_command_line_names_the_procedure_outside_the_scope(held_settings, curated_settings, monkeypatch,
                                                                capsys):
    from knowledge_base.__main__ import main

    kb_environment(monkeypatch, held_settings.records_dirs[0], held_settings.index_dir,
                   KB_BACKGROUND_INDEX_DIR=str(curated_settings.index_dir))
    assert main(["search", "thủ tục đăng ký kết hôn"]) == 0
    assert "dang-ky-ket-hon" in capsys.readouterr().out
    assert main(["search", "thủ tục đăng ký kết hôn", "--json"]) == 0
    assert capsys.readouterr().out.strip() == "[]"  # the contract: no procedure to answer with
    for argv in (["search", "   "], ["search", "   ", "--json"]):  # no words: a message, not a traceback
        assert main(argv) == 0
        assert "invalid question" in capsys.readouterr().err
