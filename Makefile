# Two commands for a newcomer: `make demo` and `make test`. Everything installs from the project's own files.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CHECKOV_VENV := .venv-checkov

.PHONY: demo test validate synth check local-deploy preflight benchmark clean chromium catalog

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "meshform needs Python 3.11+")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $@

# checkov pins an old boto3: it lives in its own virtualenv so it never downgrades the app's.
$(CHECKOV_VENV)/.installed: requirements-checkov.txt
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-checkov.txt
	@touch $@

# Debian packages the tests need besides Python, Node, Java and Terraform: headless Chromium (the catalog's browser
# tests, tests/test_catalog_site.py) and jq (the CI workflows' shell steps, run by tests/test_workflows.py).
# Installed only when missing, as root (CI) or with passwordless sudo; otherwise the message says how. On a laptop
# the tests that need a missing tool are skipped; in CI (CI=true) a tool still missing fails here, before the tests.
DEB_TOOLS := chromium jq
chromium:
	@missing=""; for tool in $(DEB_TOOLS); do command -v $$tool >/dev/null 2>&1 || missing="$$missing $$tool"; done; \
	if [ -z "$$missing" ]; then :; \
	elif ! command -v apt-get >/dev/null 2>&1; then echo "not installed (the tests need them):$$missing - install your distribution's packages" >&2; \
	elif [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	elif sudo -n true 2>/dev/null; then sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	else echo "not installed (the tests need them):$$missing - sudo apt-get install -y --no-install-recommends$$missing" >&2; fi; \
	if [ "$${CI:-}" = true ]; then for tool in $(DEB_TOOLS); do command -v $$tool >/dev/null 2>&1 || \
	{ echo "CI=true: $$tool is required and could not be installed" >&2; exit 1; }; done; fi

# The main job on the bundled environments: validate -> synthesize -> check, in one pass (meshform build), then
# their product catalog (prints the file:// address to open).
demo: $(VENV)/.installed $(CHECKOV_VENV)/.installed
	$(BIN)/meshform build
	$(BIN)/meshform catalog

# Two workers (the machine's cores): the emulator applies mostly wait on the provider, so they overlap well.
# --dist loadfile keeps a file on one worker: each file applies its environment once (module/session fixtures).
# asl-validator (package.json, pinned in package-lock.json) validates the state machine definitions in tests.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

test: $(VENV)/.installed $(CHECKOV_VENV)/.installed node_modules/.installed chromium
	$(BIN)/pytest -n $(or $(WORKERS),2) --dist loadfile

validate: $(VENV)/.installed
	$(BIN)/meshform validate

synth: $(VENV)/.installed
	$(BIN)/meshform synth

# The governance gate on exactly what synth wrote (ENV=dev to pick environments).
check: $(VENV)/.installed $(CHECKOV_VENV)/.installed
	$(BIN)/meshform check $(if $(ENV),--env $(ENV))

# Apply every stack to a local emulator with real terraform and re-plan (needs terraform; ENV=dev by default).
local-deploy: $(VENV)/.installed
	$(BIN)/meshform local-deploy --env $(or $(ENV),dev)

# Read-only checks of the real accounts before the first apply (needs AWS credentials; ENV required).
preflight: $(VENV)/.installed
	@test -n "$(ENV)" || (echo "usage: make preflight ENV=<environment>" >&2; exit 2)
	$(BIN)/meshform preflight --env $(ENV)

benchmark: $(VENV)/.installed
	$(BIN)/python benchmarks/scale.py --products $(or $(PRODUCTS),100)

catalog: $(VENV)/.installed
	$(BIN)/meshform catalog $(if $(ENV),--env $(ENV))

clean:
	rm -rf cdktf.out .meshform reports catalog
