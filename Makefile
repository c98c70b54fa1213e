# Two commands set everything up on a fresh machine: `make demo` and `make test`.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: demo test lint bench system clean

$(STAMP): pyproject.toml
	scripts/ensure-system.sh python
	rm -rf $(VENV)
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

system:
	scripts/ensure-system.sh postgresql poppler

demo: $(STAMP)
	$(VENV)/bin/ombuds demo

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests bench tools

test: $(STAMP) system lint
	$(VENV)/bin/pytest -n 2 --dist loadfile

bench: $(STAMP) system
	scripts/ensure-system.sh pango
	$(PY) -m pip install --quiet -e '.[dev,bench]'
	$(PY) bench/run.py
	$(PY) bench/letters.py
	$(PY) bench/roundtrip.py

clean:
	rm -rf $(VENV) ombuds.db demo-data build dist .pytest_cache
