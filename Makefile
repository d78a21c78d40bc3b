# Two commands do everything on a fresh machine: `make run` and `make test`.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
UV_VER  := 0.13.8
STAMP   := $(VENV)/.installed

.PHONY: setup run test lint format bench lock samples clean

setup: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	@$(BIN)/python -m pip install -q "uv==$(UV_VER)"
	@# --compile-bytecode: as pip does; without it (and where PYTHONDONTWRITEBYTECODE is set)
	@# every process compiles spaCy and pandas from source again: ~4 s of CPU per command.
	@$(BIN)/uv pip install -q --compile-bytecode --python $(BIN)/python -c requirements.lock -e ".[test]"
	@bash scripts/ensure-system-packages.sh
	@touch $(STAMP)

# The run's one-time set-up first (Prefect's database under the workdir, created and
# migrated: ~9 s of CPU a first run would pay), then the job.
run: setup
	$(BIN)/python -m flows.embedded_api work
	$(BIN)/planwatch run --decree samples/decrees/decree-443-2012-gender-equality-nap-2018-2020.ky.txt \
		--inbox samples/inbox --workdir work --as-of 2020-07-20

# 3 workers on 2 cores: the Prefect server, schedule and Dask tests mostly wait, so they
# overlap with the CPU-bound ones; a 4th worker only adds contention (same checkout, warm:
# 4m32s and 8.5 CPU-min with -n 3, 5m22s and 9.7 CPU-min with -n 4; 6m06s with -n 2 before).
test: setup lint
	$(BIN)/python -m pytest -n 3 --dist loadgroup -q --durations=5

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: setup
	@for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

# Re-resolve the pinned versions after editing requirements.in / pyproject dependencies.
lock: setup
	$(BIN)/uv pip compile requirements.in --python-version 3.11 -o requirements.lock

samples: setup
	$(BIN)/python scripts/make_sample_inbox.py samples/inbox

clean:
	rm -rf $(VENV) work .pytest_cache
