# Two commands set up a fresh machine and do the work:
#   make run    installs what is needed, then runs the main job: the RNN-vs-LSTM suite, quick profile
#   make test   installs what is needed, then runs lint, type checks and the fast test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.rnnlab-installed
# Debian packages the project uses: Fashion-MNIST's data, and Chromium, in which the report test opens
# report.html headless; trans-de-en: the Ding German-English dictionary (translation); espeak-ng: the
# synthesiser behind the spoken-digits data set; g++: the compiler for the compiled recurrent core
# (src/rnnlab/models/compiled/; ninja comes from PyPI with the Python dependencies).
APT_PACKAGES ?= dataset-fashion-mnist chromium trans-de-en espeak-ng g++

.PHONY: run demo test test-all lint bench system-deps kernels clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
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

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
