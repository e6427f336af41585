# The two set-up commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install install-test system-deps translations lint format clean

# WeasyPrint (the PDF receipts and documents) needs Pango and a font from
# Debian; installed only when missing, so a machine that has them needs no root.
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

system-deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:$$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq $$missing; \
	fi

install: $(BIN)/python system-deps
	$(BIN)/pip install --quiet -e .
	$(MAKE) --no-print-directory translations

install-test: $(BIN)/python system-deps
	$(BIN)/pip install --quiet -e ".[test]"
	$(BIN)/pip install --quiet ./tests/fixtures/sample_plugin
	$(MAKE) --no-print-directory translations

translations:
	$(BIN)/pybabel compile --use-fuzzy -d helpdesk/translations -D messages 2>&1 | grep -v '^compiling' || true

# Install, create the SQLite database through the migrations, load the demo, serve.
run: install
	$(BIN)/helpdesk init-db
	$(BIN)/helpdesk demo
	$(BIN)/helpdesk run --host $(HOST) --port $(PORT)

# Install the test dependencies and run lint and the whole suite.
test: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest $(PYTEST_ARGS)

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format:
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) instance build *.egg-info
