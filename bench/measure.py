"""Measuring helpers shared by the bench scripts: latency percentiles, resident memory from /proc,
how busy the rest of the machine was meanwhile, and plain-text tables."""
from __future__ import annotations

import os
import platform
import time
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

CORES = os.cpu_count() or 1
DEV_QUESTIONS = [Path(__file__).resolve().parents[1] / "tests" / "knowledge_base" / name
                 for name in ("dev_questions.jsonl", "national_dev.jsonl", "english_dev.jsonl")]


def latency(samples: Iterable[float]) -> dict:
    """Percentiles in milliseconds and throughput of single calls timed in seconds."""
    values = np.asarray(list(samples), dtype=np.float64)
    if not len(values):
        return {"n": 0}
    p50, p95, p99 = np.percentile(values, [50, 95, 99]) * 1000
    return {"n": len(values), "p50": p50, "p95": p95, "p99": p99, "mean": values.mean() * 1000,
            "qps": 1 / values.mean() if values.mean() > 0 else float("inf")}


def time_calls(call: Callable[[int], object], n: int) -> list[float]:
    """Seconds taken by call(i) for i in range(n), each timed on its own."""
    samples = []
    for i in range(n):
        start = time.perf_counter()
        call(i)
        samples.append(time.perf_counter() - start)
    return samples


def interleaved(calls: dict[str, Callable[[str], object]], texts: list[str], rounds: int) -> dict[str, list[float]]:
    """Seconds of each variant on each text, the variants run one after another on the same text (and
    warmed up on the first 20), so that a busy machine slows them alike: the A/B of a search change."""
    for text in texts[:20]:
        for call in calls.values():
            call(text)
    samples: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(rounds):
        for text in texts:
            for name, call in calls.items():
                start = time.perf_counter()
                call(text)
                samples[name].append(time.perf_counter() - start)
    return samples


def encode_every_question(built) -> None:
    """Switch off the encoder's cache of recent questions (knowledge_base/encoder.py) on this index, so
    that a variant timed after another on the same question pays for encoding it too."""
    cache = getattr(built.encoder, "query_vectors", None)
    if cache is not None:
        cache.size = 0
        cache.clear()


def ab_setup(doc: str):
    """The command line of an A/B script over the dev questions (--rounds) and the configured index
    (var/index by default): (arguments, built index)."""
    import argparse

    from knowledge_base.config import Settings
    from knowledge_base.index import load

    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    return parser.parse_args(), load(Settings.from_env())


def dev_search_ab(built, searches: dict[str, Callable[[str], object]], rounds: int) -> list[str]:
    """The A/B of a search change: each variant's whole search over the dev questions, interleaved,
    every question encoded by each variant; prints the index and the counts, then p50/p95 and the
    ratio against the variant named "baseline". Returns the questions."""
    from knowledge_base.evaluate import read_questions

    encode_every_question(built)
    texts = [q["question"] for path in DEV_QUESTIONS for q in read_questions(path)]
    samples = interleaved(searches, texts, rounds)
    print(f"{built.manifest['procedures']} procedures, {built.manifest['passages']} passages, "
          f"{len(texts)} dev questions × {rounds} rounds")
    print_ab(samples, "baseline")
    return texts


def print_ab(samples: dict[str, list[float]], baseline: str) -> None:
    """p50/p95 per variant and each one's p50 ratio against the baseline."""
    figures = {name: latency(values) for name, values in samples.items()}
    for name, f in figures.items():
        print(f"  {name:14s} p50 {f['p50']:6.2f} ms   p95 {f['p95']:6.2f} ms")
    for name, f in figures.items():
        if name != baseline:
            print(f"  ratio ({name} / {baseline}, p50): {f['p50'] / figures[baseline]['p50']:.3f}")


def memory_mb() -> dict:
    """Resident memory now (VmRSS) and the process's peak so far (VmHWM), in MB."""
    found = {}
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(("VmRSS:", "VmHWM:")):
                found[line[:5].lower()] = int(line.split()[1]) / 1024
    return {"rss": found.get("vmrss", float("nan")), "hwm": found.get("vmhwm", float("nan"))}


def _cpu_jiffies() -> tuple[int, int, int]:
    """(busy, total) jiffies of the whole machine and the jiffies this process used."""
    with open("/proc/stat") as stat:
        fields = [int(x) for x in stat.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    total = sum(fields[:8])  # guest time is already counted in user
    with open("/proc/self/stat") as own:
        after_name = own.read().rsplit(")", 1)[1].split()
    mine = int(after_name[11]) + int(after_name[12])  # utime + stime of every thread
    return total - idle, total, mine


class OtherLoad:
    """How many cores the rest of the machine kept busy while a block ran (other processes compete
    with the benchmark on 2 cores, so every figure is printed next to this)."""

    def __init__(self):
        self.cores = float("nan")

    def __enter__(self) -> "OtherLoad":
        self._start = _cpu_jiffies()
        return self

    def __exit__(self, *exc) -> None:
        busy, total, mine = (end - start for end, start in zip(_cpu_jiffies(), self._start))
        self.cores = max(0.0, (busy - mine) / total * CORES) if total else float("nan")

    def __str__(self) -> str:
        return f"other processes kept {self.cores:.2f} of {CORES} cores busy"


def machine() -> str:
    load = " ".join(open("/proc/loadavg").read().split()[:3])
    return f"{platform.node() or 'host'}: {CORES} cores, Python {platform.python_version()}, load average {load}"


class Stopwatch:
    """Accumulates the time spent in wrapped functions, per label, so a call can be broken down."""

    def __init__(self):
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)

    def wrap(self, label: str, function: Callable) -> Callable:
        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[label] += time.perf_counter() - start
                self.calls[label] += 1

        return timed

    def patch(self, owner: object, name: str, label: str | None = None) -> None:
        setattr(owner, name, self.wrap(label or name, getattr(owner, name)))

    def take(self) -> dict[str, float]:
        """The seconds accumulated since the last take, then start again from zero."""
        taken = dict(self.seconds)
        self.seconds.clear()
        self.calls.clear()
        return taken


@contextmanager
def section(title: str):
    """Prints a title, runs the block, and prints how busy the rest of the machine was meanwhile."""
    print(f"\n== {title}", flush=True)
    started = time.perf_counter()
    with OtherLoad() as load:
        yield load
    print(f"   ({time.perf_counter() - started:.0f} s; {load})", flush=True)


def table(headers: list[str], rows: list[list[object]]) -> str:
    """Rows as right-aligned text columns (the first column left-aligned); floats with one or two
    decimals depending on size."""

    def cell(value: object) -> str:
        if isinstance(value, float):
            if value != value:  # NaN
                return "-"
            return f"{value:.2f}" if abs(value) < 10 else f"{value:.1f}" if abs(value) < 1000 else f"{value:,.0f}"
        return "-" if value is None else str(value)

    texts = [[cell(v) for v in row] for row in rows]
    widths = [max(len(str(h)), *(len(r[i]) for r in texts)) if texts else len(str(h)) for i, h in enumerate(headers)]
    lines = ["  ".join(str(h).ljust(w) if i == 0 else str(h).rjust(w) for i, (h, w) in enumerate(zip(headers, widths)))]
    lines.append("  ".join("-" * w for w in widths))
    for row in texts:
        lines.append("  ".join(v.ljust(w) if i == 0 else v.rjust(w) for i, (v, w) in enumerate(zip(row, widths))))
    return "\n".join(lines)


def verdict(value: float, target: float) -> str:
    return "met" if value <= target else "MISSED"
