"""Servers the dialogue benchmark starts on free loopback ports (each in its own process group, so
stopping one stops its Sanic workers too), and where the machine's CPU went while a block ran."""
from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import requests

CORES = os.cpu_count() or 1
LOOPBACK = "127.0.0.1"


class Server:
    """One background process: started with the real binary, ready when `ready_path` answers 200,
    stopped by its own process-group id."""

    def __init__(self, name: str, argv: list[str], *, cwd: Path, env: dict, port: int, ready_path: str,
                 log: Path):
        self.name, self.argv, self.cwd, self.env = name, argv, cwd, env
        self.port, self.ready_path, self.log = port, ready_path, log
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def start(self) -> "Server":
        self.process = subprocess.Popen(self.argv, cwd=self.cwd, env=self.env, stdout=self.log.open("w"),
                                        stderr=subprocess.STDOUT, start_new_session=True)
        return self

    def wait_ready(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited early (code {self.process.returncode}):\n{self.tail()}")
            try:
                if requests.get(self.url + self.ready_path, timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(1)
        raise RuntimeError(f"{self.name} not ready in time:\n{self.tail()}")

    def tail(self, chars: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        group = self.process.pid  # start_new_session: the group id is our child's pid
        try:
            os.killpg(group, signal.SIGTERM)
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(group, signal.SIGKILL)
            self.process.wait(timeout=10)
        except ProcessLookupError:
            pass

    def cpu_seconds(self) -> float:
        return tree_cpu_seconds(self.process.pid) if self.process else 0.0


# --- CPU accounting from /proc ----------------------------------------------------------------------

_TICK = os.sysconf("SC_CLK_TCK")


def _own_cpu(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK  # utime + stime, all threads


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as children:
                found += [int(c) for c in children.read().split()]
    except OSError:
        pass
    return found


def tree_cpu_seconds(pid: int) -> float:
    """CPU seconds used so far by a process and its living descendants (Sanic serves from a child)."""
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        total += _own_cpu(current)
        todo += _children(current)
    return total


def _machine_busy_seconds() -> tuple[float, float]:
    """(busy, elapsed) CPU seconds of the whole machine since boot, summed over cores."""
    with open("/proc/stat") as stat:
        fields = [int(x) for x in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]
    total = sum(fields[:8])
    return (total - idle) / _TICK, total / _TICK


class CpuShare:
    """Average cores kept busy during a block by each named server, by this process (the simulated
    citizens), and by everything else on the machine (other work sharing these cores)."""

    def __init__(self, servers: dict[str, Server]):
        self.servers = servers
        self.cores: dict[str, float] = {}

    def _sample(self) -> dict[str, float]:
        busy, total = _machine_busy_seconds()
        sample = {name: server.cpu_seconds() for name, server in self.servers.items()}
        sample["citizens"] = _own_cpu(os.getpid())
        return sample | {"_busy": busy, "_total": total}

    def __enter__(self) -> "CpuShare":
        self._start = self._sample()
        return self

    def __exit__(self, *exc) -> None:
        end = self._sample()
        wall = (end["_total"] - self._start["_total"]) / CORES
        if wall <= 0:
            return
        used = {k: (end[k] - self._start[k]) / wall for k in end if not k.startswith("_")}
        busy = (end["_busy"] - self._start["_busy"]) / wall
        self.cores = used | {"other": max(0.0, busy - sum(used.values())), "machine": busy}

    def __str__(self) -> str:
        if not self.cores:
            return "cpu: -"
        parts = [f"{name} {value:.2f}" for name, value in self.cores.items() if name != "machine"]
        return f"cores busy of {CORES}: " + ", ".join(parts) + f" (machine {self.cores['machine']:.2f})"
