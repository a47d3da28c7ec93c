"""scripts/run refuses, before the setup's minutes, a port that is taken or is no port: otherwise a server
already listening there (an earlier run still going) would answer the readiness checks while ours exits."""
from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

import pytest

from bench.ports import free_port

REPO = Path(__file__).resolve().parents[2]


def run_script(**ports: str) -> subprocess.CompletedProcess:
    """scripts/run with free ports but these (nothing else on the machine decides the outcome)."""
    env = {key: value for key, value in os.environ.items() if key != "APP_ENV"}
    env.update({name: str(free_port()) for name in ("ACTIONS_PORT", "RASA_PORT", "WEBCHAT_PORT")}, **ports)
    return subprocess.run(["bash", str(REPO / "scripts" / "run")], env=env, capture_output=True, text=True,
                          timeout=60)


@pytest.mark.parametrize("variable", ["ACTIONS_PORT", "RASA_PORT", "WEBCHAT_PORT"])
def test_a_taken_port_is_named_with_the_way_out_before_anything_starts(variable):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_script(**{variable: str(port)})
    assert result.returncode == 1
    assert f"port {port} ({variable}) is already in use" in result.stderr
    assert f"{variable}={port + 1} scripts/run" in result.stderr
    assert "[setup]" not in result.stdout + result.stderr  # nothing set up, nothing started


@pytest.mark.parametrize("value", ["80x", " ", "0", "65536", "-1", "8080 8081", "１２３"])
def test_a_value_that_is_no_port_is_refused(value):
    result = run_script(WEBCHAT_PORT=value)
    assert result.returncode == 2
    assert "WEBCHAT_PORT=" in result.stderr and "is not a port number (1-65535)" in result.stderr
    assert "[setup]" not in result.stdout + result.stderr
