# Two commands for a newcomer: `make serve` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.installed
NODE_STAMP := scripts/node_modules/.installed
export NO_MKDOCS_2_WARNING := 1

.PHONY: setup serve build test lint format clean bench lighthouse
# one step at a time: `npm ci` replaces scripts/node_modules, which a build reads
.NOTPARALLEL:

setup: $(PY_STAMP) $(NODE_STAMP)

$(PY_STAMP): pyproject.toml scripts/constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11 or newer is needed; found: $$($(PYTHON) --version 2>&1)"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -c 'import tomllib; p = tomllib.load(open("pyproject.toml", "rb"))["project"]; \
		print("\n".join(p["dependencies"] + p["optional-dependencies"]["test"]))' > $(VENV)/requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check \
		-r $(VENV)/requirements.txt -c scripts/constraints.txt
	@touch $@

$(NODE_STAMP): scripts/package.json scripts/package-lock.json
	@command -v npm >/dev/null || \
		{ echo "Node.js 18+ with npm is needed: formulas are rendered at build time"; exit 1; }
	npm ci --prefix scripts --omit=dev --no-audit --no-fund --loglevel=error
	@touch $@

# Lighthouse is a development dependency: only `make lighthouse` installs it (with the rest)
LIGHTHOUSE_STAMP := scripts/node_modules/.installed-dev
$(LIGHTHOUSE_STAMP): scripts/package.json scripts/package-lock.json $(NODE_STAMP)
	npm ci --prefix scripts --include=dev --no-audit --no-fund --loglevel=error
	@touch $(NODE_STAMP) $@

# --dirty: a rebuild renders only what an edit changes (scripts/hooks.py adds what MkDocs cannot
# see); --no-strict: a broken link is a warning while writing (the hooks' own checks still fail
# the rebuild, and `make build` and `make test` stay strict)
serve: setup  ## live-reloading site on http://127.0.0.1:8000 (an edit re-renders what it changes)
	$(BIN)/mkdocs serve --dirty --no-strict --dev-addr 127.0.0.1:8000

build: setup  ## static site into site/
	$(BIN)/mkdocs build --strict --site-dir site

test: setup  ## lint, then every test (the strict site build included), on both cores
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -n 2 --dist loadfile

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:  ## remove build output and caches (not the environments)
	rm -rf site docs/generated .cache

bench: setup  ## build benchmark: cold, warm, incremental, yardstick, page weights
	$(BIN)/python scripts/bench.py

lighthouse: $(LIGHTHOUSE_STAMP) build  ## phone page speed (Lighthouse, mobile defaults) of one page of each kind; fails when a target is missed
	$(BIN)/python scripts/lighthouse.py
