"""`python -m actions.server` as the laptop's action server (what scripts/run can start instead of plain
`python -m rasa_sdk`): no APP_ENV, SQLite, rasa_sdk's arguments; /health, /ready once the index is
loaded, /metrics counting the actions Rasa calls, and rasa_sdk's logging options honoured."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from bench.ports import free_port

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def laptop_env(tmp_path_factory):
    """The laptop's settings with the curated records' index built by the tiny test encoder."""
    from knowledge_base import index
    from knowledge_base.config import Settings

    work = tmp_path_factory.mktemp("action-server")
    env = {"PATH": os.environ["PATH"], "HOME": str(work), "PYTHONPATH": str(REPO_ROOT),
           "DATABASE_URL": f"sqlite:///{work / 'app.db'}", "KB_ENCODER": "hashing",
           "KB_RECORDS_DIRS": str(REPO_ROOT / "knowledge_base" / "records"), "KB_INDEX_DIR": str(work / "index"),
           "TQDM_DISABLE": "1"}
    with pytest.MonkeyPatch.context() as environment:
        for key in ("KB_ENCODER", "KB_RECORDS_DIRS", "KB_INDEX_DIR"):
            environment.setenv(key, env[key])
        index.build(Settings.from_env())
    return work, env


def test_the_laptop_entry_serves_ready_metrics_and_rasa_sdks_options(laptop_env):
    work, env = laptop_env
    port, log_file = free_port(), work / "actions.log"
    process = subprocess.Popen([sys.executable, "-m", "actions.server", "--actions", "actions", "--port", str(port),
                                "--debug", "--log-file", str(log_file)],
                               cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline, ready = time.monotonic() + 120, None
        while time.monotonic() < deadline:
            assert process.poll() is None, process.communicate()[0]
            try:
                ready = httpx.get(url + "/ready", timeout=3)
                if ready.status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        assert ready is not None and ready.json() == {"ready": True, "index": "ok", "database": "ok"}, ready
        assert httpx.get(url + "/health", timeout=5).json() == {"status": "ok"}
        call = {"next_action": "action_session_start", "sender_id": "web-laptopentrytest0001",
                "tracker": {"sender_id": "web-laptopentrytest0001", "slots": {}, "latest_message": {},
                            "events": [], "paused": False, "latest_event_time": None, "followup_action": None,
                            "active_loop": {}, "latest_action_name": None},
                "domain": {"slots": {}, "responses": {}, "intents": [], "entities": [], "actions": []}}
        answered = httpx.post(url + "/webhook", json=call, timeout=30)
        assert answered.status_code == 200, answered.text
        metrics = httpx.get(url + "/metrics", timeout=5).text
        assert 'tthc_actions_total{action="action_session_start",outcome="ok"} 1.0' in metrics
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            output = process.communicate(timeout=30)[0]
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            output = process.communicate()[0]
    logged = log_file.read_text(encoding="utf-8")
    assert "action server on http://0.0.0.0:" in logged  # --log-file: the same lines in the file
    assert " DEBUG " in output or " DEBUG " in logged  # --debug
    assert "web-laptopentrytest0001" not in output + logged  # redacted as on stderr
    assert "Traceback" not in output, output
