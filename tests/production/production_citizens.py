"""A citizen talking to the production stack through its entry point, and what the fault tests check."""
from __future__ import annotations

import re
import time
import uuid

import httpx

UNIT = "demo-xa-song-xanh"
REFERENCE = re.compile(r"\bDG-(\d+)\b")


class Citizen:
    """One widget conversation through the entry point."""

    def __init__(self, url: str):
        self.url = url
        self.session = uuid.uuid4().hex
        self.sender = "web-" + self.session

    def say(self, message: str, timeout: float = 60) -> tuple[int, dict]:
        response = httpx.post(self.url + "/api/chat", json={"session": self.session, "message": message,
                                                            "unit": UNIT, "language": "vi"}, timeout=timeout)
        return response.status_code, response.json()


def text_of(body: dict) -> str:
    return "\n".join(m["text"] for m in body.get("messages", [])) or body.get("message", "")


def survey_answers(body: dict) -> list[str]:
    payloads = [b["payload"] for m in body.get("messages", []) for b in m["buttons"]
                if b["payload"].startswith("/survey_answer")]
    return [p for p in payloads if '"skip"' not in p and '"no"' not in p] or payloads


def issue_link(store_db, dossier: str) -> str:
    from store.surveys import issue_invitation

    return issue_invitation(UNIT, desk="quay-1", dossier_code=dossier, procedure_id="dang-ky-khai-sinh",
                            channel="qr").token


def start_survey(citizen: Citizen, token: str) -> dict:
    status, body = citizen.say(f'/start_rating{{"survey_token":"{token}"}}')
    assert status == 200, body
    return body


def wait_until(predicate, timeout: float, step: float = 1.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(step)
    raise AssertionError(f"not true after {timeout} s")


def ratings_of(store_db, senders) -> list:
    import sqlalchemy as sa

    import store

    with store_db.session() as session:
        return list(session.scalars(sa.select(store.Rating).where(store.Rating.conversation_id.in_(list(senders)))))
