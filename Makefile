# Frontdesk. `make dev` runs the API on a local AWS; `make test` runs the offline suite.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: dev test lint e2e install clean

# (Re)install when the requirement files change; a fresh clone needs only python3.
$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

dev: $(STAMP)
	exec $(PY) -m devstack

test: $(STAMP)
	$(PY) -m pytest -q

# ruff (style, imports, likely bugs) and mypy --strict on the code that ships.
lint: $(STAMP)
	$(VENV)/bin/ruff check app.py chalicelib devstack tests
	$(VENV)/bin/mypy

# Browser tests: the real local stack on free ports, Debian's Chromium driven by
# Playwright. Screenshots go to artifacts/e2e/ (git-ignored).
E2E_STAMP := $(VENV)/.installed-e2e
$(E2E_STAMP): $(STAMP) requirements-e2e.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-e2e.txt
	touch $(E2E_STAMP)

e2e: $(E2E_STAMP)
	tests/e2e/ensure-chromium.sh
	$(PY) -m pytest -q tests/e2e

clean:
	rm -rf $(VENV) .local .pytest_cache
