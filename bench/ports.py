"""Loopback ports for the servers a test or a benchmark starts.

Binding port 0 hands out a port of the kernel's ephemeral range, the range every outgoing connection
(to PostgreSQL, Redis, a server polled for /ready) takes its local port from: in the half minute between
choosing a port that way and a Rasa server binding it, a connection can take it, and the server fails
with "address already in use" (seen in CI). Ports here are drawn at random below that range and checked
free; a machine whose range starts too low for that falls back to asking the kernel."""
from __future__ import annotations

import random
import socket
from pathlib import Path

EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")
LOWEST = 20000
HOST = "127.0.0.1"


def ephemeral_start() -> int:
    try:
        return int(EPHEMERAL_RANGE.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768  # Linux's default


def is_free(port: int, host: str = HOST) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def free_block(size: int = 1, host: str = HOST) -> int:
    """A first port such that `size` consecutive ports are free on `host`."""
    top = ephemeral_start() - size
    draw = random.SystemRandom()
    for _ in range(200):
        if top > LOWEST:
            first = draw.randrange(LOWEST, top)
        else:
            with socket.socket() as s:
                s.bind((host, 0))
                first = s.getsockname()[1]
        if first + size < 65000 and all(is_free(port, host) for port in range(first, first + size)):
            return first
    raise RuntimeError(f"no block of {size} free ports on {host}")


def free_port(host: str = HOST) -> int:
    return free_block(1, host)
