"""Dialogue latency: turns per second and p50/p95/p99 through Rasa's REST channel with the action
server in the loop, at 1, 10 and 20 concurrent simulated citizens (closed loop, and 20 with a reading
and typing pause); one long conversation; and the same in-scope questions answered by Rasa's own
ResponseSelector trained on the same procedures, accuracy and latency side by side. Prints figures and
ratios; it never fails on a stopwatch.

Starts every server itself on free loopback ports and stops them at the end. The systems are measured
in turn at each level, so a change in the machine's other load hits them alike:
  ours              Rasa + action server as `scripts/run` starts them, from this repository (or --tree)
  before            the same from an earlier tree (--before), e.g. the commit before a change, with the
                    model trained there: the A/B of a change, measured in the same run
  ResponseSelector  Rasa's own retrieval baseline, trained meanwhile in a temporary project

    .venvs/app/bin/python bench/dialogue_latency.py           # full run, 15-20 minutes on 2 cores
    .venvs/app/bin/python bench/dialogue_latency.py --quick   # about 7 minutes, every 4th question for accuracy
    .venvs/app/bin/python bench/dialogue_latency.py --long-only --before /tmp/before  # ~10 minutes
    # A/B against an earlier commit, without touching the work tree:
    git archive <commit> | tar -x -C /tmp/before && mkdir /tmp/before/models
    cd /tmp/before
    RASA_TELEMETRY_ENABLED=false <repo>/.venvs/rasa/bin/rasa train --fixed-model-name tthc --out models
    cd <repo>
    .venvs/app/bin/python bench/dialogue_latency.py --before /tmp/before

Both trees serve the same index (KB_INDEX_DIR, default this repository's var/index) and records.
Environment: RASA_BIN (default .venvs/rasa/bin/rasa), RASA_MODEL (default <tree>/models/tthc.tar.gz), APP_PYTHON
(default .venvs/app/bin/python, runs the action servers), KB_* as for the action server.
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
from bench.dialogue.servers import CORES, CpuShare, Server  # noqa: E402
from bench.measure import latency, machine, table, verdict  # noqa: E402
from bench.ports import free_port  # noqa: E402

QUESTIONS = REPO / "tests" / "knowledge_base" / "eval_questions.jsonl"
CURATED = REPO / "knowledge_base" / "records" / "curated"
TARGET_P95_MS_AT_20 = 150.0  # issue 4
LEVELS = (1, 10, 20)
COMPARED_LEVELS = (1, 20)
THINK = (3.0, 8.0)  # seconds a citizen reads the reply and types the next message, in the extra 20-citizen level
START_TIMEOUT = 360  # seconds: Rasa loads TensorFlow, the action server the encoder and index
TRAIN_TIMEOUT = 540
RUNS = {  # turns and seconds per level and system (think_cap: with think time), the long conversation,
    # accuracy sample, direct calls
    "full": {"turns": 200, "cap": 35.0, "think_cap": 100.0, "long": 200, "long_cap": 100.0, "every": 1, "direct": 20},
    "quick": {"turns": 60, "cap": 15.0, "think_cap": 45.0, "long": 60, "long_cap": 45.0, "every": 4, "direct": 8},
}
ACCURACY_CONCURRENCY = 4
OURS, BEFORE, RS = "ours", "before", "ResponseSelector"
LONG_ROUNDS = 2  # --long-only: the long conversation of each system, in turn, this many times


@dataclass
class System:
    name: str
    rasa: Server  # the Rasa server answering on the REST channel
    actions: Server | None = None  # its action server (none for the baseline)
    tree: Path | None = None  # the source tree it runs from

    @property
    def servers(self) -> dict[str, Server]:
        return {"rasa": self.rasa} | ({"actions": self.actions} if self.actions else {})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="60 turns or 15 s per level, every 4th question")
    parser.add_argument("--tree", type=Path, default=REPO, help="the tree 'ours' runs from (default: this repository)")
    parser.add_argument("--before", type=Path, help="an earlier tree to measure side by side (its model in "
                        "models/tthc.tar.gz or --before-model)")
    parser.add_argument("--before-model", type=Path, help="the model of the --before tree")
    parser.add_argument("--long-only", action="store_true",
                        help=f"only the long conversation, {LONG_ROUNDS} rounds of ours and before in turn, "
                             "without the ResponseSelector baseline")
    args = parser.parse_args()
    run = RUNS["quick" if args.quick else "full"]
    started = time.perf_counter()
    # A TERM (e.g. a timeout) must still stop the servers: turn it into an exception.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("terminated"))

    rasa_bin = Path(os.environ.get("RASA_BIN", REPO / ".venvs" / "rasa" / "bin" / "rasa"))
    app_python = Path(os.environ.get("APP_PYTHON", REPO / ".venvs" / "app" / "bin" / "python"))
    trees = {OURS: (args.tree.resolve(), Path(os.environ.get("RASA_MODEL", args.tree / "models" / "tthc.tar.gz")))}
    if args.before:
        trees[BEFORE] = (args.before.resolve(), args.before_model or args.before / "models" / "tthc.tar.gz")
    for name, (tree, model) in trees.items():
        if not model.exists():
            sys.exit(f"no trained model for {name} at {model}: (cd {tree} && RASA_TELEMETRY_ENABLED=false "
                     f"{rasa_bin} train --fixed-model-name tthc --out models)")
    questions = citizens.load_questions(QUESTIONS)
    print(f"dialogue latency benchmark{' (--quick)' if args.quick else ''}, "
          f"{dt.datetime.now().isoformat(timespec='minutes')}, {machine()}")
    for name, (tree, model) in trees.items():
        print(f"{name}: tree {tree} ({describe_tree(tree)}), model {model.name} "
              f"({dt.datetime.fromtimestamp(model.stat().st_mtime).isoformat(timespec='minutes')}), Rasa started "
              f"{'through bot.rasa_server' if (tree / 'bot' / 'rasa_server.py').exists() else 'by its plain CLI'}")
    print(f"{describe_index()}; questions {QUESTIONS.relative_to(REPO)} "
          f"({sum(1 for q in questions if q.expected_id)} in scope, "
          f"{sum(1 for q in questions if not q.expected_id)} out)")

    with tempfile.TemporaryDirectory(prefix="dialogue-bench-") as tmp_name, ExitStack() as stack:
        systems = start_systems(Path(tmp_name), stack, rasa_bin, app_python, trees, baseline_too=not args.long_only)
        print(f"ready after {time.perf_counter() - started:.0f} s: " + "; ".join(
            f"{s.name} {s.rasa.url}" + (f" -> {s.actions.url}" if s.actions else "") for s in systems.values()))
        for system in systems.values():
            warm_up(system)
        ours = [systems[name] for name in (OURS, BEFORE) if name in systems]
        if args.long_only:
            rounds = [{s.name: long_conversation(s, questions, run, systems) for s in ours}
                      for _ in range(LONG_ROUNDS)]
            long_summary([s.name for s in ours], rounds)
            print(f"\ntotal {time.perf_counter() - started:.0f} s; {machine()}")
            return 0

        mixed = mixed_load(ours, questions, run, systems)
        same = side_by_side(list(systems.values()), questions, run, systems)
        long_runs = {s.name: long_conversation(s, questions, run, systems) for s in ours}
        timed_hops = direct_hops(ours, systems[RS], questions, run, long_runs, rasa_bin)
        accuracy = accuracies(ours, systems[RS], questions, run, systems)
        summary([s.name for s in ours], mixed, same, accuracy, long_runs, timed_hops)
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


def describe_tree(tree: Path) -> str:
    """The commit a tree is at, when it is a git work tree, and whether it has uncommitted changes."""
    try:
        head = subprocess.run(["git", "-C", str(tree), "log", "-1", "--format=%h %cI"], capture_output=True,
                              text=True, timeout=30, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(tree), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=30).stdout.strip()
        return f"commit {head}" + (", with uncommitted changes" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "not a git work tree"


def question_turn_actions(tree: Path) -> list[str]:
    """The action-server calls a question turn makes in this tree: action_answer, and action_track_context
    unless the domain skips that slot mapping for questions (not_intent)."""
    import yaml

    domain = yaml.safe_load((tree / "domain.yml").read_text("utf-8"))
    mapping = (domain["slots"]["language"].get("mappings") or [{}])[0]
    skipped = "ask_procedure" in (mapping.get("not_intent") or [])
    return ["action_answer"] if skipped else ["action_track_context", "action_answer"]


def start_systems(tmp: Path, stack: ExitStack, rasa_bin: Path, app_python: Path,
                  trees: dict[str, tuple[Path, Path]], baseline_too: bool = True) -> dict[str, System]:
    """Ours (and before), and the ResponseSelector baseline trained meanwhile in tmp."""
    base_env = dict(os.environ, RASA_TELEMETRY_ENABLED="false",
                    DATABASE_URL=f"sqlite:///{tmp / 'app.db'}",  # unanswered questions go to tmp, not var/app.db
                    # every tree serves this repository's index and records
                    KB_INDEX_DIR=os.environ.get("KB_INDEX_DIR", str(REPO / "var" / "index")),
                    KB_RECORDS_DIRS=os.environ.get("KB_RECORDS_DIRS", os.pathsep.join(
                        str(d) for d in (REPO / "knowledge_base" / "records", REPO / "var" / "records"))))

    def start(server: Server) -> Server:
        stack.callback(server.stop)
        return server.start()

    if baseline_too:
        project = tmp / "response-selector"
        procedures = baseline.write_project(project, CURATED, REPO / "data" / "nlu")
        # Training competes with the start-up of our servers only, never with a measurement.
        print(f"training the ResponseSelector baseline in a tmp project ({procedures} procedures, DIET "
              f"{baseline.DIET_EPOCHS} epochs, ResponseSelector {baseline.RESPONSE_SELECTOR_EPOCHS}) while our "
              f"servers start", flush=True)
        training_started = time.perf_counter()
        training = start(Server("training", baseline.train_argv(rasa_bin, project), cwd=project,
                                env=base_env | {"PYTHONPATH": str(REPO)}, port=0, ready_path="",
                                log=tmp / "train.log"))
    systems = {name: start_ours(tmp, start, rasa_bin, app_python, base_env, name, tree, model)
               for name, (tree, model) in trees.items()}
    deadline = time.monotonic() + START_TIMEOUT
    for system in systems.values():
        system.actions.wait_ready(deadline)
        system.rasa.wait_ready(deadline)
    if not baseline_too:
        return systems
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
                            cwd=project, env=base_env | {"PYTHONPATH": str(REPO)}, port=selector_port,
                            ready_path="/status", log=tmp / "rs.log"))
    selector.wait_ready(time.monotonic() + START_TIMEOUT)
    systems[RS] = System(RS, selector)
    return systems


def start_ours(tmp: Path, start, rasa_bin: Path, app_python: Path, base_env: dict, name: str, tree: Path,
               model: Path) -> System:
    """A tree's Rasa and action server, started (not yet ready)."""
    env = base_env | {"PYTHONPATH": str(tree)}
    action_port, rasa_port = free_port(), free_port()
    endpoints = tmp / f"endpoints-{name}.yml"
    endpoints.write_text(f'action_endpoint:\n  url: "http://127.0.0.1:{action_port}/webhook"\n'
                         "tracker_store:\n  type: InMemoryTrackerStore\nlock_store:\n  type: in_memory\n")
    actions = start(Server(f"{name} actions", [str(app_python), "-m", "rasa_sdk", "--actions", "actions",
                                               "--port", str(action_port)],
                           cwd=tree, env=env, port=action_port, ready_path="/health",
                           log=tmp / f"actions-{name}.log"))
    # as that tree's scripts/run starts Rasa: through bot.rasa_server where it exists
    entry = ([str(rasa_bin.parent / "python"), "-m", "bot.rasa_server"]
             if (tree / "bot" / "rasa_server.py").exists() else [str(rasa_bin)])
    rasa = start(Server(f"{name} Rasa", [*entry, "run", "--enable-api", "-m", str(model.resolve()), "--port",
                                         str(rasa_port), "--credentials", "credentials.yml", "--endpoints",
                                         str(endpoints)],
                        cwd=tree, env=env, port=rasa_port, ready_path="/status", log=tmp / f"rasa-{name}.log"))
    return System(name, rasa, actions, tree)


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
                                    time_cap=run["think_cap" if think else "cap"], tag=tag, think=think)
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
    print(f"   closed loop: citizens send their next message as soon as the reply arrives (latency ≈ citizens / "
          f"turns per second; 20 closed-loop citizens are far more load than 20 people). '20 +think': each waits "
          f"{THINK[0]:.0f}-{THINK[1]:.0f} s (uniform) before every message, like people reading and typing, "
          f"≤{run['think_cap']:.0f} s per system")
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
          f"session", flush=True)
    samples: list[float] = []
    cpu_ms = {role: [] for role in system.servers}  # CPU ms per turn of each server, per block of 20 turns
    early = None
    with CpuShare(all_servers(systems)) as cpu:
        for start in range(0, len(texts), 20):
            if sum(samples) >= run["long_cap"]:
                break
            used = {role: server.cpu_seconds() for role, server in system.servers.items()}
            block = citizens.long_conversation(system.rasa.url, texts[start:start + 20], sender,
                                               time_cap=run["long_cap"] - sum(samples))
            for role, server in system.servers.items():
                cpu_ms[role].append((server.cpu_seconds() - used[role]) * 1000 / max(len(block), 1))
            samples += block
            if early is None:
                early = hops.tracker(system.rasa.url, sender)
        late = hops.tracker(system.rasa.url, sender)
    blocks = [samples[i:i + 20] for i in range(0, len(samples), 20)]
    print("p50 ms per block of 20 turns: " + ", ".join(f"{statistics.median(b) * 1000:.0f}" for b in blocks))
    for role, values in cpu_ms.items():
        print(f"{role} CPU ms per turn, per block of 20 turns: " + ", ".join(f"{v:.0f}" for v in values))
    size = lambda state: len(json.dumps(state).encode()) / 1024  # noqa: E731
    first, last = statistics.median(samples[:20]) * 1000, statistics.median(samples[-20:]) * 1000
    roles = list(cpu_ms)
    print(table(["turns", "p50 ms", *(f"{role} CPU ms/turn" for role in roles), "events in tracker",
                 "tracker JSON KB"],
                [["1-20", first, *(cpu_ms[r][0] for r in roles), len(early["events"]), size(early)],
                 [f"{len(samples) - len(blocks[-1]) + 1}-{len(samples)}", last, *(cpu_ms[r][-1] for r in roles),
                  len(late["events"]), size(late)],
                 ["last / first", last / first, *(cpu_ms[r][-1] / cpu_ms[r][0] for r in roles),
                  len(late["events"]) / len(early["events"]), size(late) / size(early)]]))
    print(f"   {cpu}\n   CPU ms/turn: CPU time of the server (and its children) during the block, per turn: "
          f"steadier than latency when other work shares the cores")
    return {"first": first, "last": last, "tracker": late, "turns": len(samples), "cpu_ms": cpu_ms}


# --- where the time goes --------------------------------------------------------------------------------

WHOLE, NLU = "whole REST turn (new conversation)", "Rasa NLU alone (/model/parse)"
ACTION_HOPS = {"action_track_context": "action_track_context (slot mapping)",
               "action_answer": "action_answer (knowledge base)"}


def direct_hops(ours: list[System], selector: System, questions, run: dict, long_runs: dict, rasa_bin: Path) -> dict:
    """Per question, every hop of every system one after the other, so they share the machine's load."""
    n = run["direct"]
    pool = [q for q in questions if q.expected_id]
    texts = [q.text for q in random.Random(5).sample(pool, n)]
    calls = {s.name: question_turn_actions(s.tree) for s in ours}
    print(f"\n== where a question turn's time goes: each hop called directly, one call at a time, {n} in-scope "
          f"questions, systems interleaved; action calls of a question turn: " +
          "; ".join(f"{name} {' + '.join(c)}" for name, c in calls.items()), flush=True)
    samples = {(s.name, hop): [] for s in ours for hop in (WHOLE, NLU, *(ACTION_HOPS[a] for a in calls[s.name]))}
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
                for action in calls[system.name]:
                    seconds, size, answer_response = hops.post(session, system.actions.url + "/webhook",
                                                               builders[system.name].body(action, state))
                    samples[(system.name, ACTION_HOPS[action])].append(seconds)
                    sizes[(system.name, ACTION_HOPS[action])] = size
            samples[(RS, WHOLE)].append(hops.rest_turn(session, selector.rasa.url, f"hop-{uuid.uuid4().hex[:8]}", text))
            samples[(RS, NLU)].append(hops.post(session, selector.rasa.url + "/model/parse", {"text": text})[0])
        for _ in range(n):
            for system in ours:
                long_run = long_runs[system.name]
                long_hop = f"action_answer, tracker of its {long_run['turns']}-turn conversation"
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
    check = {("built once" if label.endswith("built once") else "as Rasa does"): latency(s)["p50"]
             for label, s in validation.items()}
    for system in ours:
        whole, nlu = (latency(samples[(system.name, hop)])["p50"] for hop in (WHOLE, NLU))
        actions = {a: latency(samples[(system.name, ACTION_HOPS[a])])["p50"] for a in calls[system.name]}
        # a new conversation's first turn: session start + these calls, each response validated by Rasa
        responses = 1 + len(actions)
        patched = (system.tree / "bot" / "rasa_server.py").exists()
        per_check = check.get("built once" if patched else "as Rasa does", 0.0)
        rest = whole - nlu - sum(actions.values()) - responses * per_check
        print(f"   {system.name}: a {whole:.0f} ms first turn (p50s) ≈ NLU {nlu:.0f} + " +
              " + ".join(f"{a} {ms:.0f}" for a, ms in actions.items()) +
              f" + Rasa checking {responses} action responses (session start, {', '.join(actions)}) "
              f"{responses} x {per_check:.1f} ({'validator built once' if patched else 'as Rasa 3.6 does'}) + "
              f"{rest:.0f} ms for policies, tracker and HTTP")
    return {"samples": samples, "check": check}


# --- accuracy -------------------------------------------------------------------------------------------

def accuracies(ours: list[System], selector: System, questions, run: dict, systems: dict) -> dict:
    sample = questions[::run["every"]]
    texts = [q.text for q in sample]
    expected = [q.expected_id for q in sample]
    print(f"\n== accuracy on {len(sample)} eval questions ({sum(1 for e in expected if e)} in scope), each the first "
          f"message of a new conversation", flush=True)
    choose_texts = outcomes.choice_prompts(REPO / "domain.yml")
    counts, failed = {}, 0
    with CpuShare(all_servers(systems)) as cpu:
        for system in ours:
            replies = citizens.each_once(system.rasa.url, texts, ACCURACY_CONCURRENCY, tag=f"acc-{system.name}")
            found = []
            for sender, reply in replies:
                slots = requests.get(f"{system.rasa.url}/conversations/{sender}/tracker",
                                     timeout=30).json().get("slots") or {}
                found.append(outcomes.our_outcome(reply, slots.get("procedure_id"), choose_texts))
            failed += sum(1 for _, reply in replies if not reply)
            counts[system.name] = outcomes.tally(found, expected)
        parsed = citizens.post_all(selector.rasa.url + "/model/parse", [{"text": t} for t in texts],
                                   ACCURACY_CONCURRENCY)
    failed += sum(1 for p in parsed if p is None)
    counts[RS] = outcomes.tally([(baseline.selected_procedure(p) if p else None, []) for p in parsed], expected)
    keys = ["right", "choice_with_right", "wrong", "declined_in", "declined_out"]
    rows = [[name, c["in_scope"], *(outcomes.share(c, k) for k in keys)] for name, c in counts.items()]
    for name in (s.name for s in ours):
        ratio_of = [r for r in rows if r[0] == name][0]
        rows.append([f"{name} / {RS}", None, *[a / b if a is not None and b else None
                                               for a, b in zip(ratio_of[2:], rows[len(ours)][2:])]])
    print(table(["system", "in scope", "answered right", "buttons incl. right", "answered wrong", "declined",
                 "out-of-scope declined"], rows))
    print(f"   ours/before: the procedure answered is the tracker's procedure_id slot after the turn, 'buttons' = it "
          f"asked the citizen to choose; {RS}: the /model/parse intent and response key. Failed requests: {failed}.")
    print(f"   {cpu}")
    return counts


# --- summary --------------------------------------------------------------------------------------------

def long_summary(ours: list[str], rounds: list[dict]) -> None:
    print(f"\n== summary: the long conversation, {len(rounds)} rounds (ours, before, ours, before...)")
    rows = []
    for name in ours:
        for number, runs in enumerate(rounds, 1):
            run, rasa = runs[name], runs[name]["cpu_ms"]["rasa"]
            rows.append([name, number, run["turns"], run["first"], run["last"], run["last"] / run["first"],
                         rasa[0], rasa[-1], rasa[-1] / rasa[0]])
    if BEFORE in ours:
        for number, runs in enumerate(rounds, 1):
            ours_cpu, before_cpu = runs[OURS]["cpu_ms"]["rasa"], runs[BEFORE]["cpu_ms"]["rasa"]
            rows.append([f"{OURS} / {BEFORE}", number, None, runs[OURS]["first"] / runs[BEFORE]["first"],
                         runs[OURS]["last"] / runs[BEFORE]["last"], None, ours_cpu[0] / before_cpu[0],
                         ours_cpu[-1] / before_cpu[-1], None])
    print(table(["system", "round", "turns", "p50 ms turns 1-20", "p50 ms last 20", "last / first",
                 "Rasa CPU ms/turn 1-20", "last 20", "last / first"], rows))


def summary(ours: list[str], mixed: dict, same: dict, accuracy: dict, long_runs: dict, timed_hops: dict) -> None:
    print(f"\n== summary (target of issue 4: p95 ≤ {TARGET_P95_MS_AT_20:.0f} ms at 20 concurrent citizens)")
    names = (*ours, RS)
    rows = []

    def add(metric: str, values: dict, target: str = "", met: str = "") -> None:
        row = [metric, *(values.get(name) for name in names)]
        mine, rs = values.get(OURS), values.get(RS)
        if BEFORE in ours:
            before = values.get(BEFORE)
            row.append(mine / before if mine is not None and before else None)
        row.append(mine / rs if mine is not None and rs else None)
        rows.append(row + [target, met])

    def p95_verdicts(stats: dict) -> tuple[str, str]:
        return (f"≤ {TARGET_P95_MS_AT_20:.0f}", " / ".join(verdict(stats[name]["p95"], TARGET_P95_MS_AT_20)
                                                            for name in ours))

    for key, label in (("right", "in-scope questions answered right"),
                       ("declined_out", "out-of-scope questions declined")):
        add(label, {name: outcomes.share(accuracy[name], key) for name in names})
    for level in COMPARED_LEVELS:
        stats = {name: latency(same[(name, level)].samples) for name in names}
        add(f"same in-scope turns, {level} citizen(s): p50 ms", {k: v["p50"] for k, v in stats.items()})
        add(f"same in-scope turns, {level} citizen(s): p95 ms", {k: v["p95"] for k, v in stats.items()},
            *(p95_verdicts(stats) if level == 20 else ()))
        add(f"same in-scope turns, {level} citizen(s): turns/s",
            {name: same[(name, level)].turns_per_second for name in names})
    for level in (*LEVELS, "20 think"):
        stats = {name: latency(mixed[(name, level)].samples) for name in ours}
        who = (f"20 citizens, {THINK[0]:.0f}-{THINK[1]:.0f} s think time" if level == "20 think"
               else f"{level} citizen(s), closed loop")
        add(f"mixed conversations, {who}: p50 ms", {k: v["p50"] for k, v in stats.items()})
        add(f"mixed conversations, {who}: p95 ms", {k: v["p95"] for k, v in stats.items()},
            *(p95_verdicts(stats) if level in (20, "20 think") else ()))
        add(f"mixed conversations, {who}: turns/s", {name: mixed[(name, level)].turns_per_second for name in ours})
    add("first question turn, one at a time: p50 ms",
        {name: latency(timed_hops["samples"][(name, WHOLE)])["p50"] for name in names})
    add("long conversation: p50 last 20 / first 20 turns",
        {name: long_runs[name]["last"] / long_runs[name]["first"] for name in ours}, "≈ 1 (flat)")
    add("long conversation: p50 ms of the last 20 turns", {name: long_runs[name]["last"] for name in ours})
    add("long conversation: Rasa CPU ms/turn, last 20 / first 20",
        {name: long_runs[name]["cpu_ms"]["rasa"][-1] / long_runs[name]["cpu_ms"]["rasa"][0] for name in ours})
    ratios = ([f"{OURS} / {BEFORE}"] if BEFORE in ours else []) + [f"{OURS} / RS"]
    print(table(["metric", *names, *ratios, "target", "verdict"], rows))
    print(f"   verdict: {' / '.join(ours)}.")


if __name__ == "__main__":
    sys.exit(main())
