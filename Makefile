.PHONY: test test-full bench bench-quick

test:
	.venv/bin/python -m pytest -n auto -m "not slow"

test-full:
	TASKTUI_HYPOTHESIS=full .venv/bin/python -m pytest -n auto

bench:
	.venv/bin/python benchmarks/bench.py all

bench-quick:
	.venv/bin/python benchmarks/bench.py all --quick
