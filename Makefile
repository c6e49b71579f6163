# Two entry points: `make demo` and `make test`. Each creates .venv and installs on first use.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: install demo test test-slow lint bench fuzz model clean

$(STAMP): pyproject.toml setup.py
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(VENV)/bin/nanoedit demo

lint: install
	$(PY) -m ruff check .

test: lint
	$(PY) -m pytest -q

test-slow: install
	$(PY) -m pytest -q -m slow

# Hostile-input fuzzing: >= 10,000 cases per input kind (prompts, graphs, plans, configs, images);
# prints the counts and fails on any untyped exception or case over 2 s. FUZZ_EXAMPLES to change it.
FUZZ_EXAMPLES ?= 10000
fuzz: install
	OMP_NUM_THREADS=1 $(PY) tests/hostile/fuzz.py --examples $(FUZZ_EXAMPLES) --json benchmarks/results/fuzz.json

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .hypothesis

bench: install
	$(PY) benchmarks/toyworld.py
	$(PY) benchmarks/planner.py
	$(PY) benchmarks/backbone.py
	$(PY) benchmarks/pipeline.py
	$(PY) benchmarks/session.py
	$(PY) benchmarks/toyworld_quality.py

# The recipe of the embedded model (nanoedit/models/toy_default): stage 1, trained on three more
# times (a second, third and fourth cosine cycle, each from the last one's weights), then stage 2,
# on 2 CPU processes.
# NPROC=8 on a bigger machine; each stage resumes from its checkpoint when re-run.
NPROC ?= 2
model: install
	OMP_NUM_THREADS=1 $(VENV)/bin/torchrun --standalone --nproc_per_node $(NPROC) -m nanoedit.train configs/base.yaml --resume
	OMP_NUM_THREADS=1 $(VENV)/bin/torchrun --standalone --nproc_per_node $(NPROC) -m nanoedit.train configs/base_continued.yaml --resume
	OMP_NUM_THREADS=1 $(VENV)/bin/torchrun --standalone --nproc_per_node $(NPROC) -m nanoedit.train configs/base_continued2.yaml --resume
	OMP_NUM_THREADS=1 $(VENV)/bin/torchrun --standalone --nproc_per_node $(NPROC) -m nanoedit.train configs/base_continued3.yaml --resume
	OMP_NUM_THREADS=1 $(VENV)/bin/torchrun --standalone --nproc_per_node $(NPROC) -m nanoedit.train configs/experts.yaml --resume
