"""Load on the production profile: simulated citizens through the one entry point (the webchat server's
`POST /api/chat`), against one and against two Rasa replicas, on PostgreSQL + Redis, on loopback.

    .venvs/app/bin/python -m bench.load                     # 20, 50, 100 citizens; 1 and 2 replicas (~11 min)
    .venvs/app/bin/python -m bench.load --quick             # 10 citizens, 1 replica: checks the bench (~2 min)
    .venvs/app/bin/python -m bench.load --users 20 --seconds 20 --think-seconds 40 --replicas 2

Each citizen runs conversations one after another: questions (a question from the evaluation set, two
follow-ups, another question) and satisfaction surveys (a signed link from
`store.surveys.issue_invitation`, then every question answered with its buttons to the thanks). Two
modes, both printed: closed loop (the next turn as soon as the answer arrives: what the machine can
take; one conversation in four is a survey) and with think time (3–10 s before a typed question, 1–3 s
before a button press: reading and tapping; half the conversations are surveys, so that surveys end
within the level). When a level's time is up, question conversations stop and no new conversation
starts, but a survey under way is finished (for at most `--grace` seconds more), so every rating sent
can be counted: each level prints surveys started, ratings submitted (the last answer sent), confirmed
to citizens (their DG- reference) and rows stored for the level's conversations, and those confirmed
but not stored (lost). Also turns/s, p50/p95/p99 (every turn, the finishing surveys' included),
errors and the two-replica/one-replica ratio. The bench runs on the same 2 cores as the servers, and
other work on the machine is measured and printed next to every figure.

The rate limits are switched off for the bench: every simulated citizen comes from 127.0.0.1, and a
closed-loop citizen types faster than any person.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench import measure
from bench.production_stack import REPO_ROOT, ProductionStack

UNIT = "demo-xa-song-xanh"
PROCEDURES = ("dang-ky-khai-sinh", "dang-ky-ket-hon", "cap-the-can-cuoc")
FOLLOW_UPS = ("thế phí bao nhiêu?", "cần giấy tờ gì?", "nộp ở đâu?", "làm online được không?", "mất bao lâu?")
SURVEY_SHARE = {"closed": 0.25, "think": 0.5}  # of the conversations a citizen starts
TURN_TIMEOUT = 30.0
MAX_SURVEY_TURNS = 20
REFERENCE = re.compile(r"\bDG-(\d+)\b")
THINK = (3.0, 10.0)  # seconds before a typed message
TAP = (1.0, 3.0)  # seconds before a button press (a survey answer)
GRACE = 15.0  # seconds a survey under way at the end of a level may take to finish


def group_jiffies(pgid: int) -> int:
    """CPU time (utime + stime, in jiffies) of the live processes of process group `pgid`: the stack."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # fields after the name: state, ppid, pgrp, …
            total += int(fields[11]) + int(fields[12])
    return total


def wait_until_idle(pgid: int, limit: float = 90.0, idle_cores: float = 0.15) -> float:
    """Seconds waited until the stack's processes use under `idle_cores` for a whole second: turns whose
    clients gave up (closed loop at 100 citizens) are still being worked off, and would be measured as the
    next level's latency otherwise."""
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        before = group_jiffies(pgid)
        time.sleep(1.0)
        if (group_jiffies(pgid) - before) / os.sysconf("SC_CLK_TCK") < idle_cores:
            break
    return time.perf_counter() - started


def load_questions() -> list[str]:
    path = REPO_ROOT / "tests" / "knowledge_base" / "eval_questions.jsonl"
    return [json.loads(line)["question"] for line in path.read_text("utf-8").splitlines() if line.strip()]


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    surveys_started: int = 0
    submitted: int = 0  # surveys whose last answer (the one that saves the rating) was sent
    confirmed: set[int] = field(default_factory=set)  # DG- references the citizens were given
    senders: set[str] = field(default_factory=set)

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1


class Citizen:
    def __init__(self, http: httpx.AsyncClient, url: str, tally: Tally, think: bool, rng: random.Random,
                 deadline: float, grace: float):
        self.http, self.url, self.tally, self.think, self.rng = http, url, tally, think, rng
        self.deadline, self.grace = deadline, grace
        self.sent = False  # whether the last `say` reached the entry point

    async def say(self, session: str, message: str, *, tap: bool = False, finishing: bool = False
                  ) -> list[dict] | None:
        """The answer, or None when the turn failed (counted) or the level's time is up (the citizen
        walks away mid-conversation; not an error). A survey is `finishing`: it goes on after the
        level's end, for `grace` seconds at most."""
        if self.think:
            await asyncio.sleep(self.rng.uniform(*(TAP if tap else THINK)))
        self.sent = False
        if time.monotonic() >= self.deadline + (self.grace if finishing else 0.0):
            return None
        self.sent = True
        started = time.perf_counter()
        try:
            response = await self.http.post(self.url + "/api/chat", json={
                "session": session, "message": message, "unit": UNIT, "language": "vi"}, timeout=TURN_TIMEOUT)
        except httpx.TimeoutException:
            self.tally.error("timeout")
            return None
        except httpx.HTTPError as error:
            self.tally.error(error.__class__.__name__)
            return None
        if response.status_code != 200:
            self.tally.error(f"HTTP {response.status_code}")
            return None
        self.tally.latencies.append(time.perf_counter() - started)
        return response.json()["messages"]

    async def ask(self, questions: list[str]) -> None:
        session = uuid.uuid4().hex
        self.tally.senders.add("web-" + session)
        for text in (self.rng.choice(questions), *self.rng.sample(FOLLOW_UPS, 2), self.rng.choice(questions)):
            if await self.say(session, text) is None:
                return

    async def survey(self, token: str) -> None:
        """Every question answered with one of its buttons (the first survey answer offered, or "skip"
        for free-text questions) until the citizen is thanked with a DG- reference."""
        session = uuid.uuid4().hex
        self.tally.senders.add("web-" + session)
        self.tally.surveys_started += 1
        message, submits = f'/start_rating{{"survey_token":"{token}"}}', False
        for turn in range(MAX_SURVEY_TURNS):
            replies = await self.say(session, message, tap=turn > 0, finishing=True)
            if submits and self.sent:
                self.tally.submitted += 1
            if replies is None:
                return
            text = "\n".join(r["text"] for r in replies)
            if (found := REFERENCE.search(text)):
                self.tally.confirmed.add(int(found.group(1)))
                return
            if submits:
                self.tally.error("rating not confirmed")
                return
            answers = [b["payload"] for r in replies for b in r["buttons"] if b["payload"].startswith("/survey_answer")]
            if not answers:
                self.tally.error("survey stuck")
                return
            choices = [a for a in answers if '"skip"' not in a and '"no"' not in a] or answers
            message = choices[0]
            # the last question (the comment) offers only "skip": answering it submits the rating
            submits = len(answers) == 1 and '"skip"' in answers[0]
        self.tally.error("survey too long")


async def run_level(url: str, users: int, seconds: float, think: bool, tokens: list[str], questions: list[str],
                    seed: int, grace: float = GRACE) -> Tally:
    tally = Tally()
    deadline = time.monotonic() + seconds
    share = SURVEY_SHARE["think" if think else "closed"]
    limits = httpx.Limits(max_connections=users + 10, max_keepalive_connections=users + 10)
    async with httpx.AsyncClient(limits=limits) as http:
        async def citizen(i: int) -> None:
            rng = random.Random(seed * 1000 + i)
            person = Citizen(http, url, tally, think, rng, deadline, grace)
            while time.monotonic() < deadline:
                if rng.random() < share and tokens:
                    await person.survey(tokens.pop())
                else:
                    await person.ask(questions)

        await asyncio.gather(*(citizen(i) for i in range(users)))
    return tally


def stored_ratings(database_url: str, senders: set[str]) -> tuple[int, set[int]]:
    """Rows stored for these conversations and their ids."""
    from sqlalchemy import create_engine, select

    from store.models import Rating

    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(select(Rating.id, Rating.conversation_id)).all()
    finally:
        engine.dispose()
    ids = {row.id for row in rows if row.conversation_id in senders}
    return len(ids), ids


def issue_tokens(stack: ProductionStack, count: int, run: str) -> list[str]:
    """`count` one-dossier survey links, issued in the stack's database with its secret."""
    import os

    import store
    from store.surveys import issue_invitation

    os.environ["DATABASE_URL"], os.environ["SURVEY_SECRET"] = stack.database_url, stack.env["SURVEY_SECRET"]
    store.reset_database()
    return [issue_invitation(UNIT, desk="quay-1", dossier_code=f"H12-{run}-{i:05d}",
                             procedure_id=PROCEDURES[i % len(PROCEDURES)], channel="qr").token
            for i in range(count)]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, nargs="+", default=[20, 50, 100])
    parser.add_argument("--replicas", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--seconds", type=float, default=20.0, help="per closed-loop level")
    parser.add_argument("--think-seconds", type=float, default=40.0,
                        help="per think-time level (long enough for surveys, tapped in 1-3 s per answer, to end)")
    parser.add_argument("--grace", type=float, default=GRACE, help="at most this long for surveys under way to end")
    # think-time levels first: they are the realistic ones, and a closed-loop backlog must not leak into them
    parser.add_argument("--modes", nargs="+", default=["think", "closed"], choices=["closed", "think"])
    parser.add_argument("--quick", action="store_true",
                        help="check the bench: 10 citizens, 1 replica, 10 s closed loop, 30 s think time")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "tthc-bench-load")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    if args.quick:
        args.users, args.replicas, args.seconds, args.think_seconds = [10], [1], 10.0, 30.0

    print(measure.machine())
    print(f"entry point /api/chat → {args.replicas} Rasa replica(s), PostgreSQL + Redis; closed loop "
          f"{args.seconds:.0f} s per level, {SURVEY_SHARE['closed']:.0%} of conversations surveys; think time "
          f"{args.think_seconds:.0f} s per level, {SURVEY_SHARE['think']:.0%} surveys, {THINK[0]:.0f}–{THINK[1]:.0f} s "
          f"before a typed message and {TAP[0]:.0f}–{TAP[1]:.0f} s before a button; surveys under way at the end "
          f"finish within {args.grace:.0f} s")
    questions = load_questions()
    results: dict[tuple[int, str, int], dict] = {}
    for replicas in args.replicas:
        # every simulated citizen comes from 127.0.0.1, and a closed-loop one types faster than a person
        stack = ProductionStack(args.work, replicas=replicas, database=f"tthc_bench_load_{replicas}",
                                lock_prefix=f"tthcbench{replicas}",
                                extra_env={"RATE_LIMIT_CHAT_ADDRESS": "off", "RATE_LIMIT_CHAT_SESSION": "off"})
        with measure.section(f"{replicas} Rasa replica(s): starting the production profile"):
            stack.start()
        try:
            for mode in args.modes:
                for users in args.users:
                    run = f"R{replicas}{mode[0].upper()}{users}"
                    tokens = issue_tokens(stack, users * 8, run)
                    print(f"\n== {users} citizens, {replicas} replica(s), "
                          f"{'closed loop' if mode == 'closed' else 'think time'}", flush=True)
                    waited = wait_until_idle(stack.process.pid)
                    print(f"   (waited {waited:.0f} s for the stack to go idle after the previous level)", flush=True)
                    stack_before, started = group_jiffies(stack.process.pid), time.perf_counter()
                    with measure.OtherLoad() as load:
                        tally = asyncio.run(run_level(
                            stack.url, users, args.think_seconds if mode == "think" else args.seconds,
                            mode == "think", tokens, questions, args.seed, args.grace))
                    elapsed = time.perf_counter() - started
                    stack_cores = (group_jiffies(stack.process.pid) - stack_before) / os.sysconf("SC_CLK_TCK") / elapsed
                    others = max(0.0, load.cores - stack_cores)
                    print(f"   ({elapsed:.0f} s; the stack's processes used {stack_cores:.2f} cores; other work on "
                          f"the machine kept {others:.2f} of {measure.CORES} cores busy)", flush=True)
                    stored, ids = stored_ratings(stack.database_url, tally.senders)
                    stats = measure.latency(tally.latencies)
                    row = {"turns": stats["n"], "tps": stats["n"] / elapsed, "p50": stats.get("p50"),
                           "p95": stats.get("p95"), "p99": stats.get("p99"),
                           "errors": sum(tally.errors.values()), "error_kinds": dict(tally.errors),
                           "surveys": tally.surveys_started, "submitted": tally.submitted,
                           "confirmed": len(tally.confirmed), "stored": stored,
                           "lost": len(tally.confirmed - ids), "other_cores": others, "stack_cores": stack_cores}
                    results[(replicas, mode, users)] = row
                    print(measure.table(
                        ["citizens", "turns", "turns/s", "p50 ms", "p95 ms", "p99 ms", "errors", "surveys",
                         "ratings submitted", "confirmed", "rows stored", "lost"],
                        [[users, row["turns"], row["tps"], row["p50"], row["p95"], row["p99"], row["errors"],
                          row["surveys"], row["submitted"], row["confirmed"], row["stored"], row["lost"]]]))
                    print(f"   ratings: {tally.submitted} submitted, {len(tally.confirmed)} confirmed to citizens, "
                          f"{stored} rows stored; confirmed but not stored: {len(tally.confirmed - ids)}; stored "
                          f"without a confirmation: {len(ids - tally.confirmed)}", flush=True)
                    if tally.errors:
                        print(f"   errors: {tally.errors}")
        finally:
            stack.stop()

    print("\n== summary (p95 target ≤ 300 ms and zero errors at 50 citizens)")
    rows = []
    for (replicas, mode, users), row in sorted(results.items(), key=lambda kv: (kv[0][1], kv[0][2], kv[0][0])):
        rows.append([f"{'closed loop' if mode == 'closed' else 'think time'}, {users} citizens, {replicas} repl.",
                     row["turns"], row["tps"], row["p50"], row["p95"], row["p99"], row["errors"],
                     f"{row['submitted']}/{row['confirmed']}/{row['stored']}", row["lost"],
                     f"{row['stack_cores']:.2f} / {row['other_cores']:.2f}"])
    print(measure.table(["run", "turns", "turns/s", "p50 ms", "p95 ms", "p99 ms", "errors",
                         "ratings submitted/confirmed/stored", "lost", "cores: stack / others"], rows))
    ratio_rows = []
    for mode in args.modes:
        for users in args.users:
            one, two = results.get((1, mode, users)), results.get((2, mode, users))
            if one and two and one["tps"] and one.get("p95") and two.get("p95"):
                ratio_rows.append([f"{mode}, {users} citizens", two["tps"] / one["tps"], two["p95"] / one["p95"]])
    if ratio_rows:
        print("\n== two replicas / one replica")
        print(measure.table(["run", "turns/s ratio", "p95 ratio"], ratio_rows))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
