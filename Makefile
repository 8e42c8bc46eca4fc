# mamori — two commands on a fresh clone:  make demo  /  make test
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PACK ?= kitami
PORT ?= 8000
# PostgreSQL for the second run of the suite (trust auth on development and CI machines).
PG_URL ?= postgres://postgres@127.0.0.1:5432/test

.PHONY: demo test test-sqlite test-postgres test-dates lint install clean

$(BIN)/mamori: pyproject.toml
	@# PDF exports embed IPAex fonts (Debian fonts-ipaexfont); LGWAN machines get them from the local mirror.
	@fc-list 2>/dev/null | grep -q IPAexGothic || { \
		echo "installing fonts-ipaexfont (PDF exports embed it)"; \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq fonts-ipaexfont; }
	@# The PDF tests read the text back with pdftotext (Debian poppler-utils) rather than skip.
	@command -v pdftotext >/dev/null || { \
		echo "installing poppler-utils (the PDF tests read the text back)"; \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get install -y -qq poppler-utils || { $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq poppler-utils; }; }
	@# The browser tests drive Debian's chromium (Playwright never downloads a browser here).
	@command -v chromium >/dev/null || { \
		echo "installing chromium (the browser tests drive it)"; \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get install -y -qq chromium || { $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium; }; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/mamori

## make demo: a populated fictional municipality on SQLite, served at http://127.0.0.1:8000
demo: $(BIN)/mamori
	$(BIN)/mamori demo --pack $(PACK) --serve --port $(PORT)

## make test: lint, migrations check, pack validation, the suite on SQLite and on PostgreSQL
test: lint test-sqlite test-postgres

lint: $(BIN)/mamori
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mamori makemigrations --check --dry-run
	$(BIN)/mamori regulations validate
	@# The app graph is layered and acyclic (.importlinter); services and selectors are type-checked (mypy.ini).
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy

test-sqlite: $(BIN)/mamori
	$(BIN)/pytest -q -p no:cacheprovider

test-postgres: $(BIN)/mamori
	@if $(BIN)/python -c "import psycopg,sys; psycopg.connect('$(PG_URL)', connect_timeout=3).close()" 2>/dev/null; then \
		DATABASE_URL=$(PG_URL) $(BIN)/pytest -q -p no:cacheprovider --create-db; \
	elif [ "$$CI" = "true" ]; then \
		echo "PostgreSQL is not reachable at $(PG_URL): CI must run the suite on it" >&2; exit 1; \
	else \
		echo "*** PostgreSQL not reachable at $(PG_URL): the PostgreSQL run is skipped on this machine ***"; \
	fi

## make mutation [TARGET=mamori/access/services.py|mamori/access|all] [BUDGET=20m]: mutmut over the modules
## that declare requirement IDs, report in docs/mutation.md (not part of make test or CI)
TARGET ?= all
BUDGET ?= 20m
.PHONY: mutation
mutation: $(BIN)/mamori
	nice -n 10 $(BIN)/python tools/mutation.py $(TARGET) --budget $(BUDGET)

## make test-dates: the SQLite suite with the machine's clock moved (libfaketime): it must not read the real date
test-dates: $(BIN)/mamori
	@command -v faketime >/dev/null || { SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); $$SUDO apt-get install -y -qq faketime; }
	faketime '2027-05-10 10:00' $(MAKE) test-sqlite
	faketime '2031-04-02 08:00' $(MAKE) test-sqlite

clean:
	rm -rf $(VENV) var *.egg-info
