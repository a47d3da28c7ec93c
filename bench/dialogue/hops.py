"""Each hop of a question turn timed on its own, one call at a time: the whole REST turn, Rasa's NLU
alone, the action-server calls with the request Rasa would send, and Rasa's validation of an action
response (timed in Rasa's own environment)."""
from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import requests

from .citizens import REST_PATH

# Rasa 3.6 checks each action-server response with jsonschema.validate(), which first re-checks the
# schema itself against the meta-schema. Timed as Rasa does it and with a validator built once.
_VALIDATION_PROBE = """
import importlib.metadata, json, sys, time
import jsonschema
from rasa.core.actions.action import RemoteAction
result, n = json.load(sys.stdin), int(sys.argv[1])
spec = RemoteAction.action_response_format_spec()
validator = jsonschema.validators.validator_for(spec)(spec)
timings = {}
for name, call in (("as Rasa does", lambda: jsonschema.validate(result, spec)),
                   ("validator built once", lambda: validator.validate(result))):
    call()
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    timings[name] = samples
print(json.dumps({"jsonschema": importlib.metadata.version("jsonschema"), "timings": timings}))
"""


def post(session: requests.Session, url: str, body: dict) -> tuple[float, int, dict]:
    """(seconds, request bytes, JSON answer) of one POST."""
    data = json.dumps(body).encode()
    started = time.perf_counter()
    response = session.post(url, data=data, headers={"Content-Type": "application/json"}, timeout=120)
    elapsed = time.perf_counter() - started
    response.raise_for_status()
    return elapsed, len(data), response.json()


def tracker(rasa_url: str, sender: str) -> dict:
    """The tracker as Rasa sends it to the action server: every event."""
    return requests.get(f"{rasa_url}/conversations/{sender}/tracker", params={"include_events": "ALL"},
                        timeout=30).json()


class ActionRequests:
    """Builds the body Rasa posts to the action server (selective domain is off: the whole domain)."""

    def __init__(self, rasa_url: str):
        self.domain = requests.get(f"{rasa_url}/domain", headers={"Accept": "application/json"}, timeout=30).json()
        self.version = requests.get(f"{rasa_url}/version", timeout=30).json().get("version")

    def body(self, action: str, state: dict) -> dict:
        return {"next_action": action, "sender_id": state["sender_id"], "tracker": state, "domain": self.domain,
                "version": self.version}


def validation_cost(rasa_bin: Path, response: dict, n: int) -> dict[str, list[float]]:
    """Seconds per validation of one action response, as Rasa does it and with a validator built once;
    keyed by a label naming the jsonschema version. Empty when the probe cannot run."""
    done = subprocess.run([str(rasa_bin.parent / "python"), "-c", _VALIDATION_PROBE, str(n)],
                          input=json.dumps(response), capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
    if done.returncode:
        print(f"   (validation probe failed: {done.stderr.strip()[-300:]})")
        return {}
    found = json.loads(done.stdout.strip().splitlines()[-1])
    return {f"Rasa: jsonschema {found['jsonschema']} check of one action response, {name}": samples
            for name, samples in found["timings"].items()}


def rest_turn(session: requests.Session, rasa_url: str, sender: str, text: str) -> float:
    return post(session, rasa_url + REST_PATH, {"sender": sender, "message": text})[0]
