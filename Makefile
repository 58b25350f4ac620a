# Two commands set up a fresh machine and do the work:
#   make run    installs what is needed, then runs the main job: the RNN-vs-LSTM suite, quick profile
#   make test   installs what is needed, then runs lint, type checks and the fast test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.rnnlab-installed
# Debian packages the project uses: Fashion-MNIST's data, and Chromium, in which the report test opens
# report.html headless; trans-de-en: the Ding German-English dictionary (translation); espeak-ng: the
# synthesiser behind the spoken-digits data set.
APT_PACKAGES ?= dataset-fashion-mnist chromium trans-de-en espeak-ng

.PHONY: run demo test test-all lint bench system-deps clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

system-deps:
	@bash scripts/install-system-deps.sh $(APT_PACKAGES)

RUN_OUT ?= runs/rnn-vs-lstm-$(shell date +%Y%m%d-%H%M%S)

run: system-deps $(STAMP)
	$(BIN)/rnnlab compare --suite rnn-vs-lstm --profile quick --out $(RUN_OUT)

demo: $(STAMP)
	$(BIN)/rnnlab demo

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy

test: system-deps lint
	$(BIN)/python -m pytest -m "not slow" -q

test-all: system-deps lint
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/rnnlab bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
