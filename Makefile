# Stroke Coach. `make run` opens the app, `make test` runs the tests; each
# creates .venv and installs the pinned dependencies first when they are
# missing or older than requirements.txt.

PYTHON ?= $(shell for p in python3.12 python3.11 python3.10 python3.9 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(not (3, 9) <= sys.version_info[:2] <= (3, 12))' 2>/dev/null && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.stamp-requirements
PORT ?= 8501

.PHONY: run test bench bench-live samples clean-venv

$(STAMP): requirements.txt
	@test -n "$(PYTHON)" || { echo "error: Stroke Coach needs Python 3.9 to 3.12 (MediaPipe 0.10.21 has no wheels for newer); install one, or run: make PYTHON=/path/to/python3.11 $(MAKECMDGOALS)"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m streamlit run app.py --server.address 127.0.0.1 --server.port $(PORT) \
		--browser.gatherUsageStats false

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/throughput.py

bench-live: $(STAMP)
	$(BIN)/python benchmarks/live.py

samples: $(STAMP)
	$(BIN)/python -m samples.generate

clean-venv:
	rm -rf $(VENV)
