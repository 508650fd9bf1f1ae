# Frontdesk. `make dev` runs the API on a local AWS; `make test` runs the offline suite.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: dev test lint install clean

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

clean:
	rm -rf $(VENV) .local .pytest_cache
