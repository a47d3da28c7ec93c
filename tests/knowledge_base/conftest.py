"""Fixtures for the knowledge-base tests: indexes built into tmp folders with the deterministic
hashing encoder, over the real curated records or over small hand-written ones."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest
import yaml

import knowledge_base
from knowledge_base import index
from knowledge_base.config import REPO_ROOT, Settings
from knowledge_base.retrieval import ProcedureSearch

CURATED = REPO_ROOT / "knowledge_base" / "records" / "curated"


def real_settings(**env: str) -> Settings:
    """The real default configuration (model, var/index, records) whatever KB_* variables the shell has,
    with `env` on top: what the quality tests measure."""
    with pytest.MonkeyPatch.context() as patch:
        for name in ("KB_ENCODER", "KB_INDEX_DIR", "KB_RECORDS_DIRS", "KB_APPROXIMATE_ABOVE",
                     "KB_BACKGROUND_INDEX_DIR", "KB_EXAMPLE_QUESTIONS"):
            patch.delenv(name, raising=False)
        for name, value in env.items():
            patch.setenv(name, value)
        return Settings.from_env()


def kb_environment(monkeypatch: pytest.MonkeyPatch, records_dir: Path, index_dir: Path, **extra: str) -> Settings:
    """Point every KB_* variable at test folders (never at var/ or the real model) and read them back."""
    monkeypatch.setenv("KB_ENCODER", "hashing")
    monkeypatch.setenv("KB_INDEX_DIR", str(index_dir))
    monkeypatch.setenv("KB_RECORDS_DIRS", str(records_dir))
    monkeypatch.delenv("KB_APPROXIMATE_ABOVE", raising=False)
    monkeypatch.delenv("KB_EXAMPLE_QUESTIONS", raising=False)
    for name, value in extra.items():
        monkeypatch.setenv(name, value)
    return Settings.from_env()


def record(id: str = "dang-ky-nuoi-ong", name: str = "Đăng ký nuôi ong mật", **fields) -> dict:
    """A small valid record; keyword arguments replace or add fields."""
    data = {
        "id": id,
        "name": name,
        "aliases": ["nuôi ong lấy mật"],
        "field": "Nông nghiệp",
        "level": ["commune"],
        "processing_time": "05 ngày làm việc",
        "fee": {"summary": "Không thu phí"},
        "sources": [{"title": "Cổng Dịch vụ công quốc gia", "url": "https://dichvucong.gov.vn"}],
        "updated": "2026-01-15",
    }
    data.update(fields)
    return data


@pytest.fixture
def record_fields() -> Callable[..., dict]:
    """record_fields(**fields) -> the fields of a small valid record, as a dict."""
    return record


@pytest.fixture
def write_record() -> Callable[..., Path]:
    """write_record(folder, **fields) -> path of a YAML record file named after its id."""

    def write(folder: Path, filename: str | None = None, **fields) -> Path:
        data = record(**fields)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / (filename or f"{data['id']}.yml")
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        return path

    return write


@pytest.fixture
def small_records(tmp_path, write_record) -> Path:
    """A folder of three hand-written records."""
    folder = tmp_path / "records"
    write_record(folder)
    write_record(folder, id="cap-phep-khai-thac-cat", name="Cấp phép khai thác cát sỏi lòng sông",
                 aliases=["giấy phép khai thác cát"], field="Khoáng sản", level=["province"])
    write_record(folder, id="dang-ky-tau-ca", name="Đăng ký tàu cá", aliases=["đăng ký thuyền đánh cá"],
                 field="Thủy sản", level=["province"])
    return folder


@pytest.fixture
def configure_kb(monkeypatch, tmp_path) -> Callable[..., Settings]:
    """configure_kb(records_dir, KB_NAME=value…) -> Settings read from KB_* pointing at tmp_path/index."""

    def configure(records_dir: Path, **extra: str) -> Settings:
        return kb_environment(monkeypatch, records_dir, tmp_path / "index", **extra)

    return configure


@pytest.fixture
def small_env(configure_kb, small_records) -> Settings:
    """KB_* pointing at the hand-written records and an empty index folder (index/ inside tmp_path so
    the embedding cache, kept beside the index folder, is private to the test)."""
    return configure_kb(small_records)


@pytest.fixture(scope="session")
def curated_settings(tmp_path_factory) -> Settings:
    """One hashing-encoder index of the real curated records, built once for the whole session."""
    root = tmp_path_factory.mktemp("curated")
    with pytest.MonkeyPatch.context() as patch:
        settings = kb_environment(patch, CURATED, root / "index")
    index.build(settings)
    return settings


@pytest.fixture(scope="session")
def curated_index(curated_settings) -> index.BuiltIndex:
    return index.load(curated_settings)


@pytest.fixture(scope="session")
def curated_search(curated_index) -> ProcedureSearch:
    return ProcedureSearch(curated_index)


@pytest.fixture(scope="session")
def curated_dir() -> Path:
    return CURATED


@pytest.fixture
def curated_env(monkeypatch, curated_settings) -> Settings:
    """KB_* pointing at the session's curated index, for code that reads the environment itself."""
    return kb_environment(monkeypatch, CURATED, curated_settings.index_dir)


@pytest.fixture
def default_kb(curated_env):
    """The package-level interface (default_search, warm_up, get_procedure) served from the curated test
    index; the lazily loaded default is reset around the test so no other configuration leaks in."""
    knowledge_base._default = None
    yield knowledge_base
    knowledge_base._default = None
