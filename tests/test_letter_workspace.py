"""Where letters are typeset (`letters.workspace`): a folder per process, gone when the process ends; letters
typeset at once in threads are the bytes of letters typeset one at a time; files named by absolute path are read
as they were with "/" as the root."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from pypdf import PdfReader

from conftest import LGSCO, demo, shipped_edition
from ombuds.letters.batch import letter_jobs
from ombuds.letters.render import Renderer
from ombuds.letters.workspace import PREFIX, workspace
from ombuds.years import Year
from test_letters import letters_db  # noqa: F401 - the module's fixture, shared

YEAR = Year.parse("2022-23")


def _jobs(database, folder: Path):
    return letter_jobs(database, YEAR, shipped_edition(YEAR), folder, "pdf", profile=demo().profile, scheme=LGSCO,
                       allow_missing_contacts=True)


def test_letters_typeset_at_once_in_threads_are_the_bytes_of_one_at_a_time(letters_db, tmp_path):  # noqa: F811
    """The live site renders letters in worker threads: two at once once failed with typst-py's "Already
    borrowed"."""
    jobs = _jobs(letters_db, tmp_path)
    renderer = Renderer()
    one_at_a_time = [renderer.pdf(job.content, job.created) for job in jobs]
    with ThreadPoolExecutor(4) as pool:
        at_once = list(pool.map(lambda job: renderer.pdf(job.content, job.created), jobs * 3))
    assert len(jobs) >= 3 and at_once == one_at_a_time * 3


def test_the_logo_named_by_absolute_path_is_drawn_and_the_statistics_attached_by_name(letters_db, tmp_path):  # noqa: F811
    job = _jobs(letters_db, tmp_path)[0]
    path = tmp_path / "letter.pdf"
    path.write_bytes(Renderer().pdf(job.content, job.created))
    logo = Path(job.content["letterhead"]["logo"])
    assert logo.is_absolute() and (workspace().folder / logo.relative_to("/")).resolve() == logo.resolve()
    reader = PdfReader(path)
    assert list(reader.attachments) == ["statistics.json"]
    assert json.loads(reader.attachments["statistics.json"][0]) == job.content["statistics_json"]
    alt = f"/Alt({job.content['letterhead']['name']} logo)".encode()  # the logo's figure, in the structure tree
    assert path.read_bytes().count(alt) == 1


def _run(code: str) -> str:
    """What a Python process running `code` prints."""
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_a_workspace_goes_when_its_process_ends_and_a_killed_ones_is_cleared():
    folder = Path(_run("""
        from ombuds.letters.workspace import workspace
        print(workspace().typeset(b"Hello", {}, (), format="pdf")[:5] == b"%PDF-" and workspace().folder)
    """))
    assert folder.name.startswith(PREFIX) and not folder.exists()
    abandoned = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{_dead_pid()}-"))
    (abandoned / "letter.json").write_text("{}")
    kept = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-"))  # a live process's
    try:
        _run("from ombuds.letters.workspace import workspace; workspace()")
        assert not abandoned.exists() and kept.is_dir()
    finally:
        kept.rmdir()


def _dead_pid() -> int:
    """The id of a process that has ended."""
    return int(_run("import os; print(os.getpid())"))


def test_a_pools_workers_remove_their_workspaces():
    folders = _run("""
        from concurrent.futures import ProcessPoolExecutor
        import multiprocessing
        from ombuds.letters.workspace import workspace

        def typeset(_):
            workspace().typeset(b"Hello", {}, (), format="pdf")
            return str(workspace().folder)

        if __name__ == "__main__":
            with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("fork")) as pool:
                print("\\n".join(set(pool.map(typeset, range(8)))))
    """).split()
    assert folders and not any(Path(folder).exists() for folder in folders)
