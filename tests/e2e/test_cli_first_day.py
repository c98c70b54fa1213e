"""A newcomer's first day: --version, status, every misuse a clear one-line message, read-only commands that make no
database, letter workers that end with their parent, and stale temporary files cleared."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import time
from pathlib import Path

from test_cli import OMBUDS, _wellingborough, ombuds

from conftest import write_csv
from ombuds import __version__
from ombuds.store.db import head_revision


def test_version_and_status(tmp_path):
    version = ombuds("--version", db="unused.db", cwd=tmp_path)
    assert (version.returncode, version.stdout) == (0, f"ombuds {__version__}\n")
    db = f"sqlite:///{tmp_path / 's.db'}"
    ombuds("import", *_wellingborough(tmp_path), db=db)
    status = ombuds("status", db=db)
    assert status.returncode == 0, status.stderr
    lines = status.stdout.splitlines()
    assert lines[0].startswith(f"Database: {db} (schema {head_revision()}, data version ")
    assert lines[1:8] == [
        "Years with case records: 2019-20",
        "Years with published figures only: none",
        "Authorities with cases: 1",
        "  year      received   decided  compliance",
        "  2019-20          0         2           1",
        "Improvements: 0; contacts: 0; population figures: 1",
        lines[7],
    ]
    assert lines[7].startswith("Last import: ") and "decided.csv, " in lines[7]
    assert "  decided: 2 new, 0 changed, 0 unchanged" in lines


def test_read_only_commands_make_no_database(tmp_path):
    for args in (["stats"], ["status"], ["stats", "--year", "2019-20"]):
        result = ombuds(*args, db="fresh.db", cwd=tmp_path)
        assert (result.returncode, result.stderr) == (
            1, "ombuds: error: no database at fresh.db: import files first with 'ombuds import', or give --db\n"), args
    kent = tmp_path / "page.txt"
    kent.write_text("not a letter", encoding="utf-8")
    ombuds("parse", str(kent), db="fresh.db", cwd=tmp_path)
    assert not (tmp_path / "fresh.db").exists()


def test_every_misuse_is_one_clear_line(tmp_path):
    db = f"sqlite:///{tmp_path / 'm.db'}"
    ombuds("import", *_wellingborough(tmp_path), db=db)
    a_file = tmp_path / "a-file.txt"
    a_file.write_text("x", encoding="utf-8")
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    edition_folder = tmp_path / "editions"
    edition_folder.mkdir()
    cases = [
        (["stats", "--year", "9999-00"], "ombuds: error: '9999-00' is not a year: write it as 2019-20 (1 April 2019 "
                                         "to 31 March 2020)"),
        (["stats", "--year", ""], "ombuds: error: '' is not a year: write it as 2019-20 (1 April 2019 to 31 March "
                                  "2020)"),
        (["letters", "--year", "2019-20", "--out", str(a_file), "--allow-missing-contacts"],
         f"ombuds: error: --out: {a_file} is a file, not a folder: name a folder to write into"),
        (["letters", "--year", "2019-20", "--edition", str(edition_folder), "--out", str(tmp_path / "o")],
         f"ombuds: error: {edition_folder}: a folder, not an edition file: name the .toml file"),
        (["send", "--year", "2019-20", "--dry-run", "--out", str(a_file)],
         f"ombuds: error: --out: {a_file} is a file, not a folder: name a folder to write into"),
        (["send", "--year", "2019-20", "--from", "a@example.org\nBcc: b@example.org"],
         "ombuds: error: --from: the sender address contains a line break; give one address on one line"),
        (["import", str(tmp_path)], f"{tmp_path}:1: file: a folder, not a file: name the files in it (for example "
                                    "folder/*.csv)"),
        (["parse", str(tmp_path)], f"{tmp_path}: a folder, not a file: name the documents in it (for example "
                                   "folder/*.pdf)"),
        (["import", "--encoding", "klingon", *_wellingborough(tmp_path)],
         "ombuds: error: unknown encoding 'klingon': give a text encoding such as utf-8, cp1252 or latin-1"),
    ]
    if os.geteuid() != 0:  # root may write anywhere
        cases.append((["letters", "--year", "2019-20", "--out", str(locked / "sub"), "--allow-missing-contacts"],
                      f"ombuds: error: --out: cannot make the folder {locked / 'sub'}: Permission denied"))
    for args, message in cases:
        result = ombuds(*args, db=db)
        assert result.returncode in (1, 2), args
        assert message in result.stderr.splitlines(), (args, result.stderr)
        assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    for db_option, message in [("", "ombuds: error: --db is empty: give a SQLite file path, a sqlite:///path or a "
                                    "postgresql:// URL"),
                               ("mysql://nowhere/x", "ombuds: error: unsupported database 'mysql://nowhere/x': use a "
                                                     "SQLite file path, a sqlite:///path or a postgresql:// URL")]:
        result = subprocess.run([OMBUDS, "--db", db_option, "stats"], capture_output=True, text=True, cwd=tmp_path)
        assert (result.returncode, result.stderr) == (1, message + "\n")
    plain = ombuds("stats", "--year", "2019-20", db=str(tmp_path / "m.db"))  # a plain path is a SQLite file
    assert plain.returncode == 0, plain.stderr


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_letter_workers_end_when_the_parent_is_killed_and_stale_temporaries_go(tmp_path):
    db = f"sqlite:///{tmp_path / 'k.db'}"
    ombuds("import", *_wellingborough(tmp_path), db=db)
    out = tmp_path / "out"
    out.mkdir()
    stale = out / ".adur-district-council-2019-20.pdf.999999999.tmp"
    stale.write_bytes(b"half a letter")
    live = out / f".adur-district-council-2019-20.pdf.{os.getpid()}.tmp"
    live.write_bytes(b"another run's letter, still being written")
    parent = subprocess.Popen([OMBUDS, "letters", "--year", "2019-20", "--out", str(out), "--allow-missing-contacts"],
                              env={**os.environ, "OMBUDS_DB": db}, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    workers: list[int] = []
    deadline = time.monotonic() + 60
    while len(workers) < 2 and time.monotonic() < deadline and parent.poll() is None:
        workers = [c for c in _children(parent.pid) if _running(c)]
        time.sleep(0.05)
    assert len(workers) == 2, "the letter workers did not start"
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 10
    while any(_running(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_running(w) for w in workers)
    assert not stale.exists()
    assert live.exists()
    rerun = ombuds("letters", "--year", "2019-20", "--out", str(out), "--allow-missing-contacts", db=db)
    assert rerun.returncode == 0, rerun.stderr
    leftovers = [p.name for p in out.glob(".*.tmp") if p != live]
    assert leftovers == []


def test_import_options_reach_the_reader(tmp_path):
    db = f"sqlite:///{tmp_path / 'e.db'}"
    path = write_csv(tmp_path / "r.csv", ["reference", "authority", "received_date", "service_area"],
                     [["R1", "Stevenage", "2019-05-01", "Housing"]])
    path.write_bytes(path.read_bytes().replace(b"Housing", "Housing".encode("cp1252")).replace(
        b"Stevenage", "Stevenage".encode("cp1252")).replace(b",", b";"))
    result = ombuds("import", "--encoding", "cp1252", str(path), db=db)
    assert result.returncode == 0, result.stderr
    assert "received: 1 new, 0 changed, 0 unchanged" in result.stdout


def test_published_only_years_answer_like_any_year(tmp_path):
    from conftest import shared_folder

    seed = shared_folder() / "seeds" / "000_6c9469a8adbda29b.txt"
    db = f"sqlite:///{tmp_path / 'p.db'}"
    ombuds("import", *_wellingborough(tmp_path), db=db)
    assert ombuds("parse", str(seed), "--import", db=db).returncode == 0
    one = ombuds("stats", "--year", "2018-19", "--authority", "Stevenage", db=db)
    assert one.returncode == 0, one.stderr
    [stevenage] = json.loads(one.stdout)
    assert (stevenage["from"], stevenage["received"]["total"], stevenage["decided"]["total"]) == (
        "published letter", 10, 12)
    flat = ombuds("stats", "--year", "2018-19", "--format", "csv", db=db)
    rows = list(csv.DictReader(io.StringIO(flat.stdout)))
    assert [(r["authority.code"], r["received.total"], r["from"]) for r in rows] == [
        ("E07000243", "10", "published letter")]
    every = json.loads(ombuds("stats", db=db).stdout)
    assert sorted({o["year"] for o in every}) == ["2018-19", "2019-20"]
