"""Benchmarks of Outpost: `bench/run.py` times the pages users wait on; `bench/scores.py` the scores."""
