"""End-to-end fixtures: a knowledge-base index of the curated records, the action server and the
Rasa server started on free ports, torn down at the end.

Environment: RASA_BIN (default .venvs/rasa/bin/rasa), RASA_MODEL (default models/, newest .tar.gz),
KB_ENCODER (default the production encoder). The action server runs with this test's Python.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from bench.ports import free_port

REPO_ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 240  # seconds; Rasa loads TensorFlow and the action server the encoder


def pytest_configure(config):
    config.addinivalue_line("markers", "e2e: starts the Rasa and action servers (slow, no network)")




def _model_path() -> Path:
    configured = os.environ.get("RASA_MODEL")
    path = Path(configured) if configured else REPO_ROOT / "models"
    if path.is_dir():
        models = sorted(path.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
        if not models:
            pytest.skip(f"no trained Rasa model in {path}: run `rasa train` first")
        return models[-1]
    return path


def _wait_until_up(url: str, process: subprocess.Popen, log: Path, deadline: float) -> None:
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited early:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(1)
    raise RuntimeError(f"{url} not ready after {START_TIMEOUT}s:\n{log.read_text(errors='replace')[-3000:]}")


class Servers:
    def __init__(self, rasa_url: str, database_url: str):
        self.rasa_url = rasa_url
        self.database_url = database_url

    def say(self, sender: str, text, *, channel: str = "rest", metadata: dict | None = None) -> list[dict]:
        body = {"sender": sender, "message": text}
        if metadata is not None:
            body["metadata"] = metadata
        response = requests.post(f"{self.rasa_url}/webhooks/{channel}/webhook", json=body, timeout=120)
        response.raise_for_status()
        return response.json()


@pytest.fixture(scope="session")
def servers(tmp_path_factory):
    rasa_bin = Path(os.environ.get("RASA_BIN", REPO_ROOT / ".venvs" / "rasa" / "bin" / "rasa"))
    if not rasa_bin.exists():
        pytest.skip(f"Rasa not found at {rasa_bin} (set RASA_BIN)")
    model = _model_path()
    work = tmp_path_factory.mktemp("e2e")

    # The dialogue is tested against the curated records only, so bulk imports do not move it.
    env = dict(os.environ, RASA_TELEMETRY_ENABLED="false", PYTHONPATH=str(REPO_ROOT),
               KB_RECORDS_DIRS=str(REPO_ROOT / "knowledge_base" / "records"),
               KB_INDEX_DIR=str(work / "index"), DATABASE_URL=f"sqlite:///{work / 'app.db'}",
               SANIC_WORKERS="1")
    cache = REPO_ROOT / "var" / "cache"
    if cache.is_dir():  # reuse passage vectors already computed; the index itself is rebuilt here
        shutil.copytree(cache, work / "cache")
    subprocess.run([sys.executable, "-m", "knowledge_base", "build"], cwd=REPO_ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    # as the setup script does: migrations create the store's tables
    subprocess.run([sys.executable, "-m", "store", "upgrade"], cwd=REPO_ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)

    action_port, rasa_port = free_port(), free_port()
    endpoints = work / "endpoints.yml"
    endpoints.write_text(f'action_endpoint:\n  url: "http://127.0.0.1:{action_port}/webhook"\n')
    logs = {name: work / f"{name}.log" for name in ("actions", "rasa")}
    processes: list[subprocess.Popen] = []
    try:
        processes.append(subprocess.Popen(
            [sys.executable, "-m", "actions.server", "--actions", "actions", "--port", str(action_port)],
            cwd=REPO_ROOT, env=env, stdout=logs["actions"].open("w"), stderr=subprocess.STDOUT))
        processes.append(subprocess.Popen(
            # as scripts/run starts it: Rasa's CLI through bot.rasa_server, in Rasa's environment
            [str(rasa_bin.parent / "python"), "-m", "bot.rasa_server", "run", "--enable-api", "--model", str(model),
             "--port", str(rasa_port),
             "--credentials", "credentials.yml", "--endpoints", str(endpoints)],
            cwd=REPO_ROOT, env=env, stdout=logs["rasa"].open("w"), stderr=subprocess.STDOUT))
        deadline = time.monotonic() + START_TIMEOUT
        _wait_until_up(f"http://127.0.0.1:{action_port}/ready", processes[0], logs["actions"], deadline)
        _wait_until_up(f"http://127.0.0.1:{rasa_port}/status", processes[1], logs["rasa"], deadline)
        yield Servers(f"http://127.0.0.1:{rasa_port}", env["DATABASE_URL"])
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
