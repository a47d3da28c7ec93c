"""Dialogue latency: turns per second and p50/p95/p99 through Rasa's REST channel with the action
server in the loop, at 1, 10 and 20 concurrent simulated citizens; one long conversation; and the same
in-scope questions answered by Rasa's own ResponseSelector trained on the same procedures, accuracy and
latency side by side. Prints figures and ratios; it never fails on a stopwatch.

Starts every server itself on free loopback ports and stops them at the end. Three systems, measured
in turn at each level so a change in the machine's other load hits them alike:
  ours           Rasa + action server as `scripts/run` starts them
  ours 1-thread  the same with OMP_NUM_THREADS=1 for the action server (the encoder's default two
                 torch threads spin against each other and against Rasa on 2 shared cores)
  ResponseSelector  Rasa's own retrieval baseline, trained meanwhile in a temporary project

    .venvs/app/bin/python bench/dialogue_latency.py           # full run, 12-14 minutes on 2 cores
    .venvs/app/bin/python bench/dialogue_latency.py --quick   # about 6 minutes, every 4th question for accuracy

Environment: RASA_BIN (default .venvs/rasa/bin/rasa), RASA_MODEL (default models/tthc.tar.gz), APP_PYTHON
(default .venvs/app/bin/python, runs the action servers), KB_* as for the action server (default: the
index in var/index, as `scripts/run` serves it).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import requests  # noqa: E402

from bench.dialogue import baseline, citizens, hops, outcomes  # noqa: E402
from bench.dialogue.servers import CORES, CpuShare, Server, free_port  # noqa: E402
from bench.measure import latency, machine, table, verdict  # noqa: E402

QUESTIONS = REPO / "tests" / "knowledge_base" / "eval_questions.jsonl"
CURATED = REPO / "knowledge_base" / "records" / "curated"
TARGET_P95_MS_AT_20 = 150.0  # issue 4
LEVELS = (1, 10, 20)
COMPARED_LEVELS = (1, 20)
THINK = (2.0, 4.0)  # seconds a citizen reads and types between messages, in the extra 20-citizen level
START_TIMEOUT = 360  # seconds: Rasa loads TensorFlow, the action server the encoder and index
TRAIN_TIMEOUT = 540
ONE_THREAD = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
RUNS = {  # turns and seconds per level and system, the long conversation, accuracy sample, direct calls
    "full": {"turns": 200, "cap": 35.0, "long": 200, "long_cap": 100.0, "every": 1, "direct": 20},
    "quick": {"turns": 60, "cap": 15.0, "long": 60, "long_cap": 45.0, "every": 4, "direct": 8},
}
ACCURACY_CONCURRENCY = 4
OURS, OURS_1T, RS = "ours", "ours 1-thread", "ResponseSelector"


@dataclass
class System:
    name: str
    rasa: Server  # the Rasa server answering on the REST channel
    actions: Server | None = None  # its action server (none for the baseline)

    @property
    def servers(self) -> dict[str, Server]:
        return {"rasa": self.rasa} | ({"actions": self.actions} if self.actions else {})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="60 turns or 15 s per level, every 4th question")
    args = parser.parse_args()
    run = RUNS["quick" if args.quick else "full"]
    started = time.perf_counter()
    # A TERM (e.g. a timeout) must still stop the servers: turn it into an exception.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("terminated"))

    rasa_bin = Path(os.environ.get("RASA_BIN", REPO / ".venvs" / "rasa" / "bin" / "rasa"))
    app_python = Path(os.environ.get("APP_PYTHON", REPO / ".venvs" / "app" / "bin" / "python"))
    model = Path(os.environ.get("RASA_MODEL", REPO / "models" / "tthc.tar.gz"))
    if not model.exists():
        sys.exit(f"no trained model at {model}: RASA_TELEMETRY_ENABLED=false {rasa_bin} train --fixed-model-name tthc")
    questions = citizens.load_questions(QUESTIONS)
    print(f"dialogue latency benchmark{' (--quick)' if args.quick else ''}, "
          f"{dt.datetime.now().isoformat(timespec='minutes')}, {machine()}")
    print(f"model {model.name} ({dt.datetime.fromtimestamp(model.stat().st_mtime).isoformat(timespec='minutes')}); "
          f"{describe_index()}; questions {QUESTIONS.relative_to(REPO)} "
          f"({sum(1 for q in questions if q.expected_id)} in scope, {sum(1 for q in questions if not q.expected_id)} out)")

    with tempfile.TemporaryDirectory(prefix="dialogue-bench-") as tmp_name, ExitStack() as stack:
        systems = start_systems(Path(tmp_name), stack, rasa_bin, app_python, model)
        print(f"ready after {time.perf_counter() - started:.0f} s: " + "; ".join(
            f"{s.name} {s.rasa.url}" + (f" -> {s.actions.url}" if s.actions else "") for s in systems.values()))
        for system in systems.values():
            warm_up(system)
        ours = [systems[OURS], systems[OURS_1T]]

        mixed = mixed_load(ours, questions, run, systems)
        same = side_by_side(list(systems.values()), questions, run, systems)
        long_run = long_conversation(systems[OURS_1T], questions, run, systems)
        timed_hops = direct_hops(ours, systems[RS], questions, run, long_run, rasa_bin)
        accuracy = accuracies(systems[OURS_1T], systems[RS], questions, run, systems)
        summary(mixed, same, accuracy, long_run, timed_hops)
    print(f"\ntotal {time.perf_counter() - started:.0f} s; {machine()}")
    return 0


# --- servers --------------------------------------------------------------------------------------------

def describe_index() -> str:
    index_dir = Path(os.environ.get("KB_INDEX_DIR", REPO / "var" / "index"))
    try:
        build = (index_dir / "CURRENT").read_text().strip()
        manifest = json.loads((index_dir / build / "manifest.json").read_text("utf-8"))
        return (f"index {build} ({manifest['procedures']:,} procedures, {manifest['passages']:,} passages, "
                f"encoder {manifest['model']})")
    except (OSError, ValueError, KeyError):
        return f"index {index_dir} (no manifest readable)"


def start_systems(tmp: Path, stack: ExitStack, rasa_bin: Path, app_python: Path, model: Path) -> dict[str, System]:
    """Both configurations of ours, and the ResponseSelector baseline trained meanwhile in tmp."""
    env = dict(os.environ, RASA_TELEMETRY_ENABLED="false", PYTHONPATH=str(REPO),
               DATABASE_URL=f"sqlite:///{tmp / 'app.db'}")  # unanswered questions go to tmp, not var/app.db
    project = tmp / "response-selector"
    procedures = baseline.write_project(project, CURATED, REPO / "data" / "nlu")

    def start(server: Server) -> Server:
        stack.callback(server.stop)
        return server.start()

    # Training competes with the start-up of our servers only, never with a measurement.
    print(f"training the ResponseSelector baseline in a tmp project ({procedures} procedures, DIET "
          f"{baseline.DIET_EPOCHS} epochs, ResponseSelector {baseline.RESPONSE_SELECTOR_EPOCHS}) while our "
          f"servers start", flush=True)
    training_started = time.perf_counter()
    training = start(Server("training", baseline.train_argv(rasa_bin, project), cwd=project, env=env, port=0,
                            ready_path="", log=tmp / "train.log"))
    systems = {}
    for name, extra_env in ((OURS, {}), (OURS_1T, ONE_THREAD)):
        slug = name.replace(" ", "-")
        action_port, rasa_port = free_port(), free_port()
        endpoints = tmp / f"endpoints-{slug}.yml"
        endpoints.write_text(f'action_endpoint:\n  url: "http://127.0.0.1:{action_port}/webhook"\n'
                             "tracker_store:\n  type: InMemoryTrackerStore\nlock_store:\n  type: in_memory\n")
        actions = start(Server(f"{name} actions", [str(app_python), "-m", "rasa_sdk", "--actions", "actions",
                                                   "--port", str(action_port)],
                               cwd=REPO, env=env | extra_env, port=action_port, ready_path="/health",
                               log=tmp / f"actions-{slug}.log"))
        rasa = start(Server(f"{name} Rasa", [str(rasa_bin), "run", "--enable-api", "-m", str(model), "--port",
                                             str(rasa_port), "--credentials", "credentials.yml", "--endpoints",
                                             str(endpoints)],
                            cwd=REPO, env=env, port=rasa_port, ready_path="/status", log=tmp / f"rasa-{slug}.log"))
        systems[name] = System(name, rasa, actions)
    deadline = time.monotonic() + START_TIMEOUT
    for system in systems.values():
        system.actions.wait_ready(deadline)
        system.rasa.wait_ready(deadline)
    try:
        code = training.process.wait(timeout=max(1.0, TRAIN_TIMEOUT - (time.perf_counter() - training_started)))
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"baseline training took over {TRAIN_TIMEOUT} s:\n{training.tail()}")
    if code:
        raise RuntimeError(f"baseline training failed:\n{training.tail()}")
    print(f"baseline trained in {time.perf_counter() - training_started:.0f} s (our servers starting meanwhile)",
          flush=True)
    selector_port = free_port()
    selector = start(Server(f"{RS} Rasa", [str(rasa_bin), "run", "--enable-api", "-m",
                                           str(baseline.model_path(project)), "--port", str(selector_port),
                                           "--credentials", "credentials.yml", "--endpoints", "endpoints.yml"],
                            cwd=project, env=env, port=selector_port, ready_path="/status", log=tmp / "rs.log"))
    selector.wait_ready(time.monotonic() + START_TIMEOUT)
    systems[RS] = System(RS, selector)
    return systems


def all_servers(systems: dict[str, System]) -> dict[str, Server]:
    return {f"{s.name}/{role}": server for s in systems.values() for role, server in s.servers.items()}


def warm_up(system: System) -> None:
    """A few untimed turns: the first question waits for the index, TensorFlow traces its graphs."""
    probe = "đăng ký khai sinh cần giấy tờ gì"
    for i in range(6):
        say(system.rasa, f"warm-up-{uuid.uuid4().hex[:8]}", probe if i % 2 == 0 else "thế phí bao nhiêu?")
    replies = say(system.rasa, f"warm-up-{uuid.uuid4().hex[:8]}", probe)
    line = (replies[0].get("text") or "").split("\n")[0][:80] if replies else "(no reply)"
    print(f"warm-up {system.name}: {probe!r} -> {line!r}", flush=True)


def say(server: Server, sender: str, text: str) -> list[dict]:
    response = requests.post(server.url + citizens.REST_PATH, json={"sender": sender, "message": text}, timeout=180)
    response.raise_for_status()
    return response.json()


# --- load -----------------------------------------------------------------------------------------------

LEVEL_HEADERS = ["system", "citizens", "turns", "errors", "turns/s", "p50 ms", "p95 ms", "p99 ms",
                 "cpu ms/turn", "cores: rasa", "actions", "citizens", "other"]


def measure_level(system: System, conversations, level: int, run: dict, systems: dict, tag: str,
                  think: tuple[float, float] | None = None) -> tuple[citizens.LevelResult, list]:
    """One system at one level, and its table row: latency, and where the CPU went meanwhile."""
    with CpuShare(all_servers(systems)) as cpu:
        result = citizens.run_level(system.rasa.url, conversations, level, max_turns=run["turns"],
                                    time_cap=run["cap"], tag=tag, think=think)
    stats = latency(result.samples)
    turns = len(result.samples)
    serving = [cpu.cores.get(f"{system.name}/{role}") for role in ("rasa", "actions")]
    cpu_per_turn = sum(c or 0.0 for c in serving) * result.wall / turns * 1000 if turns else None
    row = [system.name, f"{level} +think" if think else level, stats["n"], result.errors, result.turns_per_second,
           stats.get("p50"), stats.get("p95"), stats.get("p99"), cpu_per_turn, *serving,
           cpu.cores.get("citizens"), cpu.cores.get("other")]
    return result, row


def print_levels(rows: list[list]) -> None:
    print(table(LEVEL_HEADERS, rows))
    print(f"   cpu ms/turn: CPU time of the system's servers per turn (steadier than latency when the machine is "
          f"shared); cores: average cores busy during the level, of {CORES}; other = processes this benchmark did "
          f"not start")


def mixed_load(ours: list[System], questions, run: dict, systems: dict) -> dict:
    conversations = citizens.mixed_conversations(questions, 400, seed=1)
    print(f"\n== ours, REST + action server: mixed conversations (an eval question, in or out of scope; two "
          f"follow-ups; another question; a new sender each), ≤{run['turns']} turns or {run['cap']:.0f} s per level "
          f"and system", flush=True)
    rows, results = [], {}
    for level, think in [*((level, None) for level in LEVELS), (20, THINK)]:
        for system in ours:
            key = f"{level} think" if think else level
            results[(system.name, key)], row = measure_level(system, conversations, level, run, systems,
                                                             tag=f"mixed{level}", think=think)
            rows.append(row)
    print_levels(rows)
    print(f"   citizens send their next message as soon as the reply arrives (a closed loop: latency ≈ citizens / "
          f"turns per second), except '20 +think': {THINK[0]:.0f}-{THINK[1]:.0f} s between messages, like people "
          f"reading and typing")
    return results


def side_by_side(compared: list[System], questions, run: dict, systems: dict) -> dict:
    conversations = citizens.question_conversations(questions, 400, seed=11)
    print(f"\n== the same turns for {', '.join(s.name for s in compared)}: in-scope eval questions only (4 per "
          f"citizen, no follow-ups, a new sender each), ≤{run['turns']} turns or {run['cap']:.0f} s per level and "
          f"system", flush=True)
    rows, results = [], {}
    for level in COMPARED_LEVELS:
        for system in compared:
            results[(system.name, level)], row = measure_level(system, conversations, level, run, systems,
                                                               tag=f"same{level}")
            rows.append(row)
    print_levels(rows)
    return results


def long_conversation(system: System, questions, run: dict, systems: dict) -> dict:
    turns = run["long"]
    texts = [t for conversation in citizens.mixed_conversations(questions, turns // 4 + 1, seed=7)
             for t in conversation][:turns]
    sender = f"long-{uuid.uuid4().hex[:8]}"
    print(f"\n== {system.name}: one citizen, up to {turns} turns ({run['long_cap']:.0f} s cap) in one conversation "
          f"(the policies' max_history is 5)", flush=True)
    with CpuShare(all_servers(systems)) as cpu:
        samples = citizens.long_conversation(system.rasa.url, texts[:20], sender, time_cap=run["long_cap"])
        early = hops.tracker(system.rasa.url, sender)
        samples += citizens.long_conversation(system.rasa.url, texts[20:], sender,
                                              time_cap=run["long_cap"] - sum(samples))
        late = hops.tracker(system.rasa.url, sender)
    blocks = [samples[i:i + 20] for i in range(0, len(samples), 20)]
    print("p50 ms per block of 20 turns: " + ", ".join(f"{statistics.median(b) * 1000:.0f}" for b in blocks))
    size = lambda state: len(json.dumps(state).encode()) / 1024  # noqa: E731
    first, last = statistics.median(samples[:20]) * 1000, statistics.median(samples[-20:]) * 1000
    print(table(["turns", "p50 ms", "events in tracker", "tracker JSON KB"],
                [["1-20", first, len(early["events"]), size(early)],
                 [f"{len(samples) - 19}-{len(samples)}", last, len(late["events"]), size(late)],
                 ["last / first", last / first, len(late["events"]) / len(early["events"]), size(late) / size(early)]]))
    print(f"   {cpu}")
    return {"first": first, "last": last, "tracker": late, "turns": len(samples)}


# --- where the time goes --------------------------------------------------------------------------------

WHOLE, NLU, CONTEXT, ANSWER = ("whole REST turn (new conversation)", "Rasa NLU alone (/model/parse)",
                               "action_track_context (slot mapping, every turn)", "action_answer (knowledge base)")


def direct_hops(ours: list[System], selector: System, questions, run: dict, long_run: dict, rasa_bin: Path) -> dict:
    """Per question, every hop of every system one after the other, so they share the machine's load."""
    n = run["direct"]
    pool = [q for q in questions if q.expected_id]
    texts = [q.text for q in random.Random(5).sample(pool, n)]
    print(f"\n== where a question turn's time goes: each hop called directly, one call at a time, {n} in-scope "
          f"questions, systems interleaved", flush=True)
    samples = {(s.name, hop): [] for s in ours for hop in (WHOLE, NLU, CONTEXT, ANSWER)}
    samples |= {(RS, WHOLE): [], (RS, NLU): []}
    sizes: dict[tuple[str, str], int] = {}
    builders = {s.name: hops.ActionRequests(s.rasa.url) for s in ours}
    answer_response = None
    with requests.Session() as session:
        for text in texts:
            for system in ours:
                sender = f"hop-{uuid.uuid4().hex[:8]}"
                samples[(system.name, WHOLE)].append(hops.rest_turn(session, system.rasa.url, sender, text))
                state = hops.tracker(system.rasa.url, sender)
                samples[(system.name, NLU)].append(hops.post(session, system.rasa.url + "/model/parse",
                                                             {"text": text})[0])
                for hop, action in ((CONTEXT, "action_track_context"), (ANSWER, "action_answer")):
                    seconds, size, answer_response = hops.post(session, system.actions.url + "/webhook",
                                                               builders[system.name].body(action, state))
                    samples[(system.name, hop)].append(seconds)
                    sizes[(system.name, hop)] = size
            samples[(RS, WHOLE)].append(hops.rest_turn(session, selector.rasa.url, f"hop-{uuid.uuid4().hex[:8]}", text))
            samples[(RS, NLU)].append(hops.post(session, selector.rasa.url + "/model/parse", {"text": text})[0])
        long_hop = f"action_answer, tracker of the {long_run['turns']}-turn conversation"
        for _ in range(n):
            for system in ours:
                seconds, size, _ = hops.post(session, system.actions.url + "/webhook",
                                             builders[system.name].body("action_answer", long_run["tracker"]))
                samples.setdefault((system.name, long_hop), []).append(seconds)
                sizes[(system.name, long_hop)] = size
    validation = hops.validation_cost(rasa_bin, answer_response, n) if answer_response else {}

    rows = [[f"{system}: {hop}", latency(s)["p50"], latency(s)["p95"], sizes.get((system, hop), 0) / 1024 or None]
            for (system, hop), s in samples.items()]
    response_kb = len(json.dumps(answer_response).encode()) / 1024 if answer_response else None
    rows += [[label, latency(s)["p50"], latency(s)["p95"], response_kb] for label, s in validation.items()]
    print(table(["hop", "p50 ms", "p95 ms", "payload KB"], rows))
    check = next((latency(s)["p50"] for label, s in validation.items() if label.endswith("as Rasa does")), 0.0)
    for system in ours:
        whole, nlu, context, answer = (latency(samples[(system.name, hop)])["p50"] for hop in (WHOLE, NLU, CONTEXT, ANSWER))
        rest = whole - nlu - context - answer - 3 * check
        print(f"   {system.name}: a {whole:.0f} ms first turn (p50s) ≈ NLU {nlu:.0f} + action_track_context "
              f"{context:.0f} + action_answer {answer:.0f} + Rasa checking the 3 action responses (session start, "
              f"track_context, answer) 3 x {check:.0f} + {rest:.0f} ms for policies, tracker and HTTP")
    return {"samples": samples, "check": check}


# --- accuracy -------------------------------------------------------------------------------------------

def accuracies(ours: System, selector: System, questions, run: dict, systems: dict) -> dict:
    sample = questions[::run["every"]]
    texts = [q.text for q in sample]
    expected = [q.expected_id for q in sample]
    print(f"\n== accuracy on {len(sample)} eval questions ({sum(1 for e in expected if e)} in scope), each the first "
          f"message of a new conversation ({ours.name}; threads do not change answers)", flush=True)
    choose_texts = outcomes.choice_prompts(REPO / "domain.yml")
    with CpuShare(all_servers(systems)) as cpu:
        replies = citizens.each_once(ours.rasa.url, texts, ACCURACY_CONCURRENCY, tag="acc")
        ours_outcomes = []
        for sender, reply in replies:
            slots = requests.get(f"{ours.rasa.url}/conversations/{sender}/tracker", timeout=30).json().get("slots") or {}
            ours_outcomes.append(outcomes.our_outcome(reply, slots.get("procedure_id"), choose_texts))
        parsed = citizens.post_all(selector.rasa.url + "/model/parse", [{"text": t} for t in texts],
                                   ACCURACY_CONCURRENCY)
    failed = sum(1 for _, reply in replies if not reply) + sum(1 for p in parsed if p is None)
    counts = {OURS: outcomes.tally(ours_outcomes, expected),
              RS: outcomes.tally([(baseline.selected_procedure(p) if p else None, []) for p in parsed], expected)}
    keys = ["right", "choice_with_right", "wrong", "declined_in", "declined_out"]
    rows = [[name, c["in_scope"], *(outcomes.share(c, k) for k in keys)] for name, c in counts.items()]
    rows.append([f"{OURS} / {RS}", None, *[a / b if a is not None and b else None for a, b in zip(rows[0][2:], rows[1][2:])]])
    print(table(["system", "in scope", "answered right", "buttons incl. right", "answered wrong", "declined",
                 "out-of-scope declined"], rows))
    print(f"   ours: the procedure answered is the tracker's procedure_id slot after the turn, 'buttons' = it asked "
          f"the citizen to choose; {RS}: the /model/parse intent and response key. Failed requests: {failed}.")
    print(f"   {cpu}")
    return counts


# --- summary --------------------------------------------------------------------------------------------

def summary(mixed: dict, same: dict, accuracy: dict, long_run: dict, timed_hops: dict) -> None:
    print(f"\n== summary (target of issue 4: p95 ≤ {TARGET_P95_MS_AT_20:.0f} ms at 20 concurrent citizens)")
    rows = []
    names = (OURS, OURS_1T, RS)

    def add(metric: str, values: dict, target: str = "", met: str = "") -> None:
        a, b, rs = (values.get(name) for name in names)
        rows.append([metric, a, b, rs, a / rs if a is not None and rs else None,
                     b / rs if b is not None and rs else None, target, met])

    def p95_verdicts(stats: dict) -> tuple[str, str]:
        return (f"≤ {TARGET_P95_MS_AT_20:.0f}",
                " / ".join(verdict(stats[name]["p95"], TARGET_P95_MS_AT_20) for name in (OURS, OURS_1T)))

    for key, label in (("right", "in-scope questions answered right"),
                       ("declined_out", "out-of-scope questions declined")):
        ours_share = outcomes.share(accuracy[OURS], key)
        add(label, {OURS: ours_share, OURS_1T: ours_share, RS: outcomes.share(accuracy[RS], key)})
    for level in COMPARED_LEVELS:
        stats = {name: latency(same[(name, level)].samples) for name in names}
        add(f"same in-scope turns, {level} citizen(s): p50 ms", {k: v["p50"] for k, v in stats.items()})
        add(f"same in-scope turns, {level} citizen(s): p95 ms", {k: v["p95"] for k, v in stats.items()},
            *(p95_verdicts(stats) if level == 20 else ()))
        add(f"same in-scope turns, {level} citizen(s): turns/s",
            {name: same[(name, level)].turns_per_second for name in names})
    for level in (*LEVELS, "20 think"):
        stats = {name: latency(mixed[(name, level)].samples) for name in (OURS, OURS_1T)}
        who = f"20 citizens, {THINK[0]:.0f}-{THINK[1]:.0f} s think time" if level == "20 think" else f"{level} citizen(s)"
        add(f"mixed conversations, {who}: p95 ms", {k: v["p95"] for k, v in stats.items()},
            *(p95_verdicts(stats) if level in (20, "20 think") else ()))
        add(f"mixed conversations, {who}: turns/s", {name: mixed[(name, level)].turns_per_second for name in (OURS, OURS_1T)})
    add("first question turn, one at a time: p50 ms",
        {name: latency(timed_hops["samples"][(name, WHOLE)])["p50"] for name in names})
    add(f"long conversation ({long_run['turns']} turns): p50 last 20 / first 20",
        {OURS_1T: long_run["last"] / long_run["first"]}, "≈ 1 (flat)")
    print(table(["metric", *names, f"{OURS} / RS", f"{OURS_1T} / RS", "target", "verdict"], rows))
    print(f"   verdict: {OURS} / {OURS_1T}. Accuracy was measured once ({OURS_1T}); threads do not change answers.")


if __name__ == "__main__":
    sys.exit(main())
