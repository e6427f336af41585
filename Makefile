# The two set-up commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
# Test processes; `make test PYTEST_WORKERS=0` runs in one process (for pdb).
PYTEST_WORKERS ?= 2

# uv installs exactly the versions in uv.lock into $(VENV); it is itself
# installed by pip, pinned by hash, into a folder of its own.
TOOLS := .tools
UV := $(TOOLS)/bin/uv
export UV_PROJECT_ENVIRONMENT := $(abspath $(VENV))
# Use the Python given above, never one uv would download.
export UV_PYTHON_DOWNLOADS := never

.PHONY: run test suite install install-test system-deps translations lint format audit \
	lock lock-upgrade wheel-check clean

# WeasyPrint (the PDF receipts and documents) needs Pango and a font from
# Debian; installed only when missing, so a machine that has them needs no root.
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core

$(UV): requirements-uv.txt
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --require-hashes -r requirements-uv.txt
	touch $(UV)

system-deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:$$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq $$missing; \
	fi

# --locked: a pyproject.toml changed without `make lock` stops here instead of
# installing versions nobody tested.
install: $(UV) system-deps
	$(UV) sync --quiet --locked --no-dev --python $(PYTHON)
	$(MAKE) --no-print-directory translations

install-test: $(UV) system-deps
	$(UV) sync --quiet --locked --extra test --python $(PYTHON)
	$(MAKE) --no-print-directory translations

translations:
	$(BIN)/pybabel compile --use-fuzzy -d helpdesk/translations -D messages 2>&1 | grep -v '^compiling' || true

# Install, create the SQLite database through the migrations, load the demo, serve.
run: install
	$(BIN)/helpdesk init-db
	$(BIN)/helpdesk demo
	$(BIN)/helpdesk run --host $(HOST) --port $(PORT)

# Install the test dependencies and run lint and the whole suite; the suite's
# duration and its 20 slowest tests close the output.
test: install-test
	$(MAKE) --no-print-directory lint suite

# The suite alone, on what is installed (CI's second half, with the variables
# of tests/conftest.py pointing at PostgreSQL and Redis).
suite:
	$(BIN)/pytest -n $(PYTEST_WORKERS) --durations=20 $(PYTEST_ARGS)

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format:
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Known vulnerabilities in the locked set (runtime and test tools) fail.
audit: install-test
	UV=$(abspath $(UV)) BIN=$(BIN) .ci/audit

# After changing dependencies in pyproject.toml.
lock: $(UV)
	$(UV) lock

# Every dependency to its newest release allowed by pyproject.toml.
lock-upgrade: $(UV)
	$(UV) lock --upgrade

# Build the wheel from a clean source distribution, install it alone in a fresh
# virtualenv outside the checkout, and use it: init-db, demo, one request.
wheel-check: $(UV)
	PYTHON=$(PYTHON) UV=$(abspath $(UV)) .ci/wheel-check

clean:
	rm -rf $(VENV) $(TOOLS) instance build dist *.egg-info
