# cleanwire: `make demo` and `make test` work on a fresh clone with only python3 and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test test-fast check bench clean chromium bytecode

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# Reinstall only when the package metadata changed.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# The project's own bytecode, compiled once (only what changed since): with PYTHONDONTWRITEBYTECODE set, as in
# many CI images, every process otherwise compiles cleaners/ and crawler/ again: about 0.2 s of CPU per crawl
# process, its extraction forkserver and each CLI call, a tenth of a small crawl's CPU.
bytecode: $(STAMP)
	@$(BIN)/python -m compileall -q cleaners crawler tests benchmarks

demo: $(STAMP) bytecode
	$(BIN)/cleanwire demo

# Test files run in parallel in 4 pytest-xdist processes, the files with e2e tests first (tests/conftest.py); a
# file's tests stay in one process, in order, so a module-scoped fixture (one crawl shared by a file's tests) runs
# once. 4 rather than one per core: the e2e tests mostly wait on servers and crawl subprocesses (2 cores: the whole
# suite 376 s with -n 4, about 470 s with -n 2). (--dist loadgroup cannot be used: xdist 3.8 cannot rename pytest
# 9.2's node ids.) PYTEST_JOBS=-n0 runs them serially.
PYTEST_JOBS ?= -n 4 --dist loadfile --no-loadscope-reorder

test: $(STAMP) bytecode chromium
	$(BIN)/python -m pytest -q $(PYTEST_JOBS)

# Debian's Chromium for the browser tests (tests/e2e/test_render.py, test_browser.py), installed only when missing
# (apt-get, with sudo when not root); Playwright is pointed at it, never a browser download. A failed install
# leaves those tests skipped, with the reason.
chromium:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || { \
	  SUDO=""; if [ "$$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium \
	  || echo "make: could not install chromium; the browser tests will be skipped" >&2; }

test-fast: $(STAMP) bytecode
	$(BIN)/python -m pytest -q -m "not e2e" $(PYTEST_JOBS)

# lint, format check and types (strict on cleaners/)
check: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/cleanwire bench ../shared/devdata ../shared/devdata-readability

clean:
	rm -rf $(VENV) build *.egg-info
