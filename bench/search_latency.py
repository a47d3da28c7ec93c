"""Search latency and memory: FAISS alone and BM25 alone on synthetic corpora (1k to 1M passages),
then the whole search on the real index, hybrid side by side with BM25-only, dense-only and the
curated-only index. Prints figures and ratios; it never fails on a stopwatch.

    .venvs/app/bin/python bench/search_latency.py            # full run, a few minutes
    .venvs/app/bin/python bench/search_latency.py --quick    # skips FAISS at 1M and BM25 at 100k
"""
from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

from bench.measure import (Stopwatch, encode_every_question, latency, machine, memory_mb, section, table,  # noqa: E402
                           time_calls, verdict)

memory_at_start = memory_mb()

import faiss  # noqa: E402

from knowledge_base import index as kb_index  # noqa: E402
from knowledge_base import vectors  # noqa: E402
from knowledge_base.config import Settings  # noqa: E402
from knowledge_base.encoder import QUERY_CACHE_SIZE, load_encoder  # noqa: E402
from knowledge_base.lexical import LexicalIndex  # noqa: E402
from knowledge_base.retrieval import DENSE_CANDIDATES, REFINE_MARGIN, InvalidQuery, ProcedureSearch  # noqa: E402

QUESTIONS = REPO / "tests" / "knowledge_base" / "eval_questions.jsonl"
NATIONAL_QUESTIONS = REPO / "tests" / "knowledge_base" / "national_questions.jsonl"
CURATED = REPO / "knowledge_base" / "records" / "curated"
DIM = 384
# Targets of the foundation issue (#3), printed next to the figures.
TARGET_FAISS_P99_MS_AT_10K = 1.0
TARGET_SEARCH_P95_MS = 15.0
RECALL_QUERIES = 200
# A synthetic passage vector is a random mix of two real passage vectors plus noise of this norm:
# then the median cosine to the 10th nearest neighbour is close to the real index's (both printed).
NOISE = 0.6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="skip FAISS at 1M and BM25 at 100k passages")
    args = parser.parse_args()
    started = time.perf_counter()
    settings = Settings.from_env()
    threads = {"torch": None, "faiss": faiss.omp_get_max_threads()}
    print(f"search latency benchmark, {dt.datetime.now().isoformat(timespec='minutes')}, {machine()}")
    print(f"encoder {settings.encoder}, approximate FAISS index above {settings.approximate_above:,} passages, "
          f"k={DENSE_CANDIDATES} dense candidates per query")
    questions = [json.loads(line)["question"] for line in QUESTIONS.read_text("utf-8").splitlines() if line.strip()]

    with tempfile.TemporaryDirectory(prefix="kb-bench-") as tmp:
        with section("real indexes: reuse var/ when current, else build into a tmp folder"):
            full_settings = prepare_index("full", settings, settings.records_dirs, settings.index_dir, Path(tmp))
            curated_settings = prepare_index("curated", settings, (CURATED,),
                                             settings.index_dir.parent / "index-curated", Path(tmp))

        with section("resident memory (VmRSS now, VmHWM = peak so far) while loading"):
            stages = [("python started, numpy imported", memory_at_start),
                      ("+ faiss and knowledge_base imported", memory_mb())]
            encoder = load_encoder(settings.encoder)
            encoder.encode_queries(["khởi động"])
            stages.append(("+ encoder loaded, one query encoded", memory_mb()))
            full = kb_index.load(full_settings, encoder)
            stages.append((f"+ full index loaded ({full.manifest['procedures']} procedures)", memory_mb()))
            curated = kb_index.load(curated_settings, encoder)
            stages.append((f"+ curated index loaded ({curated.manifest['procedures']} procedures)", memory_mb()))
            rows, previous = [], None
            for label, mem in stages:
                rows.append([label, mem["rss"], mem["hwm"], mem["rss"] - previous if previous is not None else None])
                previous = mem["rss"]
            print(table(["stage", "VmRSS MB", "VmHWM MB", "+RSS MB"], rows))
            import torch

            threads["torch"] = torch.get_num_threads()

        targets = whole_search(full, curated, questions, threads, quick=args.quick)
        real_vectors = real_passage_vectors(full)
        question_vectors = encoder.encode_queries(questions)
        vocabulary_texts = [p.text for p in full.passages]
        del full, curated

    bm25_alone(vocabulary_texts, questions, quick=args.quick)
    del vocabulary_texts
    targets += faiss_alone(real_vectors, question_vectors, settings.approximate_above, threads["faiss"],
                           quick=args.quick)

    print("\n== targets (issue 3)")
    print(table(["target", "measured", "verdict"], targets))
    mem = memory_mb()
    largest = "100k" if args.quick else "1M"
    print(f"\npeak resident memory of this run (VmHWM, with the synthetic {largest} corpora): {mem['hwm']:,.0f} MB")
    print(f"total {time.perf_counter() - started:.0f} s; {machine()}")
    return 0


# --- the real index -------------------------------------------------------------------------------------

def prepare_index(name: str, settings: Settings, records_dirs, index_dir: Path, tmp: Path) -> Settings:
    """Settings of a current index of these records: the one in var/ if current, else a fresh build
    in tmp (in a child process, so its memory does not count here), reusing var/'s embedding cache."""
    wanted = dataclasses.replace(settings, records_dirs=tuple(records_dirs), index_dir=index_dir)
    if kb_index.is_current(wanted):
        print(f"{name}: using {kb_index.current_build(wanted)} (current)")
        return wanted
    built = dataclasses.replace(wanted, index_dir=tmp / name / "index")
    cache = settings.index_dir.parent / "cache"
    (tmp / name / "cache").mkdir(parents=True)
    for cached in cache.glob("embeddings-*.npz"):
        shutil.copy(cached, tmp / name / "cache" / cached.name)
    env = os.environ | {"KB_INDEX_DIR": str(built.index_dir),
                        "KB_RECORDS_DIRS": os.pathsep.join(map(str, records_dirs)),
                        "KB_ENCODER": settings.encoder, "KB_APPROXIMATE_ABOVE": str(settings.approximate_above)}
    print(f"{name}: {index_dir} is missing or stale; building into a tmp folder", flush=True)
    done = subprocess.run([sys.executable, "-m", "knowledge_base", "build"], cwd=REPO, env=env,
                          capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"building the {name} index failed:\n{done.stderr}")
    print(f"{name}: {done.stdout.strip()}")
    return built


def whole_search(full, curated, questions: list[str], threads: dict, *, quick: bool) -> list[list]:
    """p50/p95/p99 of ProcedureSearch.search with query encoding timed apart, modes interleaved
    per question so a busy neighbour affects them alike."""
    clock = Stopwatch()
    model_encoder = hasattr(full.encoder, "through_encode")  # not the hashing encoder
    if model_encoder:
        # every question is encoded: the figures are the forward pass's, not the repeated-question cache's
        encode_every_question(full)
        # the baseline: questions through sentence-transformers' encode(), as before knowledge_base/bert.py
        through_encode = dataclasses.replace(full, encoder=full.encoder.through_encode())
        clock.patch(through_encode.encoder, "encode_queries", "encode")
        # and the other precision of the lean pass (KB_QUESTION_PRECISION: int8 by default, or float32)
        other = "int8" if full.encoder.question_precision == "float32" else "float32"
        other_precision = dataclasses.replace(full, encoder=full.encoder.with_questions_in(other))
        encode_every_question(other_precision)
        if other_precision.encoder.question_precision != other:
            print(f"the {other} pass cannot run here (bert_int8.py): its row is float32 again")
        clock.patch(other_precision.encoder, "encode_queries", "encode")
    clock.patch(full.encoder, "encode_queries", "encode")  # one encoder object serves both indexes
    searchers = {
        "hybrid, full": ProcedureSearch(full),
        **({"hybrid, full, encode()": ProcedureSearch(through_encode),
            f"hybrid, full, {other}": ProcedureSearch(other_precision)} if model_encoder else {}),
        "BM25-only, full": ProcedureSearch(full, use_dense=False),
        "dense-only, full": ProcedureSearch(full, use_lexical=False),
        "hybrid, curated": ProcedureSearch(curated),
        # the 42 records declining what the national catalogue answers with another procedure (scope.py)
        "hybrid, curated, national background": ProcedureSearch(curated, background=ProcedureSearch(full)),
        "BM25-only, curated": ProcedureSearch(curated, use_dense=False),
    }
    baseline = {"full": "BM25-only, full", "curated": "BM25-only, curated"}
    for searcher in searchers.values():
        searcher.search("đăng ký khai sinh", 5)
    clock.take()
    # int8 questions within int8's error of a decision are scored again in float32 (retrieval.REFINE_MARGIN)
    refined = Stopwatch()
    refined.patch(searchers["hybrid, full"], "exactly_scored", "scored again")

    def print_refined(searched: int) -> None:
        again = refined.calls.get("scored again", 0)
        refined.take()
        if getattr(full.encoder, "approximate", False):
            print(f"hybrid, full: {again} of {searched} questions ({again / max(searched, 1):.1%}) scored again with "
                  f"their float32 vector (int8 within REFINE_MARGIN {REFINE_MARGIN} of a decision)")

    def run(modes: list[str], sample: list[str], rounds: int) -> dict[str, dict]:
        total = {m: [] for m in modes}
        encode = {m: [] for m in modes}
        for r in range(rounds):
            for i, question in enumerate(sample):
                for j in range(len(modes)):
                    mode = modes[(i + r + j) % len(modes)]
                    start = time.perf_counter()
                    try:
                        searchers[mode].search(question, 5)
                    except InvalidQuery:
                        pass
                    total[mode].append(time.perf_counter() - start)
                    encode[mode].append(clock.take().get("encode", 0.0))
        return {m: {"total": latency(total[m]), "encode": latency(encode[m]),
                    "rest": latency(np.subtract(total[m], encode[m]))} for m in modes}

    def print_run(results: dict[str, dict]) -> None:
        rows = []
        for mode, r in results.items():
            base = results.get(baseline[mode.split(", ")[1]])
            t, e, x = r["total"], r["encode"], r["rest"]
            ratio = (t["p50"] / base["total"]["p50"], t["p95"] / base["total"]["p95"]) if base else (None, None)
            rows.append([mode, t["n"], t["p50"], t["p95"], t["p99"], t["qps"],
                         e["p50"] if e["p50"] else None, e["p95"] if e["p95"] else None,
                         x["p50"], x["p95"], x["p99"], *ratio])
        print(table(["mode", "n", "p50 ms", "p95 ms", "p99 ms", "q/s", "encode p50", "encode p95",
                     "excl.enc p50", "p95", "p99", "x BM25 p50", "x BM25 p95"], rows))

    import torch

    configured = (threads["torch"], threads["faiss"])
    # every question: a p95 of a 43-question sample (quick runs before session 6) was its 3rd-slowest
    sample = questions
    size = (f"full index: {full.manifest['procedures']} procedures, {full.manifest['passages']:,} passages "
            f"({full.manifest['dense_passages']:,} dense, FAISS {full.manifest['faiss']}); curated index: "
            f"{curated.manifest['procedures']} procedures, {curated.manifest['passages']:,} passages")
    with section(f"whole search on the real index as configured (torch {configured[0]} threads, faiss "
                 f"{configured[1]}), {len(sample)} of {len(questions)} eval questions, ms per question"):
        print(size)
        print(f"questions encoded in {getattr(full.encoder, 'question_precision', 'n/a')} as configured "
              "(KB_QUESTION_PRECISION); 'int8'/'float32': bert.py's pass in the other precision (bert_int8.py "
              "for int8); 'encode()': sentence-transformers' encode()")
        as_configured = run([m for m in ("hybrid, full", "hybrid, full, int8", "hybrid, full, float32",
                                         "hybrid, full, encode()", "BM25-only, full")
                             if m in searchers], sample, 1)
        print_run(as_configured)
        print_refined(len(sample))

    torch.set_num_threads(1)
    faiss.omp_set_num_threads(1)
    rounds = 1 if quick else 2
    with section(f"whole search on the real index, single-threaded (torch 1, faiss 1), {len(questions)} eval "
                 f"questions x {rounds} rounds, ms per question"):
        single = run(list(searchers), questions, rounds)
        print_run(single)
        print_refined(len(questions) * rounds)

    cache = getattr(full.encoder, "query_vectors", None)
    if cache is not None:
        # above, every search encodes its question (cache off), so the background pays a second encoding;
        # in service its search finds the question's vector in the encoder's cache of recent questions
        with section(f"whole search, single-threaded, the {len(questions)} eval questions on the curated index "
                     "with its national background, the encoder's cache on as in service (each question "
                     "encoded once, by the curated pass), ms per question"):
            cache.size = QUERY_CACHE_SIZE
            cache.clear()
            print_run(run(["hybrid, curated, national background", "BM25-only, curated"], questions, 1))
            encode_every_question(full)

    if NATIONAL_QUESTIONS.exists():
        national = [json.loads(line)["question"] for line in NATIONAL_QUESTIONS.read_text("utf-8").splitlines()
                    if line.strip()]
        with section(f"whole search on the real index, single-threaded, the {len(national)} long-tail national "
                     "questions (harder: more of them lie near a decision), ms per question"):
            print_run(run(["hybrid, full", "BM25-only, full"], national, 1))
            print_refined(len(national))

    with section("where the time of one hybrid search goes (full index, single-threaded), ms per question"):
        parts = Stopwatch()
        hybrid = searchers["hybrid, full"]
        original_search_vectors = vectors.search_vectors
        vectors.search_vectors = parts.wrap("FAISS search", original_search_vectors)
        parts.patch(full.lexical, "query_terms", "BM25 query terms (typo correction)")
        parts.patch(full.lexical, "score", "BM25 scoring")
        parts.patch(hybrid, "_best_per_procedure", "best passage per procedure (Python loop)")
        samples: dict[str, list[float]] = {}
        for question in questions:
            start = time.perf_counter()
            hybrid.search(question, 5)
            elapsed = time.perf_counter() - start
            taken = parts.take() | {"query encoding": clock.take().get("encode", 0.0)}
            taken["rest (validation, fusion, sorting, hits)"] = elapsed - sum(taken.values())
            taken["whole search"] = elapsed
            for label, seconds in taken.items():
                samples.setdefault(label, []).append(seconds)
        vectors.search_vectors = original_search_vectors
        del full.lexical.query_terms, full.lexical.score
        whole = np.mean(samples["whole search"])
        print(table(["part", "p50 ms", "p95 ms", "mean ms", "share of mean"],
                    [[label, *(latency(s)[p] for p in ("p50", "p95", "mean")), f"{np.mean(s) / whole:.0%}"]
                     for label, s in samples.items()]))
    torch.set_num_threads(configured[0])
    faiss.omp_set_num_threads(configured[1])

    if model_encoder:
        with section("query encoding of a question asked before (the encoder's cache of recent questions)"):
            encoder = full.encoder
            encoder.query_vectors.size = 1024
            encoder.encode_queries(questions)
            print(table(["", "p50 ms", "p95 ms"], [["encode_queries, cached question",
                        *(latency(time_calls(lambda i: encoder.encode_queries([questions[i]]), len(questions)))[p]
                          for p in ("p50", "p95"))]]))
            encode_every_question(full)

    hybrid_configured = as_configured["hybrid, full"]["total"]["p95"]
    hybrid_single = single["hybrid, full"]["total"]["p95"]
    targets = [
        [f"whole search incl. encoding p95 <= {TARGET_SEARCH_P95_MS:g} ms, full index, as configured",
         f"{hybrid_configured:.1f} ms", verdict(hybrid_configured, TARGET_SEARCH_P95_MS)],
        [f"whole search incl. encoding p95 <= {TARGET_SEARCH_P95_MS:g} ms, full index, single-threaded",
         f"{hybrid_single:.1f} ms", verdict(hybrid_single, TARGET_SEARCH_P95_MS)],
    ]
    for how, results in (("as configured", as_configured), ("single-threaded", single)):
        for mode, before in (("hybrid, full, int8", "the int8 pass (KB_QUESTION_PRECISION=int8)"),
                             ("hybrid, full, float32", "bert.py's float32 pass (KB_QUESTION_PRECISION=float32)"),
                             ("hybrid, full, encode()", "encode() (before bert.py)")):
            if mode in results:
                p95 = results[mode]["total"]["p95"]
                targets.append([f"  the same {how}, questions through {before}", f"{p95:.1f} ms",
                                verdict(p95, TARGET_SEARCH_P95_MS)])
    return targets


def real_passage_vectors(built) -> np.ndarray | None:
    """The real index's passage vectors, as centres for the synthetic ones (None if not exact)."""
    if built.dense.d != DIM or not isinstance(built.dense, faiss.IndexFlat) or built.dense.ntotal == 0:
        return None
    return built.dense.reconstruct_n(0, built.dense.ntotal)


# --- BM25 alone -----------------------------------------------------------------------------------------

def synthetic_passages(texts: list[str], n: int, rng: np.random.Generator) -> list[str]:
    """Passages stitched from random 2-8 syllable spans of the real passages, with lengths drawn from
    the real ones: realistic syllables, bigrams and document frequencies, but no real procedure."""
    stream = np.array(" ".join(texts).split(), dtype=object)
    lengths = rng.choice([len(t.split()) for t in texts], size=n)
    passages = []
    for length in lengths:
        spans = rng.integers(2, 9, size=int(length) // 2 + 1)
        starts = rng.integers(0, len(stream) - 9, size=len(spans))
        words: list[str] = []
        for start, span in zip(starts, spans):
            words.extend(stream[start:start + span])
            if len(words) >= length:
                break
        passages.append(" ".join(words[:max(1, int(length))]))
    return passages


def bm25_alone(texts: list[str], questions: list[str], *, quick: bool) -> None:
    sizes = [1_000, 10_000] + ([] if quick else [100_000])
    rows = []
    with section(f"BM25 alone (LexicalIndex: query terms + scoring), synthetic passages from the real "
                 f"vocabulary, {len(questions)} eval questions x 2"):
        rng = np.random.default_rng(1)
        for n in sizes:
            passages = synthetic_passages(texts, n, rng)
            start = time.perf_counter()
            lexical = LexicalIndex(passages)
            built = time.perf_counter() - start
            asked = questions * 2
            result = latency(time_calls(lambda i, index=lexical: index.score(index.query_terms(asked[i])), len(asked)))
            rows.append([f"{n:,}", len(lexical.vocab), built, result["p50"], result["p95"], result["p99"],
                         result["qps"]])
            del lexical, passages
        print(table(["passages", "terms", "build s", "p50 ms", "p95 ms", "p99 ms", "q/s"], rows))


# --- FAISS alone ----------------------------------------------------------------------------------------

def synthetic_vectors(real: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """Unit vectors spread over the region the real passages occupy (mixes of two of them plus noise),
    rather than tight blobs around each, which would flatter an inverted-file index."""
    out = np.empty((n, DIM), dtype=np.float32)
    for start in range(0, n, 100_000):
        m = min(n, start + 100_000) - start
        share = rng.random((m, 1), dtype=np.float32)
        first, second = (real[rng.integers(0, len(real), size=m)] for _ in range(2))
        chunk = share * first + (1 - share) * second
        chunk += rng.standard_normal((m, DIM), dtype=np.float32) * np.float32(NOISE / np.sqrt(DIM))
        out[start:start + m] = chunk / np.linalg.norm(chunk, axis=1, keepdims=True)
    return out


def tenth_neighbour_cosine(built, queries: np.ndarray) -> float:
    """Median cosine of a stored vector to its 10th nearest other vector (the first hit is itself)."""
    return float(np.median(built.search(queries, 11)[0][:, 10]))


def recall(approximate, exact, queries: np.ndarray, k: int) -> float:
    found, truth = approximate.search(queries, k)[1], exact.search(queries, k)[1]
    return float(np.mean([len(set(a) & set(b)) / k for a, b in zip(found, truth)]))


def faiss_alone(real: np.ndarray | None, question_vectors: np.ndarray, approximate_above: int, default_threads: int,
                *, quick: bool) -> list[list]:
    rng = np.random.default_rng(2)
    have_real = real is not None and question_vectors.shape[1] == DIM
    if not have_real:
        real = rng.standard_normal((20_000, DIM), dtype=np.float32)
        origin = "20,000 random vectors (no real index vectors available)"
    else:
        origin = f"the {len(real):,} real passage vectors"
    real = real / np.linalg.norm(real, axis=1, keepdims=True)
    sizes = [1_000, 10_000, 100_000] + ([] if quick else [1_000_000])
    thread_settings = sorted({1, default_threads})
    rows, targets = [], []
    with section(f"FAISS alone, synthetic unit vectors (dim {DIM}) mixed from {origin}, single-query "
                 f"search k={DENSE_CANDIDATES}; exact = IndexFlatIP, approximate = "
                 f"vectors.build_vector_index(approximate_above={approximate_above:,}); recall on "
                 f"{RECALL_QUERIES} queries against exact"):
        for n in sizes:
            corpus = synthetic_vectors(real, n, rng)
            queries = synthetic_vectors(real, 1_000, rng)
            timed = 1_000 if n <= 10_000 else 300 if n <= 100_000 else 50
            exact, built = timed_build(corpus, n)
            if n == 10_000:
                real_exact = vectors.build_vector_index(real, len(real))
                print(f"median cosine to the 10th nearest neighbour: real passages "
                      f"{tenth_neighbour_cosine(real_exact, real[:500]):.2f}, synthetic "
                      f"{tenth_neighbour_cosine(exact, corpus[:500]):.2f}")
            exact_latency = {}
            for threads in thread_settings:
                faiss.omp_set_num_threads(threads)
                exact_latency[threads] = single_queries(exact, queries, timed)
                r = exact_latency[threads]
                rows.append([f"exact {n:,}", built, threads, r["p50"], r["p99"], r["qps"], None, None, None, None])
                if n == 10_000:
                    targets.append([f"FAISS p99 <= {TARGET_FAISS_P99_MS_AT_10K:g} ms at 10k passages, {threads} "
                                    f"thread(s)", f"{r['p99']:.2f} ms", verdict(r["p99"], TARGET_FAISS_P99_MS_AT_10K)])
            if n > approximate_above:
                approximate, built = timed_build(corpus, approximate_above)
                at10, at64 = (recall(approximate, exact, queries[:RECALL_QUERIES], k) for k in (10, DENSE_CANDIDATES))
                kind = f"{vectors.index_kind(approximate)} nlist={approximate.nlist} nprobe={approximate.nprobe}"
                for threads in thread_settings:
                    faiss.omp_set_num_threads(threads)
                    r = single_queries(approximate, queries, 500)
                    e = exact_latency[threads]
                    rows.append([f"{kind} {n:,}", built, threads, r["p50"], r["p99"], r["qps"],
                                 r["p50"] / e["p50"], r["p99"] / e["p99"], at10, at64])
                del approximate
            del exact, corpus
            print(f"   {n:,} passages done", flush=True)
        if not quick:
            # no cluster structure at all: the worst case for an inverted-file index
            corpus = rng.standard_normal((100_000, DIM), dtype=np.float32)
            corpus /= np.linalg.norm(corpus, axis=1, keepdims=True)
            queries = rng.standard_normal((RECALL_QUERIES, DIM), dtype=np.float32)
            queries /= np.linalg.norm(queries, axis=1, keepdims=True)
            exact, _ = timed_build(corpus, len(corpus))
            approximate, built = timed_build(corpus, approximate_above)
            rows.append(["ivf 100,000 uniform random (worst case)", built, None, None, None, None, None, None,
                         *(recall(approximate, exact, queries, k) for k in (10, DENSE_CANDIDATES))])
        if have_real and len(real) >= 1_000:
            # the real passages and questions, forced into the approximate index (today's corpus is
            # below the threshold): how much the real, less clustered data loses at the same nprobe share
            exact = vectors.build_vector_index(real, len(real))
            approximate, built = timed_build(real, 0)
            rows.append([f"ivf nlist={approximate.nlist} nprobe={approximate.nprobe} on the {len(real):,} real "
                         f"vectors, {len(question_vectors)} real questions", built, None, None, None, None, None, None,
                         *(recall(approximate, exact, question_vectors, k) for k in (10, DENSE_CANDIDATES))])
        faiss.omp_set_num_threads(default_threads)
        print(table(["index, passages", "build s", "threads", "p50 ms", "p99 ms", "q/s", "x exact p50",
                     "x exact p99", "recall@10", f"recall@{DENSE_CANDIDATES}"], rows))
    return targets


def timed_build(corpus: np.ndarray, approximate_above: int):
    start = time.perf_counter()
    built = vectors.build_vector_index(corpus, approximate_above)
    return built, time.perf_counter() - start


def single_queries(built, queries: np.ndarray, n: int) -> dict:
    for query in queries[:10]:
        vectors.search_vectors(built, query, DENSE_CANDIDATES)
    return latency(time_calls(lambda i: vectors.search_vectors(built, queries[i % len(queries)], DENSE_CANDIDATES), n))


if __name__ == "__main__":
    sys.exit(main())
