# Two commands set up a fresh machine and do the work:
#   make run    installs what is needed, then runs the main job: the RNN-vs-LSTM suite, quick profile
#   make test   installs what is needed, then runs lint, type checks and the fast test suite
# Both install the exact versions in constraints.txt; pyproject.toml holds the ranges users get.
#   make test-lowest   the smoke tests in a separate environment with the lowest versions pyproject.toml
#                      allows (constraints-lowest.txt); not part of `make test` (it downloads older releases)
#   make lock          rewrite constraints.txt from a fresh environment with the newest allowed versions
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.rnnlab-installed
CONSTRAINTS ?= constraints.txt
LOWEST_VENV ?= .venv-lowest
# What the lowest versions must pass: models, training and checkpoints, the CLI's core, the data sets' parsers,
# the export's graphs and the layering; the rest needs the optional extras, which `make test-lowest` leaves out.
SMOKE ?= tests/test_architecture.py tests/models tests/train tests/export/test_sequence.py tests/cli/test_main.py \
	tests/cli/test_train.py tests/cli/test_evaluate.py tests/cli/test_tasks.py tests/data/datasets tests/data/test_audio.py
# `make lock` keeps torch at this version: an unpinned torch pulls a multi-GB CUDA build.
TORCH ?= 2.13.0
# Debian packages the project uses: Fashion-MNIST's data, and Chromium, in which the report test opens
# report.html headless; trans-de-en: the Ding German-English dictionary (translation); espeak-ng: the
# synthesiser behind the spoken-digits data set; g++: the compiler for the compiled recurrent core
# (src/rnnlab/models/compiled/; ninja comes from PyPI with the Python dependencies).
APT_PACKAGES ?= dataset-fashion-mnist chromium trans-de-en espeak-ng g++

.PHONY: run demo test test-all test-lowest lock lint bench system-deps kernels clean

$(STAMP): pyproject.toml $(CONSTRAINTS)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c $(CONSTRAINTS) -e '.[dev]'
	touch $(STAMP)

# Build the compiled recurrent core now (about 10 s, once per machine; cached under ~/.cache/rnnlab/kernels)
# rather than at the first training step. A failure is not fatal: rnnlab then warns once and runs without it.
kernels: $(STAMP)
	-$(BIN)/python -m rnnlab.models.compiled

system-deps:
	@bash scripts/install-system-deps.sh $(APT_PACKAGES)

RUN_OUT ?= runs/rnn-vs-lstm-$(shell date +%Y%m%d-%H%M%S)

run: system-deps $(STAMP) kernels
	$(BIN)/rnnlab compare --suite rnn-vs-lstm --profile quick --out $(RUN_OUT)

demo: $(STAMP)
	$(BIN)/rnnlab demo

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy

test: system-deps lint kernels
	$(BIN)/python -m pytest -m "not slow" -q

test-all: system-deps lint kernels
	$(BIN)/python -m pytest -q

bench: $(STAMP) kernels
	$(BIN)/rnnlab bench

test-lowest:
	rm -rf $(LOWEST_VENV)
	$(PYTHON) -m venv $(LOWEST_VENV)
	$(LOWEST_VENV)/bin/python -m pip install --quiet -c constraints-lowest.txt -e . pytest
	$(LOWEST_VENV)/bin/python -m pytest -m "not slow" -q -p no:cacheprovider $(SMOKE)

lock:
	rm -rf .venv-lock
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet "torch==$(TORCH)" -e '.[dev]'
	{ sed -n '1,/^# Regenerate/p' constraints.txt; .venv-lock/bin/python -m pip freeze --exclude-editable | sed 's/+cpu$$//'; } \
		> constraints.txt.new
	mv constraints.txt.new constraints.txt
	rm -rf .venv-lock

clean:
	rm -rf $(VENV) $(LOWEST_VENV) .venv-lock .pytest_cache .mypy_cache .ruff_cache
