# Frontdesk. `make dev` runs the API on a local AWS; `make test` runs the offline suite.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: dev test lint e2e bench install clean deploy destroy check-package fuzz audit

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
	$(VENV)/bin/ruff check app.py chalicelib devstack infra scripts tests
	$(VENV)/bin/mypy

# `chalice package` per stage + cfn-lint; downloads Lambda wheels, so not in `make test`.
check-package: $(STAMP)
	$(PY) -m pytest -q infra/package_checks

# Deploy to AWS (README, "Deploy to AWS"). Needs credentials and a region.
STAGE ?= dev
deploy: $(STAMP)
	$(PY) -m infra deploy --stage $(STAGE)

# prod refuses unless CONFIRM=frontdesk-prod-resources.
destroy: $(STAMP)
	$(PY) -m infra destroy --stage $(STAGE) $(if $(CONFIRM),--confirm $(CONFIRM))

# Browser tests: the real local stack on free ports, Debian's Chromium driven by
# Playwright. Screenshots go to artifacts/e2e/ (git-ignored).
E2E_STAMP := $(VENV)/.installed-e2e
$(E2E_STAMP): $(STAMP) requirements-e2e.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-e2e.txt
	touch $(E2E_STAMP)

e2e: $(E2E_STAMP)
	tests/e2e/ensure-chromium.sh
	$(PY) -m pytest -q tests/e2e

# Schemathesis against a local stack it starts on free ports and stops (tests/fuzz):
# every operation as admin, plain user and API key, all checks, stateful links.
FUZZ_STAMP := $(VENV)/.installed-fuzz
$(FUZZ_STAMP): $(STAMP) requirements-fuzz.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-fuzz.txt
	touch $(FUZZ_STAMP)

fuzz: $(FUZZ_STAMP)
	$(PY) -m tests.fuzz

# Known vulnerabilities in every requirements*.txt (pip-audit). It needs the network
# (the vulnerability database and the package index), so .ci/run does not run it.
# --strict: a dependency that could not be checked fails the audit too.
AUDIT_STAMP := $(VENV)/.installed-audit
$(AUDIT_STAMP): $(STAMP) requirements-audit.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-audit.txt
	touch $(AUDIT_STAMP)

audit: $(AUDIT_STAMP)
	$(VENV)/bin/pip-audit --strict --progress-spinner off --desc on $(addprefix --requirement ,$(wildcard requirements*.txt))

# Cold-start cost of the app against bare Chalice + boto3 (scripts/bench_cold_start.py).
bench: $(STAMP)
	$(PY) scripts/bench_cold_start.py

clean:
	rm -rf $(VENV) .local .pytest_cache
