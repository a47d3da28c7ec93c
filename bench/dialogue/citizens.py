"""Simulated citizens: scripted conversations (a question from the evaluation set, follow-ups about the
procedure under discussion, another question) sent over Rasa's REST channel by concurrent asyncio
workers, each conversation under its own sender id. Bounded by a turn budget and a time cap."""
from __future__ import annotations

import asyncio
import json
import random
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx

REST_PATH = "/webhooks/rest/webhook"
FOLLOW_UPS_VI = ["thế phí bao nhiêu?", "cần giấy tờ gì?", "nộp ở đâu?"]
FOLLOW_UPS_EN = ["how much is the fee?", "what documents do I need?", "where do I file it?"]
TURN_TIMEOUT = 30.0  # seconds; a turn slower than this counts as an error, not a sample


@dataclass(frozen=True)
class Question:
    text: str
    expected_id: str | None  # None: out of scope
    style: str


def load_questions(path: Path) -> list[Question]:
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    return [Question(r["question"], r.get("expected_id"), r.get("style", "")) for r in rows]


def mixed_conversations(questions: list[Question], count: int, seed: int) -> list[list[str]]:
    """`count` conversations of 4 turns: a question (in-scope and out-of-scope in the evaluation set's
    proportions), two follow-ups, another question. Same seed, same conversations."""
    rng = random.Random(seed)
    pool = questions[:]
    rng.shuffle(pool)
    conversations = []
    for i in range(count):
        first, second = pool[(2 * i) % len(pool)], pool[(2 * i + 1) % len(pool)]
        follow_ups = FOLLOW_UPS_EN if first.style == "english" else FOLLOW_UPS_VI
        conversations.append([first.text, *rng.sample(follow_ups, 2), second.text])
    return conversations


def question_conversations(questions: list[Question], count: int, seed: int, turns: int = 4) -> list[list[str]]:
    """`count` conversations of `turns` in-scope questions each, no follow-ups: turns a baseline without
    dialogue state can answer as well."""
    rng = random.Random(seed)
    pool = [q for q in questions if q.expected_id]
    rng.shuffle(pool)
    return [[pool[(turns * i + j) % len(pool)].text for j in range(turns)] for i in range(count)]


@dataclass
class LevelResult:
    concurrency: int
    think: tuple[float, float] | None = None
    samples: list[float] = field(default_factory=list)  # seconds per completed turn, in completion order
    errors: int = 0
    wall: float = 0.0
    conversations: int = 0

    @property
    def turns_per_second(self) -> float:
        return len(self.samples) / self.wall if self.wall else float("nan")


def _client(concurrency: int) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=concurrency + 2, max_keepalive_connections=concurrency + 2)
    return httpx.AsyncClient(limits=limits, timeout=TURN_TIMEOUT)


async def _say(client: httpx.AsyncClient, url: str, sender: str, text: str) -> list[dict]:
    response = await client.post(url + REST_PATH, json={"sender": sender, "message": text})
    response.raise_for_status()
    return response.json()


async def _run(url: str, conversations: list[list[str]], concurrency: int, max_turns: int,
               time_cap: float, tag: str, think: tuple[float, float] | None) -> LevelResult:
    result = LevelResult(concurrency, think)
    rng = random.Random(concurrency)
    queue: asyncio.Queue = asyncio.Queue()
    for conversation in conversations:
        queue.put_nowait(conversation)
    started = time.perf_counter()
    deadline = started + time_cap
    budget = {"left": max_turns}

    async def citizen(client: httpx.AsyncClient) -> None:
        while budget["left"] > 0 and time.perf_counter() < deadline and not queue.empty():
            conversation = queue.get_nowait()
            sender = f"{tag}-{uuid.uuid4().hex[:12]}"  # a fresh citizen: a new tracker, a new session
            result.conversations += 1
            for turn, text in enumerate(conversation):
                if budget["left"] <= 0 or time.perf_counter() >= deadline:
                    return
                if think:  # reading the reply and typing; the first message of each citizen is staggered
                    await asyncio.sleep(rng.uniform(0 if turn == 0 and result.conversations <= concurrency
                                                    else think[0], think[1]))
                if budget["left"] <= 0 or time.perf_counter() >= deadline:
                    return
                budget["left"] -= 1
                turn_started = time.perf_counter()
                try:
                    await _say(client, url, sender, text)
                except (httpx.HTTPError, ValueError):
                    result.errors += 1
                    continue
                result.samples.append(time.perf_counter() - turn_started)

    async with _client(concurrency) as client:
        await asyncio.gather(*(citizen(client) for _ in range(concurrency)))
    result.wall = time.perf_counter() - started
    return result


def run_level(url: str, conversations: list[list[str]], concurrency: int, *, max_turns: int,
              time_cap: float, tag: str, think: tuple[float, float] | None = None) -> LevelResult:
    """`concurrency` citizens work through the conversations (one sender each) until `max_turns`
    turns were sent, `time_cap` seconds passed, or the conversations ran out. Without `think` each
    citizen sends its next message as soon as the reply arrives (a closed loop: latency then grows as
    citizens / throughput); with it, each waits uniform(think) seconds before every message."""
    return asyncio.run(_run(url, conversations, concurrency, max_turns, time_cap, tag, think))


def long_conversation(url: str, texts: list[str], sender: str, *, time_cap: float) -> list[float]:
    """Seconds per turn of one citizen saying the texts in order, until `time_cap` seconds passed."""
    async def run() -> list[float]:
        samples = []
        deadline = time.perf_counter() + time_cap
        async with _client(1) as client:
            for text in texts:
                if time.perf_counter() >= deadline:
                    break
                started = time.perf_counter()
                await _say(client, url, sender, text)
                samples.append(time.perf_counter() - started)
        return samples

    return asyncio.run(run())


def each_once(url: str, texts: list[str], concurrency: int, tag: str) -> list[tuple[str, list[dict]]]:
    """Every text as the first message of its own conversation; returns (sender, replies) in order.
    For accuracy, not timing: a failed turn gives no replies."""
    async def run() -> list[tuple[str, list[dict]]]:
        gate = asyncio.Semaphore(concurrency)
        async with _client(concurrency) as client:
            async def one(i: int, text: str) -> tuple[str, list[dict]]:
                sender = f"{tag}-{i}-{uuid.uuid4().hex[:8]}"
                async with gate:
                    try:
                        return sender, await _say(client, url, sender, text)
                    except (httpx.HTTPError, ValueError):
                        return sender, []
            return list(await asyncio.gather(*(one(i, t) for i, t in enumerate(texts))))

    return asyncio.run(run())


def post_all(url: str, bodies: list[dict], concurrency: int) -> list[dict | None]:
    """POSTs each JSON body to url (e.g. Rasa's /model/parse); the JSON answers in order."""
    async def run() -> list[dict | None]:
        gate = asyncio.Semaphore(concurrency)
        async with _client(concurrency) as client:
            async def one(body: dict) -> dict | None:
                async with gate:
                    try:
                        response = await client.post(url, json=body)
                        response.raise_for_status()
                        return response.json()
                    except (httpx.HTTPError, ValueError):
                        return None
            return list(await asyncio.gather(*(one(b) for b in bodies)))

    return asyncio.run(run())
