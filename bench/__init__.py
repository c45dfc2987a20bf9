"""Benchmarks: the matching engine in-process, and order entry through the running stack."""
