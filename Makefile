# Two commands set everything up on a fresh machine: `make demo` and `make test`.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
NODE   := node_modules/.installed-$(shell cat package-lock.json | cksum | cut -d' ' -f1)
ASSETS := src/ombuds/site/static/vendor/site.css
INDEX  := src/ombuds/registry/postcodes-index.bin

.PHONY: demo test lint bench bench-scale system assets bytecode clean

$(STAMP): pyproject.toml
	scripts/ensure-system.sh python
	rm -rf $(VENV)
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

$(NODE): package.json package-lock.json
	scripts/ensure-system.sh node
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The site's stylesheet: GOV.UK Frontend compiled with our own typeface and colours (no GOV.UK brand).
$(ASSETS): $(NODE) src/ombuds/site/assets/site.scss
	scripts/build-assets.sh

assets: $(ASSETS)

# The postcode → council index for search, built from the pinned ONS postcode package (no download).
$(INDEX): $(STAMP)
	$(PY) -m ombuds.registry.postcodes build

# The package's modules compiled once, as a regular pip install does: an editable install leaves that to the first
# run, and where PYTHONDONTWRITEBYTECODE is set every process compiles them again (0.1 s a start). Only changed files.
bytecode: $(STAMP)
	$(PY) -m compileall -q src/ombuds

system:
	scripts/ensure-system.sh postgresql poppler chromium java sqlite3 time

demo: $(STAMP) $(ASSETS) $(INDEX) bytecode
	$(VENV)/bin/ombuds demo

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests bench tools
	$(VENV)/bin/lint-imports

test: $(STAMP) $(ASSETS) $(INDEX) bytecode system lint
	$(VENV)/bin/pytest -n 2 --dist loadfile

bench: $(STAMP) $(ASSETS) $(INDEX) bytecode system
	scripts/ensure-system.sh pango wrk sqlite3
	$(PY) -m pip install --quiet -e '.[dev,bench]'
	$(PY) bench/run.py
	$(PY) bench/housing.py
	$(PY) bench/housing_site.py
	$(PY) bench/letters.py
	$(PY) bench/roundtrip.py
	$(PY) bench/parse.py
	$(PY) bench/postcodes.py
	$(PY) bench/site.py
	$(PY) bench/load.py

# 10 million generated cases on SQLite and a throwaway PostgreSQL server (long: not part of `make bench`): the import
# beside `sqlite3 .import` on both generators, then statistics, letters and DuckDB.
bench-scale: $(STAMP) $(ASSETS) $(INDEX) bytecode
	scripts/ensure-system.sh postgresql sqlite3 time
	$(PY) -m pip install --quiet -e '.[dev,bench]'
	$(PY) bench/run.py --sizes 10000000 --runs 1 --no-postgresql
	$(PY) bench/scale.py

clean:
	find src -name __pycache__ -prune -exec rm -rf {} +
	rm -rf $(VENV) node_modules ombuds.db ombuds.db.letters demo-data build dist .pytest_cache src/ombuds/site/static/vendor $(INDEX)
