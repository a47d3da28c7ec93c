"""Building, storing and loading the procedure index (passages, BM25, FAISS) with its manifest.

Each build goes to its own folder under the index directory; `CURRENT` names the one in service and
is replaced atomically, so a failed build never disturbs the index that is serving.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import pickle
import shutil
import time
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from . import vectors
from .config import Settings
from .encoder import Encoder, encoder_name, load_encoder
from .example_questions import ExampleQuestionsError, load_questions, questions_hash
from .lexical import LexicalIndex
from .out_of_scope import OutOfScopeQuestions, OutOfScopeQuestionsError
from .out_of_scope import load_questions as load_out_of_scope
from .out_of_scope import questions_hash as out_of_scope_hash
from .passages import Passage, procedure_passages
from .records import RecordProblem, load_records, merge_curated_first
from .schema import Procedure

FORMAT_VERSION = 7  # 4: the lexical index also holds accented terms; 5: and the out-of-scope questions;
# 6: "gp" and unaccented final i ("dang ki", "li lich", "qui dinh") fold as the records write them (normalize.py);
# 7: "dki" / "đki" are "đăng ký"
# Dense vectors only for the short passages that name and summarise a procedure: long lists of
# documents and steps are matched well lexically and would multiply encoding time at national scale.
DENSE_ASPECTS = ("overview", "fee", "time", "where", "online", "result")
# Imported records have no English names, and the packaged encoder reads little else: their
# names and overview are enough, and keep a from-scratch national build to a few minutes.
IMPORTED_DENSE_ASPECTS = ("overview",)
KEEP_BUILDS = 2


class IndexError_(RuntimeError):
    """The index cannot be used; the message says how to fix it."""


class IndexMissing(IndexError_):
    pass


class IndexMismatch(IndexError_):
    pass


def corpus_hash(procedures: list[Procedure]) -> str:
    digest = hashlib.sha256()
    for p in sorted(procedures, key=lambda p: p.id):
        digest.update(p.model_dump_json().encode())
    return digest.hexdigest()[:16]


@dataclass
class BuiltIndex:
    """Everything a search needs, loaded once per process and read-only afterwards."""

    manifest: dict
    procedures: dict[str, Procedure]
    passages: list[Passage]
    lexical: LexicalIndex
    dense: object  # faiss.Index
    encoder: Encoder
    passage_procedure: np.ndarray  # passage number -> procedure number
    dense_rows: np.ndarray  # FAISS row -> passage number
    procedure_ids: list[str]
    second_sources: dict[str, list[Procedure]]  # curated id -> imported records it replaced
    out_of_scope: OutOfScopeQuestions | None = None  # questions no procedure answers (out_of_scope.py)

    @classmethod
    def assemble(cls, *, manifest: dict, procedures: list[Procedure], passages: list[Passage],
                 lexical: LexicalIndex, dense, dense_rows: np.ndarray, encoder: Encoder,
                 second_sources: dict[str, list[Procedure]],
                 out_of_scope: OutOfScopeQuestions | None = None) -> "BuiltIndex":
        """The index from its stored parts; procedure numbering and the passage map are derived."""
        ids = [p.id for p in procedures]
        number = {pid: i for i, pid in enumerate(ids)}
        return cls(
            manifest=manifest, procedures={p.id: p for p in procedures}, passages=passages, lexical=lexical,
            dense=dense, encoder=encoder,
            passage_procedure=np.array([number[p.procedure_id] for p in passages], dtype=np.int32),
            dense_rows=dense_rows, procedure_ids=ids, second_sources=second_sources, out_of_scope=out_of_scope,
        )

    @cached_property
    def _passages_by_procedure(self) -> tuple[np.ndarray, np.ndarray]:
        """Passage numbers sorted by procedure, and where each procedure's run starts."""
        order = np.argsort(self.passage_procedure, kind="stable")
        return order, np.searchsorted(self.passage_procedure[order], np.arange(len(self.procedure_ids) + 1))

    def passages_of(self, number: int) -> np.ndarray:
        """The passage numbers of procedure `number`, ascending."""
        order, bounds = self._passages_by_procedure
        return order[bounds[number]:bounds[number + 1]]

    @cached_property
    def _of_record(self) -> np.ndarray:
        return np.array([not p.is_example for p in self.passages], dtype=bool)

    def record_passages_of(self, number: int) -> np.ndarray:
        """The passages of procedure `number` that say what its record says: without its example
        questions (how citizens ask, which share words with any question)."""
        passages = self.passages_of(number)
        return passages[self._of_record[passages]]

    @cached_property
    def procedure_numbers(self) -> dict[str, int]:
        """Procedure id -> its number in the index."""
        return {pid: i for i, pid in enumerate(self.procedure_ids)}


@dataclass
class BuildReport:
    path: Path
    manifest: dict
    problems: list[RecordProblem]
    seconds: float
    encoded: int  # passages encoded now (the rest came from the embedding cache)


class EmbeddingCache:
    """Passage vectors keyed by text hash, so a rebuild only encodes what changed."""

    def __init__(self, path: Path):
        self.path = path
        self.vectors: dict[str, np.ndarray] = {}
        if path.exists():
            with np.load(path) as data:
                self.vectors = dict(zip(data["keys"].tolist(), data["vectors"]))

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha1(text.encode()).hexdigest()

    def encode(self, encoder: Encoder, texts: list[str]) -> tuple[np.ndarray, int]:
        keys = [self.key(t) for t in texts]
        missing = sorted({k: t for k, t in zip(keys, texts) if k not in self.vectors}.items())
        if missing:
            fresh = encoder.encode_documents([t for _, t in missing])
            self.vectors.update({k: v for (k, _), v in zip(missing, fresh)})
        matrix = np.stack([self.vectors[k] for k in keys]) if keys else np.zeros((0, encoder.dim), np.float32)
        return matrix.astype(np.float32), len(missing)

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = np.array(list(self.vectors), dtype="U40")
        tmp = self.path.with_suffix(".tmp.npz")
        np.savez(tmp, keys=keys, vectors=np.stack(list(self.vectors.values())) if self.vectors else np.zeros((0, 1)))
        os.replace(tmp, self.path)


def build(settings: Settings, encoder: Encoder | None = None) -> BuildReport:
    started = time.perf_counter()
    encoder = encoder or load_encoder(settings.encoder)
    loaded, problems = load_records(settings.records_dirs)
    if not loaded:
        raise IndexError_("no valid procedure record found in " + ", ".join(map(str, settings.records_dirs)))
    catalogue = merge_curated_first(loaded)
    procedures = catalogue.procedures
    examples = _example_questions(settings)
    passages = [passage for p in procedures for passage in procedure_passages(p, examples.get(p.id, ()))]
    curated = {p.id for p in procedures if p.origin == "curated"}
    dense_rows = np.array([
        i for i, p in enumerate(passages)
        if p.aspect in (DENSE_ASPECTS if p.procedure_id in curated else IMPORTED_DENSE_ASPECTS)
    ], dtype=np.int64)
    cache = EmbeddingCache(settings.index_dir.parent / "cache" / f"embeddings-{_safe(encoder.name)}.npz")
    matrix, encoded = cache.encode(encoder, [passages[i].text for i in dense_rows])
    dense = vectors.build_vector_index(matrix, settings.approximate_above)
    lexical = LexicalIndex([p.text for p in passages])
    declined = _out_of_scope_questions()
    # beside how citizens name and ask for each procedure: its names, aliases and example questions
    asked = list(dict.fromkeys(p.text for p in passages if p.is_name)) if any(p.is_example for p in passages) else []
    out_of_scope = OutOfScopeQuestions.build(declined, asked)
    manifest = {
        "format": FORMAT_VERSION,
        "model": encoder.name,
        "dim": encoder.dim,
        "corpus_hash": corpus_hash(loaded),
        "example_questions": questions_hash(examples) if settings.example_questions else None,
        "out_of_scope_questions": out_of_scope_hash(declined),
        "built_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "procedures": len(procedures),
        "replaced_by_curated": sum(len(v) for v in catalogue.second_sources.values()),
        "passages": len(passages),
        "dense_passages": len(dense_rows),
        "faiss": vectors.index_kind(dense),
    }
    settings.index_dir.mkdir(parents=True, exist_ok=True)
    target = settings.index_dir / f"build-{time.strftime('%Y%m%d-%H%M%S')}-{time.time_ns() % 10**9:09d}"
    staging = target.with_name(target.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    vectors.save(dense, str(staging / "passages.faiss"))
    with open(staging / "lexical.pickle", "wb") as f:
        pickle.dump({"lexical": lexical, "passages": passages, "dense_rows": dense_rows,
                     "out_of_scope": out_of_scope}, f,
                    protocol=pickle.HIGHEST_PROTOCOL)
    (staging / "procedures.json").write_text(
        json.dumps([p.model_dump(mode="json") for p in procedures], ensure_ascii=False), encoding="utf-8"
    )
    if settings.calibration_questions and settings.calibration_questions.exists():
        built = BuiltIndex.assemble(manifest={}, procedures=procedures, passages=passages, lexical=lexical,
                                    dense=dense, dense_rows=dense_rows, encoder=encoder,
                                    second_sources=catalogue.second_sources, out_of_scope=out_of_scope)
        manifest["calibration"] = _calibrate(built, settings.calibration_questions)
    (staging / "second_sources.json").write_text(
        json.dumps({pid: [p.model_dump(mode="json") for p in ps] for pid, ps in catalogue.second_sources.items()},
                   ensure_ascii=False), encoding="utf-8")
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    shutil.rmtree(target, ignore_errors=True)
    os.replace(staging, target)
    _point_current(settings.index_dir, target.name)
    cache.save()
    _prune(settings.index_dir, keep=target.name)
    return BuildReport(target, manifest, problems, time.perf_counter() - started, encoded)


def current_build(settings: Settings) -> Path:
    current = settings.index_dir / "CURRENT"
    if not current.exists():
        raise IndexMissing(f"no index in {settings.index_dir}: build it with `python -m knowledge_base build`")
    return settings.index_dir / current.read_text().strip()


def check_manifest(path: Path, settings: Settings, encoder: Encoder | None = None, *,
                   check_corpus: bool = True) -> dict:
    """The build's manifest, or IndexMismatch saying why it cannot serve this configuration."""
    try:
        manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise IndexMissing(f"index {path} is missing or damaged: rebuild with `python -m knowledge_base build`")
    if manifest.get("format") != FORMAT_VERSION:
        raise IndexMismatch(f"index {path.name} has format {manifest.get('format')}, this code reads "
                            f"{FORMAT_VERSION}: rebuild with `python -m knowledge_base build`")
    expected = _expected_model(settings, encoder)
    if manifest.get("model") != expected:
        raise IndexMismatch(
            f"index {path.name} was built with encoder {manifest.get('model')!r} but the configured encoder "
            f"(KB_ENCODER) is {expected!r}: rebuild with `python -m knowledge_base build`"
        )
    if check_corpus:  # a background index answers with its own build: only its encoder must match
        expected_examples = questions_hash(_example_questions(settings)) if settings.example_questions else None
        if manifest.get("example_questions") != expected_examples:
            raise IndexMismatch(
                f"index {path.name} was built {'without' if expected_examples else 'with'} the example questions "
                f"(KB_EXAMPLE_QUESTIONS is {'on' if settings.example_questions else 'off'}), or they changed since: "
                "rebuild with `python -m knowledge_base build`")
        if manifest.get("out_of_scope_questions") != out_of_scope_hash(_out_of_scope_questions()):
            raise IndexMismatch(
                f"the out-of-scope questions (knowledge_base/out_of_scope_questions.yml) changed since index "
                f"{path.name} was built: rebuild with `python -m knowledge_base build`")
        live, _ = load_records(settings.records_dirs)
        if corpus_hash(live) != manifest.get("corpus_hash"):
            raise IndexMismatch(
                f"the procedure records changed since index {path.name} was built: "
                "rebuild with `python -m knowledge_base build`"
            )
    return manifest


def is_current(settings: Settings) -> bool:
    try:
        check_manifest(current_build(settings), settings)
    except IndexError_:
        return False
    return True


def load(settings: Settings, encoder: Encoder | None = None, *, check_corpus: bool = True) -> BuiltIndex:
    path = current_build(settings)
    manifest = check_manifest(path, settings, encoder, check_corpus=check_corpus)
    procedures = [Procedure.model_validate(d) for d in json.loads((path / "procedures.json").read_text("utf-8"))]
    encoder = encoder or load_encoder(settings.encoder)
    with open(path / "lexical.pickle", "rb") as f:
        stored = pickle.load(f)
    second_sources = json.loads((path / "second_sources.json").read_text("utf-8"))
    return BuiltIndex.assemble(
        manifest=manifest, procedures=procedures, passages=stored["passages"], lexical=stored["lexical"],
        dense=vectors.load(str(path / "passages.faiss")), dense_rows=stored["dense_rows"], encoder=encoder,
        second_sources={pid: [Procedure.model_validate(d) for d in ds] for pid, ds in second_sources.items()},
        out_of_scope=stored.get("out_of_scope"),
    )


def _example_questions(settings: Settings) -> dict[str, tuple[str, ...]]:
    """The project's example questions when the settings index them, else none; a broken file stops
    the build with its name and the procedure id (the index in service stays)."""
    if not settings.example_questions:
        return {}
    try:
        return load_questions()
    except ExampleQuestionsError as error:
        raise IndexError_(f"KB_EXAMPLE_QUESTIONS is on but {error}") from None


def _out_of_scope_questions() -> tuple[str, ...]:
    """The project's out-of-scope questions; a broken file stops the build with its name and the topic
    (the index in service stays)."""
    try:
        return load_out_of_scope()
    except OutOfScopeQuestionsError as error:
        raise IndexError_(str(error)) from None


def _calibrate(built: BuiltIndex, questions: Path) -> dict:
    from .calibration import calibrate_threshold
    from .retrieval import ProcedureSearch

    return calibrate_threshold(ProcedureSearch(built), questions)


def _expected_model(settings: Settings, encoder: Encoder | None) -> str:
    return encoder.name if encoder is not None else encoder_name(settings.encoder)


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)


def _point_current(index_dir: Path, name: str) -> None:
    tmp = index_dir / "CURRENT.tmp"
    tmp.write_text(name)
    os.replace(tmp, index_dir / "CURRENT")


def _prune(index_dir: Path, keep: str) -> None:
    builds = sorted((p for p in index_dir.glob("build-*") if p.is_dir()), key=lambda p: p.stat().st_mtime)
    for old in builds[:-KEEP_BUILDS]:
        if old.name != keep:
            shutil.rmtree(old, ignore_errors=True)
