# Stroke Coach. `make run` opens the app, `make test` runs the tests, `make lint` checks the
# code. Each creates .venv with Python 3.11 or 3.12 and installs the locked dependencies
# (requirements/*.txt, exact versions with hashes) when they are missing or older than the lock.
#
# Locks: requirements/runtime.txt (pyproject's dependencies: `make run`, `make bench`) and
# requirements/test.txt (the same plus the test and dev extras, resolved within the runtime
# lock: `make test`, `make lint`). Both hold for Python 3.11 and 3.12 on Linux.
# Re-lock after changing pyproject.toml's dependencies: `make lock` (keeps the versions it
# can); to move on: `make lock LOCK_FLAGS=--upgrade` or `LOCK_FLAGS='--upgrade-package streamlit'`.

PYTHON ?= $(shell for p in python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(not (3, 11) <= sys.version_info[:2] <= (3, 12))' 2>/dev/null && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
RUNTIME_LOCK := requirements/runtime.txt
TEST_LOCK := requirements/test.txt
RUNTIME_STAMP := $(VENV)/.stamp-runtime
TEST_STAMP := $(VENV)/.stamp-test
PORT ?= 8501
LINT_PATHS ?= vision
LOCK_FLAGS ?=
PY_OK := import sys; sys.exit(not (3, 11) <= sys.version_info[:2] <= (3, 12))

.PHONY: run test lint lock bench bench-live bench-soak samples clean-venv FORCE
.DEFAULT_GOAL := $(RUNTIME_STAMP)

# .venv is made (again, when its Python is missing or not 3.11 or 3.12) by the first stamp
# that needs it; such a .venv makes both stamps out of date.
ifneq ($(shell $(BIN)/python -c '$(PY_OK)' 2>/dev/null && echo ok),ok)
$(RUNTIME_STAMP) $(TEST_STAMP): FORCE
endif
FORCE:
define MAKE_VENV
	@$(BIN)/python -c '$(PY_OK)' 2>/dev/null || { \
		test -n "$(PYTHON)" && $(PYTHON) -c '$(PY_OK)' 2>/dev/null || { \
			echo "error: Stroke Coach needs Python 3.11 or 3.12 (MediaPipe 0.10.21 has no wheels for newer, pandas 3 none for older); install one, or run: make PYTHON=/path/to/python3.11 $(MAKECMDGOALS)" >&2; exit 1; }; \
		echo "creating $(VENV) with $$($(PYTHON) -c 'import sys; print(sys.executable, sys.version.split()[0])')"; \
		rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); }
endef

$(RUNTIME_STAMP): $(RUNTIME_LOCK)
	$(MAKE_VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(RUNTIME_LOCK)
	@touch $@

$(TEST_STAMP): $(RUNTIME_LOCK) $(TEST_LOCK)
	$(MAKE_VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(TEST_LOCK)
	@touch $@ $(RUNTIME_STAMP)

run: $(RUNTIME_STAMP)
	$(BIN)/python -m streamlit run app.py --server.port $(PORT)

test: $(TEST_STAMP)
	$(BIN)/python -m pytest

# all three checks run, whichever fails; mypy checks the packages that [tool.mypy] names
lint: $(TEST_STAMP)
	@status=0; \
	for cmd in "ruff check $(LINT_PATHS)" "ruff format --check $(LINT_PATHS)" "mypy"; do \
		echo "$(BIN)/$$cmd"; $(BIN)/$$cmd || status=1; \
	done; exit $$status

lock: $(TEST_STAMP)
	UV_CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/uv pip compile --quiet pyproject.toml --universal \
		--generate-hashes $(LOCK_FLAGS) -o $(RUNTIME_LOCK)
	UV_CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/uv pip compile --quiet pyproject.toml --universal \
		--generate-hashes --extra test --extra dev -c $(RUNTIME_LOCK) $(LOCK_FLAGS) -o $(TEST_LOCK)

bench: $(RUNTIME_STAMP)
	$(BIN)/python benchmarks/throughput.py

# drives the app in headless Chromium with playwright (a test dependency)
bench-live: $(TEST_STAMP)
	$(BIN)/python benchmarks/live.py
	$(BIN)/python benchmarks/live.py --record

# half an hour of live practice: memory, delay and frames must hold (benchmarks/soak.py)
bench-soak: $(TEST_STAMP)
	$(BIN)/python benchmarks/soak.py

samples: $(RUNTIME_STAMP)
	$(BIN)/python -m samples.generate

clean-venv:
	rm -rf $(VENV)
