# Marketing Brain — one entry point for set-up, running, testing and linting.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MBRAIN := $(BIN)/mbrain
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint fmt typecheck clean

install: $(VENV)/.installed

# Idempotent: rebuilds only when the lock or project file changes. uv is pinned in the lock's dev group, so
# `uv sync` keeps it; pip only bootstraps it the first time.
$(VENV)/.installed: pyproject.toml uv.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	test -x $(BIN)/uv || $(BIN)/pip install --quiet uv==0.13.9
	$(BIN)/uv sync --frozen --quiet --python $(BIN)/python
	$(BIN)/python -m core.offline_assets
	@command -v chromium >/dev/null || echo "note: Debian chromium is not installed; the browser screenshot tests will be skipped (apt-get install chromium)"
	touch $@

run: install
	$(MBRAIN) init --demo
	@echo
	@echo "Demo API keys (also in $${MBRAIN_DATA_DIR:-./var}/demo-credentials.json):"
	@cat $${MBRAIN_DATA_DIR:-./var}/demo-credentials.json
	@echo
	@echo "Log in: send 'Authorization: Bearer <api_key>' — e.g."
	@echo "  curl -H 'Authorization: Bearer <marketer key>' http://$(HOST):$(PORT)/v1/campaigns"
	@echo "API docs: http://$(HOST):$(PORT)/docs"
	$(MBRAIN) serve --host $(HOST) --port $(PORT)

test: install
	$(BIN)/pytest -q

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy core agents tools prompts api cli evals bench

fmt: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
