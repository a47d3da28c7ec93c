"""bench.ports: the ports the tests' servers bind are outside the range outgoing connections take theirs from."""
from __future__ import annotations

import socket

from bench import ports


def test_ports_are_free_and_below_the_ephemeral_range():
    start = ports.ephemeral_start()
    for _ in range(20):
        first = ports.free_block(5)
        assert ports.LOWEST <= first and first + 5 <= start
        assert all(ports.is_free(port) for port in range(first, first + 5))


def test_a_taken_port_is_not_handed_out(monkeypatch):
    with socket.socket() as taken:
        taken.bind((ports.HOST, 0))
        port = taken.getsockname()[1]
        assert not ports.is_free(port)
        draws = iter([port, port + 1000])
        monkeypatch.setattr(ports, "ephemeral_start", lambda: 1024)  # too low: the kernel chooses
        monkeypatch.setattr(socket.socket, "getsockname", lambda self: ("127.0.0.1", next(draws)))
        assert ports.free_port() == port + 1000


def test_an_unreadable_range_means_linux_s_default(monkeypatch, tmp_path):
    monkeypatch.setattr(ports, "EPHEMERAL_RANGE", tmp_path / "missing")
    assert ports.ephemeral_start() == 32768
