"""ops.rasa hands RASA_AUTH_TOKEN to Rasa inside the process, never on the command line (where `ps` and
/proc/<pid>/cmdline show it to every user); the running stack is checked in tests/production."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ops.rasa import with_auth_token

REPO_ROOT = Path(__file__).resolve().parents[2]
TOKEN = "f" * 48


def test_the_token_comes_from_the_environment():
    argv = ["run", "--enable-api", "--port", "5005"]
    assert with_auth_token(argv, {"RASA_AUTH_TOKEN": TOKEN}) == [*argv, "--auth-token", TOKEN]


def test_nothing_added_without_a_token_or_for_other_commands():
    assert with_auth_token(["run", "--enable-api"], {}) == ["run", "--enable-api"]
    assert with_auth_token(["train"], {"RASA_AUTH_TOKEN": TOKEN}) == ["train"]
    assert with_auth_token(["run", "actions"], {"RASA_AUTH_TOKEN": TOKEN}) == ["run", "actions"]


def test_a_token_on_the_command_line_is_kept_on_a_laptop():
    for argv in (["run", "--auth-token", "x"], ["run", "-t", "x"], ["run", "--auth-token=x"]):
        assert with_auth_token(argv, {"RASA_AUTH_TOKEN": TOKEN}) == argv


def test_production_refuses_a_token_on_the_command_line():
    """Checked before Rasa is imported: the refusal is quick and needs no Rasa environment."""
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": str(REPO_ROOT), "APP_ENV": "production",
           "RASA_AUTH_TOKEN": TOKEN}
    result = subprocess.run([sys.executable, "-m", "ops.rasa", "run", "--enable-api", "--auth-token", TOKEN],
                            cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "RASA_AUTH_TOKEN" in result.stderr and "ps" in result.stderr and "Traceback" not in result.stderr


def test_production_refuses_a_placeholder_token():
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": str(REPO_ROOT), "APP_ENV": "production",
           "RASA_AUTH_TOKEN": "CHANGE-ME"}
    result = subprocess.run([sys.executable, "-m", "ops.rasa", "run", "--enable-api"], cwd=REPO_ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "RASA_AUTH_TOKEN" in result.stderr and "Traceback" not in result.stderr
