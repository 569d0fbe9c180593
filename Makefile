# Two commands for a newcomer: `make demo` and `make test`. Everything installs from the project's own files.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CHECKOV_VENV := .venv-checkov

.PHONY: demo test validate synth check local-deploy clean

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

demo: $(VENV)/.installed
	$(BIN)/meshform validate
	$(BIN)/meshform synth

test: $(VENV)/.installed $(CHECKOV_VENV)/.installed
	$(BIN)/pytest

validate: $(VENV)/.installed
	$(BIN)/meshform validate

synth: $(VENV)/.installed
	$(BIN)/meshform synth

clean:
	rm -rf cdktf.out .meshform reports
