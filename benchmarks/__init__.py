"""Ratio benchmarks (DESIGN §6): ``python -m benchmarks [--smoke]``, wired to ``make bench``."""
