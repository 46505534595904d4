# Two commands: `make run` and `make test`. Needs only Python 3.11 and make.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
# The PostgreSQL server the second test pass uses; the tests create their own database on it.
APPRAISAL_TEST_POSTGRES_URL ?= postgresql://postgres@127.0.0.1:5432/test
export APPRAISAL_TEST_POSTGRES_URL

.PHONY: run test install migrate demo lint test-tools test-sqlite test-sqlite-db test-sqlite-other test-postgres clean screenshots

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: $(PYTHON) not found (set PYTHON=/path/to/python3.11)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

install: $(VENV)/.installed

# A demo database made before the migrations were squashed is moved aside and made anew.
migrate: install
	$(BIN)/appraisal migrate --rebuild-pre-release

demo: migrate
	$(BIN)/appraisal demo --if-empty

run: demo
	PORT=$(PORT) $(BIN)/appraisal serve --port $(PORT)

# The whole suite on the embedded SQLite database and every database-facing test again on
# PostgreSQL. Three passes run side by side: the SQLite one in two halves (the tests marked `db`,
# and the others: browser journeys, reports, rules), so that neither core waits for the longest
# pass alone. Each has its own databases and temporary files; much of each is spent waiting on
# servers, browsers and PostgreSQL. -O keeps each pass's output together.
# With CI=true an unreachable PostgreSQL fails the run instead of skipping.
test: migrate test-tools lint
	@$(MAKE) --no-print-directory -j3 -O test-sqlite-db test-sqlite-other test-postgres

# ruff's lint (pyproject.toml [tool.ruff]) fails the run on any finding, before the tests.
lint: install
	$(BIN)/ruff check src tests benchmarks

# pdftoppm (poppler-utils) renders report pages to PNG in the tests, and HarfBuzz-Subset makes
# WeasyPrint's font subsetting fast. Chromium runs the browser journeys, with Noto CJK so that
# their screenshots show Chinese. Each is installed when missing and the machine allows it;
# without them the tests that need them say why they are skipped (with CI=true the journeys fail).
APT_INSTALL = DEBIAN_FRONTEND=noninteractive apt-get install -y -qq
test-tools:
	@command -v pdftoppm >/dev/null 2>&1 || (command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null 2>&1) || \
		echo "note: pdftoppm not available; the PNG rendering test will be skipped"
	@ldconfig -p 2>/dev/null | grep -q libharfbuzz-subset || (command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libharfbuzz-subset0 >/dev/null 2>&1) || \
		echo "note: HarfBuzz-Subset not available; reports use the prepared fonts with fontTools (slower)"
	@command -v chromium >/dev/null 2>&1 || (command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && \
		{ $(APT_INSTALL) chromium >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && $(APT_INSTALL) chromium >/dev/null 2>&1; }; }) || \
		echo "note: chromium not available; the browser journeys will be skipped"
	@fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || (command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && \
		$(APT_INSTALL) fonts-noto-cjk >/dev/null 2>&1) || \
		echo "note: fonts-noto-cjk not available; journey screenshots will not show Chinese"

# `make test-sqlite` alone runs its two halves one after the other (add -j2 for side by side).
test-sqlite: test-sqlite-db test-sqlite-other

test-sqlite-db: install
	APPRAISAL_TEST_BACKEND=sqlite $(BIN)/python -m pytest -q -m db

test-sqlite-other: install
	APPRAISAL_TEST_BACKEND=sqlite $(BIN)/python -m pytest -q -m "not db"

test-postgres: install
	APPRAISAL_TEST_BACKEND=postgres $(BIN)/python -m pytest -q -m db

# A full-page PNG of every page × role × width (1280, 768, 390) in var/screenshots/, with a contact
# sheet var/screenshots/index.html; on its own demo office and server (never var/appraisal.sqlite3).
screenshots: install
	$(BIN)/python tests/e2e/screenshots.py --out var/screenshots

clean:
	rm -rf $(VENV) var .pytest_cache
