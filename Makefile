# Frontdesk. `make dev` runs the API on a local AWS; `make test` runs the offline suite.
# PYTHON only starts things: .venv gets the Lambda runtime's Python version
# (infra/runtime.py) when this machine has it, else the newest from 3.11 on, saying so.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
VENV_PYTHON := $(shell $(PYTHON) -m infra.interpreters version)
STAMP  := $(VENV)/.installed

.PHONY: dev test lint e2e bench soak install clean deploy destroy check-package admin admin-remove admins \
	fuzz audit settings check-config rehearse aws-models

# (Re)install when the requirement files or that version change (a .venv of another
# version is rebuilt); a fresh clone needs only python3.
$(VENV)/.python-$(VENV_PYTHON):
	$(PYTHON) -m infra.interpreters venv $(VENV)
	touch $@

$(STAMP): requirements.txt requirements-dev.txt $(VENV)/.python-$(VENV_PYTHON)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

dev: $(STAMP)
	exec $(PY) -m devstack

test: $(STAMP)
	$(PY) -m pytest -q

# ruff (style, imports, likely bugs) and mypy --strict on the code that ships.
lint: $(STAMP)
	$(VENV)/bin/ruff check app.py chalicelib devstack infra bench tests
	$(VENV)/bin/mypy

# `chalice package` per stage + cfn-lint + the 1 MB function-zip budget; downloads
# Lambda wheels, so not in `make test`.
check-package: $(STAMP)
	$(PY) -m pytest -q infra/package_checks

# The trimmed AWS service models the function ships (chalicelib/platform/aws_models),
# from the pinned botocore and the operations the code calls; run after adding a call
# (tests/infra/test_aws_models.py says when).
aws-models: $(STAMP)
	$(PY) -m infra.aws_models

# The owner's settings: frontdesk.json (git-ignored), or the file FRONTDESK_SETTINGS
# names. `make settings` seeds it from frontdesk.example.json, never over an existing one.
SETTINGS_FILE = $(or $(FRONTDESK_SETTINGS),frontdesk.json)
settings:
	@if [ -e "$(SETTINGS_FILE)" ]; then \
		echo "$(SETTINGS_FILE) already exists; left as it is."; \
	else \
		cp frontdesk.example.json "$(SETTINGS_FILE)" && \
		echo "Wrote $(SETTINGS_FILE): set each stage's mailFrom, ownerEmail and sesIdentity in it, then run make check-config STAGE=dev."; \
	fi

# The stage's settings, checked offline (no AWS credentials); also deploy's first step.
STAGE ?= dev
check-config: $(STAMP)
	$(PY) -m infra check-config --stage $(STAGE)

# Deploy to AWS: resources, API and web site (docs/deploy.md). Needs credentials and a region.
deploy: $(STAMP)
	$(PY) -m infra deploy --stage $(STAGE)

# Empties the site bucket, then deletes; prod refuses unless CONFIRM=frontdesk-prod-resources.
destroy: $(STAMP)
	$(PY) -m infra destroy --stage $(STAGE) $(if $(CONFIRM),--confirm $(CONFIRM))

# The real `make deploy`, admin commands and `make destroy`, end to end, into a private
# moto on free ports with a stage of its own, and what they deployed checked
# (docs/deploy.md, "Rehearsing a deploy"). Never reaches AWS; about a minute.
rehearse: $(STAMP)
	$(PY) -m devstack.rehearsal

# Dashboard administrators (docs/deploy.md, "Administrators"): the admin group of
# the running `make dev` stack, or of a deployed stage's pool with STAGE=<stage>.
ADMIN_STAGE = $(if $(filter command line environment,$(origin STAGE)),$(STAGE),local)
admin: $(STAMP)
	$(PY) -m infra admin --stage $(ADMIN_STAGE) --email "$(EMAIL)"

admin-remove: $(STAMP)
	$(PY) -m infra admin-remove --stage $(ADMIN_STAGE) --email "$(EMAIL)"

admins: $(STAMP)
	$(PY) -m infra admins --stage $(ADMIN_STAGE)

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

# Frontdesk beside bare Chalice, FastAPI + Mangum and Powertools: cold start, warm
# requests, memory, package, DynamoDB reads; writes bench/RESULTS.md (~15 min).
# The peers install into their own virtualenv, bench/.venv. Not part of `make test`.
BENCH_VENV  := bench/.venv
BENCH_STAMP := $(BENCH_VENV)/.installed
$(BENCH_VENV)/.python-$(VENV_PYTHON):
	$(PYTHON) -m infra.interpreters venv $(BENCH_VENV)
	touch $@

$(BENCH_STAMP): requirements.txt requirements-dev.txt bench/requirements-peers.txt \
		$(BENCH_VENV)/.python-$(VENV_PYTHON)
	$(BENCH_VENV)/bin/python -m pip install --quiet --disable-pip-version-check \
		-r bench/requirements-peers.txt
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	$(BENCH_VENV)/bin/python bench/run.py

# Sustained writes against a stack of its own (bench/soak.py): flat latency and
# memory, clean stop. A benchmark, not part of `make test` or .ci/run.
soak: $(STAMP)
	$(PY) bench/soak.py

clean:
	rm -rf $(VENV) $(BENCH_VENV) .local .pytest_cache
