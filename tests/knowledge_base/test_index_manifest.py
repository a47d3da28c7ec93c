"""Building and loading the index: the manifest, refusing a mismatched index, atomic rebuilds, the
approximate FAISS index and the embedding cache."""
from __future__ import annotations

import datetime as dt
import json
import shutil

import pytest

from knowledge_base import index
from knowledge_base.__main__ import main
from knowledge_base.config import Settings
from knowledge_base.passages import procedure_passages
from knowledge_base.records import load_records
from knowledge_base.retrieval import ProcedureSearch

MANIFEST_KEYS = {"model", "dim", "corpus_hash", "built_at", "procedures", "passages", "faiss"}


def current_name(settings: Settings) -> str:
    return (settings.index_dir / "CURRENT").read_text().strip()


def test_build_writes_a_manifest_beside_the_index(small_env):
    report = index.build(small_env)

    manifest = json.loads((report.path / "manifest.json").read_text(encoding="utf-8"))
    procedures, _ = load_records(small_env.records_dirs)
    assert MANIFEST_KEYS <= set(manifest)
    assert manifest == report.manifest
    assert (manifest["model"], manifest["dim"], manifest["faiss"]) == ("hashing-256", 256, "flat")
    assert manifest["procedures"] == 3
    assert manifest["passages"] == sum(len(procedure_passages(p)) for p in procedures)
    assert manifest["corpus_hash"] == index.corpus_hash(procedures)
    assert dt.datetime.fromisoformat(manifest["built_at"]).tzinfo is not None
    assert current_name(small_env) == report.path.name


def test_built_index_loads_and_answers(small_env):
    index.build(small_env)
    hits = ProcedureSearch(index.load(small_env)).search("đăng ký tàu cá", 3)
    assert hits[0].id == "dang-ky-tau-ca"


def test_loading_without_a_build_says_how_to_build(small_env):
    with pytest.raises(index.IndexMissing, match="python -m knowledge_base build"):
        index.load(small_env)


def test_loading_a_deleted_build_says_how_to_rebuild(small_env):
    report = index.build(small_env)
    shutil.rmtree(report.path)
    with pytest.raises(index.IndexError_, match="rebuild"):
        index.load(small_env)


@pytest.mark.parametrize("other_encoder", ["hashing-128", "minilm", "some-org/vietnamese-sbert"])
def test_index_built_with_another_encoder_is_refused(small_env, monkeypatch, other_encoder):
    index.build(small_env)
    monkeypatch.setenv("KB_ENCODER", other_encoder)

    with pytest.raises(index.IndexMismatch) as refused:
        index.load(Settings.from_env())

    message = str(refused.value)
    assert "rebuild" in message and "python -m knowledge_base build" in message
    assert "hashing-256" in message and other_encoder in message


def test_editing_a_record_after_the_build_makes_load_refuse(small_env, small_records):
    index.build(small_env)
    path = small_records / "dang-ky-tau-ca.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("05 ngày làm việc", "07 ngày làm việc"),
                    encoding="utf-8")

    assert not index.is_current(small_env)
    with pytest.raises(index.IndexMismatch, match="rebuild"):
        index.load(small_env)


def test_adding_or_removing_a_record_after_the_build_makes_load_refuse(small_env, small_records, write_record):
    index.build(small_env)
    write_record(small_records, id="cap-giay-phep-nuoi-cho", name="Cấp giấy phép nuôi chó")
    with pytest.raises(index.IndexMismatch, match="rebuild"):
        index.load(small_env)

    index.build(small_env)
    (small_records / "dang-ky-tau-ca.yml").unlink()
    with pytest.raises(index.IndexMismatch, match="rebuild"):
        index.load(small_env)


def test_build_if_stale_does_nothing_when_the_index_is_current(small_env, capsys):
    assert main(["build"]) == 0
    before = current_name(small_env)
    builds = sorted(p.name for p in small_env.index_dir.iterdir())
    capsys.readouterr()

    assert main(["build", "--if-stale"]) == 0

    assert "up to date" in capsys.readouterr().out
    assert current_name(small_env) == before
    assert sorted(p.name for p in small_env.index_dir.iterdir()) == builds


def test_build_if_stale_rebuilds_after_a_record_changed(small_env, small_records, write_record, capsys):
    assert main(["build"]) == 0
    write_record(small_records, id="cap-giay-phep-nuoi-cho", name="Cấp giấy phép nuôi chó")
    capsys.readouterr()

    assert main(["build", "--if-stale"]) == 0

    assert "built" in capsys.readouterr().out
    loaded = index.load(small_env)
    assert "cap-giay-phep-nuoi-cho" in loaded.procedures


def test_failed_build_leaves_the_serving_index_loadable(small_env, monkeypatch, tmp_path, write_record, capsys):
    assert main(["build"]) == 0
    serving = current_name(small_env)
    broken = tmp_path / "broken-records"
    write_record(broken, level="district")  # the only record is invalid: nothing to build from
    (broken / "garbage.yml").write_text("id: [", encoding="utf-8")
    monkeypatch.setenv("KB_RECORDS_DIRS", str(broken))
    capsys.readouterr()

    assert main(["build"]) == 2

    assert "no valid procedure record" in capsys.readouterr().err
    assert current_name(small_env) == serving
    monkeypatch.setenv("KB_RECORDS_DIRS", str(small_env.records_dirs[0]))
    hits = ProcedureSearch(index.load(Settings.from_env())).search("đăng ký tàu cá", 1)
    assert [h.id for h in hits] == ["dang-ky-tau-ca"]


class ExplodingEncoder:
    """An encoder that fails half-way through a build (out of memory, model file missing…)."""

    name = "hashing-256"
    dim = 256

    def encode_documents(self, texts):
        raise MemoryError("simulated failure while encoding")

    encode_queries = encode_documents


def test_build_that_crashes_while_encoding_leaves_the_serving_index_loadable(small_env, small_records, write_record):
    index.build(small_env)
    serving = current_name(small_env)
    new = write_record(small_records, id="cap-giay-phep-nuoi-cho", name="Cấp giấy phép nuôi chó")

    with pytest.raises(MemoryError):
        index.build(small_env, encoder=ExplodingEncoder())  # the new record's passages need encoding

    assert current_name(small_env) == serving
    new.unlink()  # back to the records the serving index was built from
    loaded = index.load(small_env)
    assert sorted(loaded.procedures) == ["cap-phep-khai-thac-cat", "dang-ky-nuoi-ong", "dang-ky-tau-ca"]


def test_large_corpus_uses_the_approximate_index_and_still_finds_exact_names(configure_kb, curated_dir):
    settings = configure_kb(curated_dir, KB_APPROXIMATE_ABOVE="50")
    assert settings.approximate_above == 50

    report = index.build(settings)
    loaded = index.load(settings)

    assert report.manifest["passages"] > 50 and report.manifest["faiss"] == "ivf"
    assert type(loaded.dense).__name__.startswith("IndexIVF")
    searcher = ProcedureSearch(loaded)
    misses = {p.name: [h.id for h in searcher.search(p.name, 3)] for p in loaded.procedures.values()
              if [h.id for h in searcher.search(p.name, 1)] != [p.id]}
    assert misses == {}


def test_embedding_cache_makes_a_second_build_encode_nothing(small_env, small_records, write_record):
    first = index.build(small_env)
    assert 0 < first.encoded <= first.manifest["dense_passages"]  # identical texts are encoded once

    second = index.build(small_env)
    assert second.encoded == 0

    write_record(small_records, id="cap-giay-phep-nuoi-cho", name="Cấp giấy phép nuôi chó")
    third = index.build(small_env)
    assert 0 < third.encoded < third.manifest["passages"]


def test_cached_vectors_give_the_same_answers_as_fresh_ones(small_env):
    index.build(small_env)
    fresh = ProcedureSearch(index.load(small_env)).search("nuôi ong lấy mật", 3)
    index.build(small_env)
    cached = ProcedureSearch(index.load(small_env)).search("nuôi ong lấy mật", 3)
    assert [(h.id, round(h.score, 5)) for h in cached] == [(h.id, round(h.score, 5)) for h in fresh]
