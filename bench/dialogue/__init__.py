"""Pieces of the dialogue benchmark (`bench/dialogue_latency.py`): the servers it starts on loopback
ports, the simulated citizens that talk to them, and the ResponseSelector baseline project."""
