"""The production profile started for real by scripts/production on loopback ports of its own, with its
own PostgreSQL database and Redis key prefix, for the load benchmark and the fault tests; stopped (the
whole process group) on exit. Uses the 42 curated records' index so it starts in about a minute."""
from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Optional

import httpx

from bench.ports import free_block

REPO_ROOT = Path(__file__).resolve().parents[1]
ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
START_TIMEOUT = 300.0


def recreate_database(name: str) -> str:
    """Drop and create database `name` on the test server; returns its SQLAlchemy URL."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = make_url(ADMIN_URL)
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(f'drop database if exists "{name}" with (force)'))
            connection.execute(text(f'create database "{name}"'))
    finally:
        engine.dispose()
    return admin.set(database=name).render_as_string(hide_password=False)


def curated_index(work: Path, encoder: str = "minilm") -> Path:
    """The curated records' index under `work` (built once; passage vectors reused from var/cache)."""
    index_dir = work / f"index-{encoder}"
    if not (index_dir / "CURRENT").exists():
        cache = REPO_ROOT / "var" / "cache"
        if cache.is_dir() and not (work / "cache").exists():
            import shutil

            shutil.copytree(cache, work / "cache")
        env = dict(os.environ, KB_RECORDS_DIRS=str(REPO_ROOT / "knowledge_base" / "records"),
                   KB_INDEX_DIR=str(index_dir), KB_ENCODER=encoder, TQDM_DISABLE="1")
        subprocess.run([sys.executable, "-m", "knowledge_base", "build"], cwd=REPO_ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return index_dir


class ProductionStack:
    """`APP_ENV=production scripts/production` with `replicas` Rasa replicas."""

    def __init__(self, work: Path, *, replicas: int, database: str, lock_prefix: str,
                 extra_env: Optional[dict] = None, encoder: str = "minilm"):
        """`encoder="hashing"` (the knowledge base's tiny test encoder) starts the action servers much
        faster, for tests about processes rather than answers."""
        self.encoder = encoder
        self.work = Path(work)
        self.replicas = replicas
        self.database_name = database
        self.lock_prefix = lock_prefix
        self.extra_env = extra_env or {}
        self.process: Optional[subprocess.Popen] = None
        self.log_dir = self.work / f"logs-{replicas}"

    def start(self) -> "ProductionStack":
        self.work.mkdir(parents=True, exist_ok=True)
        self.database_url = recreate_database(self.database_name)
        index_dir = curated_index(self.work, self.encoder)
        first = free_block(2 * self.replicas + 1)
        self.rasa_ports = [first + i for i in range(self.replicas)]
        self.action_ports = [first + self.replicas + i for i in range(self.replicas)]
        self.webchat_port = first + 2 * self.replicas
        self.url = f"http://127.0.0.1:{self.webchat_port}"
        self.env = dict(
            os.environ, APP_ENV="production", DATABASE_URL=self.database_url,
            REDIS_URL=os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0"),
            RASA_LOCK_PREFIX=self.lock_prefix, RASA_REPLICAS=str(self.replicas),
            RASA_PORT=str(self.rasa_ports[0]), ACTIONS_PORT=str(self.action_ports[0]),
            WEBCHAT_PORT=str(self.webchat_port), LOG_DIR=str(self.log_dir),
            KB_RECORDS_DIRS=str(REPO_ROOT / "knowledge_base" / "records"), KB_INDEX_DIR=str(index_dir),
            KB_ENCODER=self.encoder,
            SURVEY_SECRET=secrets.token_urlsafe(48), DASHBOARD_SECRET=secrets.token_urlsafe(48),
            RASA_AUTH_TOKEN=secrets.token_hex(24), **self.extra_env)
        self.env.pop("TELEGRAM_BOT_TOKEN", None)
        self.output = (self.work / f"production-{self.replicas}.out").open("w")
        self.process = subprocess.Popen([str(REPO_ROOT / "scripts" / "production")], cwd=REPO_ROOT, env=self.env,
                                        stdout=self.output, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"scripts/production stopped:\n{self.tail()}")
            if "entry point" in self.tail() and self.ready():
                return self
            time.sleep(2)
        self.stop()
        raise RuntimeError(f"production stack not ready after {START_TIMEOUT:.0f} s:\n{self.tail()}")

    def tail(self, chars: int = 3000) -> str:
        path = self.work / f"production-{self.replicas}.out"
        return path.read_text(errors="replace")[-chars:] if path.exists() else ""

    def ready(self) -> bool:
        try:
            return httpx.get(self.url + "/ready", timeout=5).status_code == 200
        except httpx.HTTPError:
            return False

    def pids_listening(self, port: int) -> list[int]:
        """Processes listening on `port` (the action server's Sanic manager and its worker)."""
        found = subprocess.run(["ss", "-Hltnp", f"sport = :{port}"], capture_output=True, text=True).stdout
        import re

        return sorted({int(p) for p in re.findall(r"pid=(\d+)", found)})

    def stop(self) -> None:
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.process = None
        self.output.close()

    def __enter__(self) -> "ProductionStack":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
