"""Rasa's CPU per turn along one long conversation with bot.rasa_server's states window off and on,
interleaved in one process (bench/dialogue/rasa_turns.py, in Rasa's environment): the A/B of the
window alone, steadier than timing two servers on a machine other work shares. Prints CPU ms per
turn per block of 20 turns for both and their ratio; it never fails on a stopwatch.

    .venvs/app/bin/python bench/states_window.py             # 200 turns, ~3 minutes
    .venvs/app/bin/python bench/states_window.py --turns 60

The texts are the long conversation of bench/dialogue_latency.py (evaluation questions and
follow-ups). Custom actions are answered by a stub (a fixed reply and slot), so the action server's
own cost is not in the figures. RASA_STATES_WINDOW sets the window, as for the server.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.dialogue import citizens  # noqa: E402
from bench.dialogue_latency import QUESTIONS  # noqa: E402
from bench.measure import machine, table  # noqa: E402

BLOCK = 20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--turns", type=int, default=200)
    parser.add_argument("--model", type=Path, default=REPO / "models" / "tthc.tar.gz")
    args = parser.parse_args()
    texts = [t for conversation in citizens.mixed_conversations(citizens.load_questions(QUESTIONS),
                                                                  args.turns // 4 + 1, seed=7)
             for t in conversation][:args.turns]
    rasa_python = REPO / ".venvs" / "rasa" / "bin" / "python"
    print(f"states window benchmark, {dt.datetime.now().isoformat(timespec='minutes')}, {machine()}; "
          f"model {args.model}; {len(texts)} turns", flush=True)
    done = subprocess.run([str(rasa_python), str(REPO / "bench" / "dialogue" / "rasa_turns.py")],
                          input=json.dumps({"model": str(args.model), "texts": texts}), capture_output=True,
                          text=True, cwd=REPO, timeout=3600,
                          env=dict(os.environ, PYTHONPATH=str(REPO), RASA_TELEMETRY_ENABLED="false",
                                   TF_CPP_MIN_LOG_LEVEL="3"))
    if done.returncode:
        sys.exit(done.stderr[-3000:])
    found = json.loads(done.stdout.strip().splitlines()[-1])
    cpu = found["cpu_ms"]
    rasas, window = cpu["Rasa's states"], cpu["window"]
    rows = []
    for start in range(0, len(texts), BLOCK):
        a, b = statistics.median(rasas[start:start + BLOCK]), statistics.median(window[start:start + BLOCK])
        rows.append([f"{start + 1}-{min(start + BLOCK, len(texts))}", a, b, b / a])
    events = found["events"]  # the same if the window changed nothing the stub's replies depend on
    print(f"\n== Rasa CPU ms per turn, median per block of {BLOCK} turns (window of {found['window']} steps; "
          f"events in the trackers at the end: " + ", ".join(f"{name} {n}" for name, n in events.items()) + ")")
    print(table(["turns", "Rasa's states", "window", "window / Rasa's"], rows))
    first, last = rows[0], rows[-1]
    print(f"   last block / first block: Rasa's states {last[1] / first[1]:.2f}, window {last[2] / first[2]:.2f}")
    print(f"\n{machine()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
