.PHONY: test bench bench-quick

test:
	.venv/bin/python -m pytest

bench:
	.venv/bin/python benchmarks/bench.py all

bench-quick:
	.venv/bin/python benchmarks/bench.py all --quick
