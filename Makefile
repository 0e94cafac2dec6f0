# The one entry point for people and CI. `make run` and `make test` set up
# whatever is missing first: two virtual environments (see README) and the
# trained Rasa model, each rebuilt only when its inputs changed.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON311 ?= $(shell scripts/find_python.sh 3.11)
PYTHON310 ?= $(shell scripts/find_python.sh 3.10)
VENV := .venv
VENV_RASA := .venv-rasa
export PYTHAINLP_OFFLINE := 1
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export RASA_TELEMETRY_ENABLED := false
PY_PACKAGES := nlu texts knowledge actions conversation http_api channels backoffice gateway

.PHONY: help setup setup-system setup-gateway setup-rasa model run test lint format typecheck validate-rasa \
        test-rasa-env test-gateway test-gateway-without-model test-gateway-with-model static-checks test-with-rasa bench clean

help:
	@echo "make run    set up what is missing, then start the bot on http://localhost:8000"
	@echo "make test   set up what is missing, then run ruff, mypy, rasa data validate and pytest"
	@echo "make bench  print retrieval and latency benchmarks"
	@echo "make clean  remove virtual environments, the trained model and runtime data"

setup: setup-gateway setup-rasa

setup-system:
	@scripts/ensure_system_packages.sh

setup-gateway:
	@test -n "$(PYTHON311)" || { scripts/find_python.sh 3.11 >/dev/null; exit 1; }
	@scripts/ensure_venv.sh $(VENV) "$(PYTHON311)" requirements/gateway.lock .

setup-rasa:
	@test -n "$(PYTHON310)" || { scripts/find_python.sh 3.10 >/dev/null; exit 1; }
	@scripts/ensure_venv.sh $(VENV_RASA) "$(PYTHON310)" requirements/rasa.lock

model: setup-rasa
	@$(VENV_RASA)/bin/python scripts/train_model.py

run: setup model
	@$(VENV)/bin/citizenbot run

lint: setup-gateway
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

format: setup-gateway
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

typecheck: setup-gateway
	$(VENV)/bin/mypy $(PY_PACKAGES)

validate-rasa: setup-rasa
	@cd . && PYTHONPATH=. $(VENV_RASA)/bin/rasa data validate --fail-on-warnings \
	  --config config.yml --domain bot/domain --data bot/data

# nlu/ must work in both environments, so its tests run in both. Rasa 3.6's pinned
# dependencies (TensorFlow, pkg_resources users) emit deprecation warnings on import:
# this is the one place they are filtered; everywhere else warnings are errors.
RASA_ENV_WARNING_FILTERS := -W ignore::DeprecationWarning -W ignore::PendingDeprecationWarning \
                            -W ignore::FutureWarning -W "ignore:Slot auto-fill has been removed:UserWarning"
test-rasa-env: setup-rasa model
	PYTHONPATH=. $(VENV_RASA)/bin/python -m pytest -p no:cacheprovider $(RASA_ENV_WARNING_FILTERS) tests/nlu

# The gateway suite in two runs: what needs no trained model, then what talks to a real Rasa. Each prints
# its 15 slowest tests, so a CI log says where the suite's time goes.
test-gateway-without-model: setup setup-system
	$(VENV)/bin/python -m pytest --durations=15 -m "not rasa and not rasa_env"

test-gateway-with-model: setup setup-system model
	$(VENV)/bin/python -m pytest --durations=15 -m "rasa and not rasa_env"

test-gateway: test-gateway-without-model test-gateway-with-model

static-checks: lint typecheck validate-rasa

# The Rasa environment's tests, then the gateway tests that talk to a real Rasa (they share its model).
test-with-rasa: setup setup-system model
	@$(MAKE) --no-print-directory test-rasa-env
	@$(MAKE) --no-print-directory test-gateway-with-model

# One thread per numeric library while two suites share the 2 cores: OpenMP, OpenBLAS and TensorFlow
# pools busy-wait for work. Training beside the suite that needs no model took 756 s and that suite
# 1416 s on a fresh clone; each alone took 303 s and 725 s.
ONE_THREAD_EACH := OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \
                   TF_INTRA_OP_PARALLELISM_THREADS=1 TF_INTER_OP_PARALLELISM_THREADS=1

# Training gets the machine while the static checks (one core's worth, mostly waiting) run beside it;
# then the suite that needs no model runs beside the Rasa environment's tests and those that talk to a
# real Rasa, which mostly wait on it. Each step's output is printed when it ends (-Otarget).
test: setup setup-system
	@$(MAKE) --no-print-directory -j2 -Otarget model static-checks
	@$(ONE_THREAD_EACH) $(MAKE) --no-print-directory -j2 -Otarget test-gateway-without-model test-with-rasa

bench: setup model
	$(VENV)/bin/python benchmarks/retrieval_xquad.py
	$(VENV)/bin/python benchmarks/search_scale.py

clean:
	rm -rf $(VENV) $(VENV_RASA) models var .rasa .pytest_cache .mypy_cache .ruff_cache
