"""ops.rasa: a conversation whose tracker cannot be read fails its turn instead of starting over (Rasa's
FailSafeTrackerStore answers a failed read with "no conversation yet"). Runs in the Rasa environment."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
RASA_PYTHON = REPO / ".venvs" / "rasa" / "bin" / "python"

_SCENARIO = r"""
import asyncio, json, logging
from rasa.core.tracker_store import FailSafeTrackerStore, InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

class Down(InMemoryTrackerStore):
    async def retrieve(self, sender_id):
        raise ConnectionError("database stopped")
    retrieve_full_tracker = retrieve

async def outcome(store, sender="web-abc"):
    try:
        tracker = await store.get_or_create_tracker(sender)
        return ["tracker", len(tracker.events)]
    except Exception as error:
        return ["raised", type(error).__name__]

async def main():
    domain = Domain.empty()
    result = {"rasa": await outcome(FailSafeTrackerStore(Down(domain)))}
    import ops.rasa
    result["installed"] = ops.rasa.fail_turns_without_their_tracker()
    result["ours"] = await outcome(FailSafeTrackerStore(Down(domain)))
    healthy = InMemoryTrackerStore(domain)
    await healthy.save(DialogueStateTracker.from_events("web-abc", [UserUttered("xin chào")]))
    result["healthy"] = await outcome(FailSafeTrackerStore(healthy))
    result["new"] = await outcome(FailSafeTrackerStore(InMemoryTrackerStore(domain)), "web-new")
    print(json.dumps(result))

logging.disable(logging.CRITICAL)
asyncio.run(main())
"""


@pytest.mark.skipif(not RASA_PYTHON.exists(), reason="the Rasa environment is not set up")
def test_a_failed_tracker_read_fails_the_turn_instead_of_starting_a_new_conversation():
    done = subprocess.run([str(RASA_PYTHON), "-c", _SCENARIO], capture_output=True, text=True, cwd=REPO,
                          timeout=300, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO),
                                            "TF_CPP_MIN_LOG_LEVEL": "3", "RASA_TELEMETRY_ENABLED": "false"})
    assert done.returncode == 0, done.stderr[-2000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["rasa"][0] == "tracker"  # Rasa's own: a new, empty conversation
    assert found["installed"] is True
    assert found["ours"] == ["raised", "ConnectionError"]
    assert found["healthy"] == ["tracker", 1] and found["new"][0] == "tracker"  # reads that work: unchanged


_LIBRARY_LOGS = r"""
import logging
import ops.rasa
from ops import logs
logs.configure("rasa")
ops.rasa.route_library_logs_to_root()
from sanic import Sanic
Sanic("rasa_server")  # as `rasa run` does: the app, then Sanic's loggers cut off from the root
import rasa.utils.common
rasa.utils.common.update_sanic_log_level()
rasa.utils.common.update_tensorflow_log_level()
try:
    raise OSError("address already in use")
except OSError:
    logging.getLogger("sanic.error").exception("Unable to start server")
logging.getLogger("tensorflow").error("a TensorFlow error")
logging.getLogger("sanic.root").info("below LOG_LEVEL_LIBRARIES: not logged")
"""


@pytest.mark.skipif(not RASA_PYTHON.exists(), reason="the Rasa environment is not set up")
def test_the_libraries_rasa_cuts_off_from_the_root_logger_still_log_json_lines():
    """`rasa run` sets Sanic's loggers to propagate=False: "Unable to start server" (a port taken) was a
    bare text line in the replica's JSON log."""
    done = subprocess.run([str(RASA_PYTHON), "-c", _LIBRARY_LOGS], capture_output=True, text=True, cwd=REPO,
                          timeout=300, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), "LOG_FORMAT": "json",
                                            "TF_CPP_MIN_LOG_LEVEL": "3", "RASA_TELEMETRY_ENABLED": "false"})
    assert done.returncode == 0, done.stderr[-2000:]
    entries = [json.loads(line) for line in done.stderr.splitlines() if line.strip()]  # every line JSON
    found = [(e["logger"], e["message"]) for e in entries if e["logger"] in ("sanic.error", "tensorflow", "sanic.root")]
    assert found == [("sanic.error", "Unable to start server"), ("tensorflow", "a TensorFlow error")]
    assert "address already in use" in entries[[e["logger"] for e in entries].index("sanic.error")]["error"]
