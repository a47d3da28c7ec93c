"""Benchmarks: scripts that print figures side by side with a baseline (see bench/README.md)."""
