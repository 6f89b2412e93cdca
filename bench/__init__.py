"""Benchmarks: each script prints one JSON line per figure."""
