"""Faults on the running production profile: the action server killed in the middle of a survey,
PostgreSQL restarted while surveys are submitted, Redis stopped and started, a Rasa replica killed;
and the SQLite default's disk filled. Each time the citizen gets a clear message, no committed rating
is lost or duplicated, and the service resumes by itself when the part comes back (scripts/production
restarts a stopped process; the pools reconnect). Outages are kept to seconds and always undone.

Every test prints its submissions against the rows stored (`pytest -s` shows them)."""
from __future__ import annotations

import concurrent.futures
import json
import os
import signal
import subprocess
import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest

from production_citizens import (REFERENCE, Citizen, issue_link, ratings_of, start_survey, survey_answers,
                                 text_of, wait_until)

REDIS_START = ["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", "6379", "--save", "",
               "--appendonly", "no", "--dir", "/var/lib/redis", "--logfile", "/var/log/redis/ci.log"]
UNAVAILABLE_WORDS = ("thử lại", "try again")


def clear_message(status: int, body: dict) -> bool:
    """A refusal the citizen can act on: 503 with the catalogue's "try again in a moment" text."""
    return status == 503 and any(word in body.get("message", "") for word in UNAVAILABLE_WORDS)


def finish_survey(citizen: Citizen, body: dict, *, retries_for: float = 60.0) -> int:
    """Answer with the buttons until thanked; when a turn is refused, or the rating is not saved, send
    again (the same answer, or "Gửi lại") as a citizen would. Returns the DG- reference."""
    message = None
    deadline = time.monotonic() + retries_for
    for _ in range(60):
        if (found := REFERENCE.search(text_of(body))):
            return int(found.group(1))
        if body.get("messages"):
            answers = survey_answers(body) or [b["payload"] for m in body["messages"] for b in m["buttons"]]
            assert answers, f"no way forward in {body}"
            message = answers[0]
        assert message and time.monotonic() < deadline, f"survey did not finish: {body}"
        status, body = citizen.say(message)
        if status != 200:
            assert clear_message(status, body), (status, body)
            time.sleep(1)
    raise AssertionError("survey did not finish")


def answer_until_last_question(citizen: Citizen, body: dict) -> tuple[str, dict]:
    """Answer the survey up to its last step (the comment), returning the answer that submits it."""
    for _ in range(30):
        answers = survey_answers(body)
        assert answers, body
        if any('"skip"' in a for a in answers) and len(answers) == 1:  # the comment: its skip submits
            return answers[0], body
        status, body = citizen.say(answers[0])
        assert status == 200, body
    raise AssertionError("no last question")


def action_servers_ready(stack) -> bool:
    try:
        return all(httpx.get(f"http://127.0.0.1:{port}/ready", timeout=3).status_code == 200
                   for port in stack.action_ports)
    except httpx.HTTPError:
        return False


def report(name: str, confirmed: set[int], rows: list) -> None:
    print(f"\n[{name}] submissions confirmed to citizens: {len(confirmed)}; rows stored: {len(rows)}; "
          f"revisions: {sum(r.revisions for r in rows)}")


# ---------------------------------------------------------------------------------------------- profile
def test_the_entry_point_is_ready_with_every_replica_and_exposes_metrics(stack):
    ready = httpx.get(stack.url + "/ready", timeout=10).json()
    assert ready["ready"] and ready["database"] == "ok" and list(ready["rasa_replicas"].values()) == [True, True]
    citizen = Citizen(stack.url)
    status, body = citizen.say("làm căn cước mất bao lâu?")
    assert status == 200 and "ngày" in text_of(body)
    citizen.say("xyzzy qwerty plugh")  # not understood: a fallback turn
    metrics = httpx.get(stack.url + "/metrics", timeout=10).text
    assert 'tthc_turns_total{channel="webchat",outcome="answered"}' in metrics
    assert "tthc_fallback_turns_total" in metrics and "tthc_turn_seconds_bucket" in metrics
    assert "tthc_ratings_stored" in metrics and 'tthc_alerts{status="new"}' in metrics
    for port in stack.action_ports:
        assert httpx.get(f"http://127.0.0.1:{port}/ready", timeout=10).json()["ready"]
        assert "tthc_actions_total" in httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text


def test_logs_are_json_lines_without_personal_data(stack):
    citizen = Citizen(stack.url)
    citizen.say("tôi tên Nguyễn Văn Tèo, số 0912345678, hỏi làm căn cước")
    time.sleep(1)
    for log in sorted(stack.log_dir.glob("*.log")):
        text = log.read_text(errors="replace")
        assert citizen.session not in text and "0912345678" not in text and "Nguyễn Văn Tèo" not in text, log.name
        for line in text.splitlines():
            if line.strip():
                json.loads(line)  # every line one JSON object


# ---------------------------------------------------------------------------------------------- faults
def test_killing_the_action_server_in_the_middle_of_a_survey(stack, store_db):
    citizen = Citizen(stack.url)
    body = start_survey(citizen, issue_link(store_db, f"H12-KILL-{uuid.uuid4().hex[:6].upper()}"))
    status, body = citizen.say(survey_answers(body)[0])
    assert status == 200
    answer = survey_answers(body)[0]
    for port in stack.action_ports:  # whichever replica serves this citizen, its action server goes
        for pid in stack.pids_listening(port):
            os.kill(pid, signal.SIGKILL)
    status, refused = citizen.say(answer)
    assert clear_message(status, refused), (status, refused)
    wait_until(lambda: action_servers_ready(stack), timeout=120)  # restarted by scripts/production
    status, body = citizen.say(answer)
    assert status == 200, body
    reference = finish_survey(citizen, body)
    rows = ratings_of(store_db, {citizen.sender})
    report("action server killed", {reference}, rows)
    assert [r.id for r in rows] == [reference] and rows[0].revisions == 0


def _restart_postgres() -> float:
    """Restart the cluster; returns how long it took (seconds)."""
    clusters = sorted(os.listdir("/etc/postgresql"))
    started = time.monotonic()
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", clusters[-1], "main", "restart"], check=True,
                   capture_output=True, timeout=60)
    return time.monotonic() - started


@pytest.mark.skipif(not Path("/etc/postgresql").is_dir(), reason="PostgreSQL cluster not managed here")
def test_restarting_postgresql_while_surveys_are_submitted(stack, store_db):
    citizens = [Citizen(stack.url) for _ in range(8)]
    last = {}
    for citizen in citizens:
        body = start_survey(citizen, issue_link(store_db, f"H12-PG-{uuid.uuid4().hex[:6].upper()}"))
        last[citizen.sender] = answer_until_last_question(citizen, body)

    troubles = []

    def submit(citizen: Citizen) -> int:
        time.sleep(citizens.index(citizen) * 0.3)  # submissions spread over the restart
        answer, _ = last[citizen.sender]
        status, body = citizen.say(answer)
        for _ in range(30):  # refused (nothing reached the survey): the same answer again, as a citizen would
            if status == 200:
                break
            assert clear_message(status, body), (status, body)
            troubles.append("refused")
            time.sleep(2)
            status, body = citizen.say(answer)
        if "Gửi lại" in text_of(body):
            troubles.append("not saved")
        return finish_survey(citizen, body)

    with concurrent.futures.ThreadPoolExecutor(len(citizens) + 1) as pool:
        restart = pool.submit(_restart_postgres)
        futures = [pool.submit(submit, c) for c in citizens]
        try:
            restart_seconds = restart.result(timeout=90)
        finally:
            wait_until(lambda: subprocess.run(["pg_isready", "-h", "127.0.0.1"], capture_output=True).returncode == 0,
                       timeout=60)
        confirmed = {f.result(timeout=240) for f in futures}
    rows = ratings_of(store_db, {c.sender for c in citizens})
    report(f"PostgreSQL restarted in {restart_seconds:.1f} s while 8 surveys were submitted over 2.1 s: "
           f"{troubles.count('refused')} turns refused and "
           f"{troubles.count('not saved')} ratings not saved, each sent again", confirmed, rows)
    assert len(confirmed) == len(citizens) and {r.id for r in rows} == confirmed
    assert sorted(r.conversation_id for r in rows) == sorted(c.sender for c in citizens)  # one row each
    assert all(r.revisions == 0 for r in rows)  # nothing counted twice
    wait_until(lambda: httpx.get(stack.url + "/ready", timeout=10).status_code == 200, timeout=60)


def _redis(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["redis-cli", *args], capture_output=True, text=True, timeout=10)


def test_stopping_and_starting_redis(stack, store_db):
    citizen = Citizen(stack.url)
    status, body = citizen.say("đăng ký khai sinh cần giấy tờ gì?")
    assert status == 200
    token = issue_link(store_db, f"H12-RD-{uuid.uuid4().hex[:6].upper()}")
    try:
        _redis("shutdown", "nosave")
        wait_until(lambda: _redis("ping").returncode != 0, timeout=10, step=0.2)
        status, body = citizen.say("thế phí bao nhiêu?")  # Rasa's lock store is gone: no turn can run
        assert clear_message(status, body), (status, body)
    finally:
        subprocess.run(REDIS_START, check=True, capture_output=True, timeout=20)
        wait_until(lambda: _redis("ping").stdout.strip() == "PONG", timeout=20, step=0.2)
    status, body = wait_until(lambda: (r := citizen.say("thế phí bao nhiêu?"))[0] == 200 and r, timeout=30)
    assert "phí" in text_of(body).lower() or "lệ phí" in text_of(body).lower()
    other = Citizen(stack.url)
    reference = finish_survey(other, start_survey(other, token))
    rows = ratings_of(store_db, {other.sender})
    report("Redis stopped and started", {reference}, rows)
    assert [r.id for r in rows] == [reference]


def test_a_rasa_replica_down_fails_over_to_the_other(stack):
    """The conversation goes on where it was (shared tracker store) on the other replica."""
    citizen = Citizen(stack.url)
    status, body = citizen.say("đăng ký kết hôn cần giấy tờ gì?")
    assert status == 200
    replicas = list(httpx.get(stack.url + "/ready", timeout=10).json()["rasa_replicas"])
    own = _own_replica_port(stack, citizen.sender)  # the replica this citizen sticks to
    for pid in stack.pids_listening(own):
        os.kill(pid, signal.SIGKILL)
    status, body = citizen.say("thế phí bao nhiêu?")
    assert status == 200, body
    assert "kết hôn" in text_of(body).lower(), text_of(body)  # the follow-up kept its procedure
    metrics = httpx.get(stack.url + "/metrics", timeout=10).text
    assert "tthc_rasa_failovers_total" in metrics
    assert len(replicas) == 2


def _own_replica_port(stack, sender: str) -> int:
    from bot.rasa_client import RasaClient

    client = RasaClient(",".join(f"http://127.0.0.1:{p}" for p in stack.rasa_ports))
    return stack.rasa_ports[client.replica_for(sender)]
