"""The command line loads only what a command needs: `--help` and the light commands never import the database,
statistics, letters or site libraries, so they start quickly. Structural, not timed: each case runs the command in
a fresh interpreter and looks at what it imported."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import write_csv

HEAVY = ("sqlalchemy", "alembic", "psycopg", "pydantic", "typst", "fastapi", "starlette", "uvicorn", "scipy", "numpy",
         "jinja2", "openpyxl", "pypdfium2", "rich", "markdown_it")
_PROBE = """
import json, sys
args, heavy = json.loads(sys.argv[1]), set(json.loads(sys.argv[2]))
sys.argv = ["ombuds", *args]
from ombuds.cli import cli
try:
    cli.main(prog_name="ombuds", standalone_mode=False)
finally:
    loaded = sorted({name.split(".")[0] for name in sys.modules} & heavy)
    print("LOADED " + json.dumps(loaded), file=sys.stderr)
"""


def loaded(*args: str, env: dict | None = None) -> list[str]:
    """The heavy packages a run of `ombuds ARGS` imported."""
    done = subprocess.run([sys.executable, "-c", _PROBE, json.dumps(args), json.dumps(HEAVY)], capture_output=True,
                          text=True, timeout=120, env=env)
    line = next(line for line in done.stderr.splitlines() if line.startswith("LOADED "))
    return json.loads(line.removeprefix("LOADED "))


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["import", "--help"], ["stats", "--help"],
                                  ["letters", "--help"], ["parse", "--help"], ["serve", "--help"],
                                  ["site", "build", "--help"], ["authority", "Stevenage"]])
def test_help_and_light_commands_load_no_heavy_library(args):
    assert loaded(*args) == []


def test_stats_loads_the_store_but_not_letters_site_or_spreadsheets(tmp_path):
    decided = write_csv(tmp_path / "decided.csv", ["reference", "authority", "decision_date", "outcome"],
                        [["S1", "Stevenage", "2019-10-01", "Upheld"]])
    db = f"sqlite:///{tmp_path / 'ombuds.db'}"
    done = subprocess.run([sys.executable, "-m", "ombuds", "--db", db, "import", str(decided)], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    found = loaded("--db", db, "stats", "--year", "2019-20", "--authority", "Stevenage")
    assert "sqlalchemy" in found
    assert not {"typst", "fastapi", "starlette", "uvicorn", "jinja2", "openpyxl", "pypdfium2", "markdown_it",
                "rich"} & set(found)
