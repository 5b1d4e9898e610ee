"""Benchmarks and the synthetic portfolio generator (``python -m bench``)."""
