# ConflictLens. `make help` lists the targets; each one's help is the `##` comment on its line.
# `make report` and `make test` need only Python 3.11 and pip: they create .venv and install the package first.

SHELL := /bin/sh
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
BOOT_PYTHON := $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null)
# Newer than pyproject.toml = the environment is up to date (no reinstall).
STAMP := $(VENV)/.installed
# Extra options for `conflictlens report`, e.g. make report ARGS="--corpus ~/news -p start 2025-01-01"
ARGS ?=

# Jupyter, IPython and matplotlib write here, never in a home folder.
CACHE := $(CURDIR)/.cache
export JUPYTER_RUNTIME_DIR := $(CACHE)/jupyter/runtime
export JUPYTER_DATA_DIR := $(CACHE)/jupyter/data
export JUPYTER_CONFIG_DIR := $(CACHE)/jupyter/config
export IPYTHONDIR := $(CACHE)/ipython
export MPLCONFIGDIR := $(CACHE)/matplotlib

.PHONY: help report test lab figures bench clean

help: ## Show this list of targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z][a-z-]*:.*## / {printf "  make %-9s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml
	@test -n "$(BOOT_PYTHON)" || { echo "make: need python3.11 or python3 on PATH" >&2; exit 1; }
	@test -x $(PY) || $(BOOT_PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "make: $(BOOT_PYTHON) is older than Python 3.11" >&2; exit 1; }
	test -x $(PY) || $(BOOT_PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -e .
	@touch $(STAMP)

report: $(STAMP) ## Run every notebook on the seeds: reports/<run>/ (ipynb, html, run.json) and figures/
	$(VENV)/bin/conflictlens report $(ARGS)

test: $(STAMP) ## Run the test suite (every notebook runs on the seeds, smoke preset)
	$(PY) -m pytest

lab: $(STAMP) ## Open JupyterLab on the notebooks, with the project's environment as kernel
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks

figures: $(STAMP) ## Redraw the paper figures into figures/ (notebooks 01-04, full preset)
	$(VENV)/bin/conflictlens report --preset figures $(ARGS)

bench: $(STAMP) ## Measure extraction speed and scaling (bench/run.py)
	$(PY) bench/run.py

clean: ## Remove runs, extracted tables and caches (keeps .venv and the committed figures)
	rm -rf reports results .cache .pytest_cache
	find lib tests bench -name __pycache__ -type d -prune -exec rm -rf {} +
