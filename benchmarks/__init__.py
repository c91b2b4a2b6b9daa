"""Benchmarks, run on demand (`make benchmark`), never as timed unit tests."""
