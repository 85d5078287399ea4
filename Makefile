# One venv for everything; `make run`, `make test` and `make bench` create it on first use.
# Dependencies come from requirements.lock (exact versions and sha256 hashes, checked by pip);
# after changing the dependencies in pyproject.toml, run `make lock` and commit both lock files.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Runtime + test tools + the build backend: what `make install` and CI install.
LOCK         := requirements.lock
# Runtime + the build backend only, at the same versions: what the Docker image installs.
RUNTIME_LOCK := requirements-runtime.lock
# The tool that writes the locks (pip alone installs from them).
UV_VERSION   := 0.13.10
# `make lock LOCK_FLAGS=--upgrade` moves every pin to the newest allowed release;
# plain `make lock` keeps the current pins and changes only what pyproject.toml asks for.
LOCK_FLAGS   ?=
BUILD_REQUIRES := $(BIN)/python -c 'import tomllib; print(*tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"], sep="\n")'
UV_COMPILE     := $(BIN)/uv pip compile --quiet --python-version 3.11 --python-platform linux \
	--generate-hashes --custom-compile-command 'make lock' $(LOCK_FLAGS)

.PHONY: install lock run test lint imports typecheck unit bench clean messages

$(STAMP): $(LOCK) pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
		|| { echo "Python 3.11 or newer is needed (found: $$($(PYTHON) --version))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@$(BIN)/python -m pip check >/dev/null \
		|| { $(BIN)/python -m pip check; echo "$(LOCK) does not satisfy pyproject.toml: run 'make lock'"; exit 1; }
	@touch $@

install: $(STAMP)

## Re-resolve the locks from pyproject.toml (needs PyPI); commit the changed files.
lock:
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet 'uv==$(UV_VERSION)'
	$(BUILD_REQUIRES) | $(UV_COMPILE) pyproject.toml - --extra test -o $(LOCK)
	$(BUILD_REQUIRES) | $(UV_COMPILE) pyproject.toml - -c $(LOCK) -o $(RUNTIME_LOCK)

## Translations: extract every marked string (_, ngettext, N_) and the slash commands' names and
## descriptions into bot/locales/bot.pot, then merge it into each language's bot.po (pybabel).
## The .po files are read as they are when the bot starts: nothing to compile.
LANGUAGES := hy ru fr es
POT := bot/locales/bot.pot
messages: $(STAMP)
	$(BIN)/pybabel extract -F bot/locales/babel.cfg -k pgettext:1c,2 --sort-by-file --width 110 \
		--project artsakh-recognition-bot --msgid-bugs-address https://github.com -o $(POT) .
	$(BIN)/python -m bot.discordbot.translator $(POT)
	@for lang in $(LANGUAGES); do \
		if [ -f bot/locales/$$lang/LC_MESSAGES/bot.po ]; then \
			$(BIN)/pybabel update --no-fuzzy-matching --width 110 -D bot -i $(POT) -d bot/locales -l $$lang; \
		else \
			$(BIN)/pybabel init --width 110 -D bot -i $(POT) -d bot/locales -l $$lang; \
		fi; \
	done

## The main job: the bot when DISCORD_TOKEN is set, the offline console otherwise.
run: $(STAMP)
	$(BIN)/python -m bot

## ruff, the layer contracts (import-linter, see pyproject.toml), mypy and pytest: what CI runs.
test: lint imports typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check bot tests bench tools

imports: $(STAMP)
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest

## Benchmarks (matching, end to end, daily posts); prints readable tables.
bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .import_linter_cache *.egg-info
