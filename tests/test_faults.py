"""Faults: `ombuds import`, `ombuds letters` and `ombuds site build` killed with SIGKILL part-way, at points the
test chooses, leave the database whole (unchanged or fully updated), no partial letter or page where it would be
served, and a rerun that completes; a PostgreSQL server lost mid-import and a full disk give one clear line."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from pypdf import PdfReader

from conftest import LGSCO
from ombuds.store import open_database
from ombuds.store.db import StoreError
from ombuds.store.queries import table_counts
from pgserver import as_postgres, create_database, free_port, pg_bin

OMBUDS = [sys.executable, "-m", "ombuds"]  # whichever Python runs the tests, wherever its venv is
YEAR = "2023-24"
BASE = {
    "received.csv": "reference,authority,received_date,service_area\n"
                    "B1,Stevenage,2023-06-01,Housing\nB2,Kent County Council,2023-07-01,Highways and Transport\n",
    "decided.csv": "reference,authority,decision_date,outcome\n"
                   "B1,Stevenage,2023-09-01,Upheld\nB2,Kent County Council,2023-10-01,Not Upheld\n",
}


def run(args: list[str], db: str, timeout: float = 240, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([*OMBUDS, "--db", db, *args], capture_output=True, text=True, timeout=timeout, **kwargs)


def start(args: list[str], db: str, cwd: Path | None = None) -> subprocess.Popen:
    """The command in a process group of its own, so that the test can end any worker it leaves behind."""
    return subprocess.Popen([*OMBUDS, "--db", db, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True, cwd=cwd)


def wait_for(condition: Callable[[], bool], process: subprocess.Popen, timeout: float = 120,
             ended: bool = False) -> bool:
    """Whether the process reached `condition` (polled) before it ended; a process that ends first fails the test,
    or with `ended` is reported (False) for the caller to try again. Never reaching it in `timeout` fails."""
    deadline = time.monotonic() + timeout
    while not condition():
        if process.poll() is not None:
            if ended and process.returncode == 0:
                return False
            pytest.fail(f"the process ended (exit {process.returncode}) before the point chosen to kill it: "
                        f"{process.stderr.read()}")
        if time.monotonic() > deadline:
            pytest.fail("the chosen point was never reached")
        time.sleep(0.001)
    return True


def kill_hard(process: subprocess.Popen) -> None:
    """SIGKILL the command itself; then its workers must go by themselves (they are ended if they linger)."""
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    deadline = time.monotonic() + 20
    group = process.pid
    while _group_alive(group) and time.monotonic() < deadline:
        time.sleep(0.05)
    lingering = _group_alive(group)
    if lingering:
        os.killpg(group, signal.SIGKILL)
    assert not lingering, "workers of the killed command were still running 20 s later"


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group and fields[0] != "Z":
            return True
    return False


def sqlite_counts(path: Path) -> dict[str, int]:
    database = open_database(f"sqlite:///{path}", migrate=False, create=False)
    try:
        with database.read() as connection:
            assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
            counts = table_counts(connection)
            counts["imports"] = connection.exec_driver_sql("SELECT count(*) FROM audit_log").scalar()
            return counts
    finally:
        database.close()


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    """The demo generator's files at a tenth of full size (13,000 received and decided rows over eight years) and a
    small base to import first."""
    from ombuds.demo import generate

    folder = tmp_path_factory.mktemp("faults")
    generate(folder / "demo", LGSCO, seed=5, scale=0.1)
    (folder / "base").mkdir()
    for name, text in BASE.items():
        (folder / "base" / name).write_text(text, encoding="utf-8")
    return folder


def demo_files(data: Path) -> list[str]:
    return sorted(str(p) for p in (data / "demo").glob("*.csv"))


def base_files(data: Path) -> list[str]:
    return sorted(str(p) for p in (data / "base").glob("*.csv"))


def test_sqlite_runs_in_wal_mode_with_foreign_keys_on(tmp_path, data):
    path = tmp_path / "wal.db"
    assert run(["import", *base_files(data)], str(path)).returncode == 0
    assert path.read_bytes()[18:20] == b"\x02\x02"  # the file header's read and write versions: WAL
    database = open_database(f"sqlite:///{path}")
    with database.read() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    with pytest.raises(StoreError, match="FOREIGN KEY"), database.read() as connection:  # and enforces them
        connection.exec_driver_sql("CREATE TEMP TABLE parent (id INTEGER PRIMARY KEY)")
        connection.exec_driver_sql("CREATE TEMP TABLE child (parent INTEGER REFERENCES parent (id))")
        connection.exec_driver_sql("INSERT INTO child VALUES (1)")
    database.close()


@pytest.fixture(scope="module")
def import_outcomes(tmp_path_factory, data) -> tuple[dict, dict]:
    """The counts before and after the whole demo import, on a database holding the base."""
    folder = tmp_path_factory.mktemp("reference-import")
    path = folder / "ref.db"
    assert run(["import", *base_files(data)], str(path)).returncode == 0
    before = sqlite_counts(path)
    assert run(["import", *demo_files(data)], str(path)).returncode == 0
    return before, sqlite_counts(path)


def _wal_exists(path: Path) -> Callable[[], bool]:
    return lambda: Path(f"{path}-wal").exists()


def _wal_written(path: Path) -> Callable[[], bool]:
    wal = Path(f"{path}-wal")
    return lambda: wal.exists() and wal.stat().st_size > 0


def _reading(process: subprocess.Popen, name: str) -> Callable[[], bool]:
    """True while the import holds the input file `name` open (it reads the files one by one)."""
    def reached() -> bool:
        try:
            return any(os.readlink(fd).endswith(name) for fd in Path(f"/proc/{process.pid}/fd").iterdir())
        except OSError:
            return False
    return reached


ATTEMPTS = 5  # imports started to kill one at a chosen point


@pytest.mark.parametrize("point", ["opened", "reading decided", "reading received", "writing"])
def test_import_killed_part_way_is_all_or_nothing(tmp_path, data, import_outcomes, point):
    """Killed when the database is opened, while it reads the third or the last file, or when its commit writes."""
    before, after = import_outcomes
    for attempt in range(ATTEMPTS):  # a file read in milliseconds can be read before it is seen open: again
        path = tmp_path / f"killed-{attempt}.db"
        assert run(["import", *base_files(data)], str(path)).returncode == 0
        process = start(["import", *demo_files(data)], str(path))
        condition = {"opened": _wal_exists(path), "writing": _wal_written(path)}.get(point) or \
            _reading(process, f"synthetic-{point.split()[1]}.csv")
        try:
            reached = wait_for(condition, process, timeout=60, ended=attempt < ATTEMPTS - 1)
        finally:
            kill_hard(process)
        if reached:
            break
    killed = sqlite_counts(path)
    assert killed in (before, after)
    if point != "writing":  # killed before its commit: the proof that the kill came part-way
        assert killed == before
    rerun = run(["import", *demo_files(data)], str(path))
    assert rerun.returncode == 0, rerun.stderr
    assert sqlite_counts(path) == {**after, "imports": sqlite_counts(path)["imports"]}
    assert sqlite_counts(path)["imports"] in (after["imports"], after["imports"] + 1)


def test_first_import_killed_part_way_leaves_no_case(tmp_path, data, monkeypatch):
    """A first import into a new database writes its rows straight into the file under a rollback journal
    (store.load.journal_for_first_load): killed while it reads its last file, with the rows of the files before it
    already in the file, it leaves a database with no case, and the rerun imports what one import does."""
    path = tmp_path / "first.db"
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # where a first load through ADBC keeps its temporary database
    process = start(["import", *demo_files(data)], str(path))
    journal = Path(f"{path}-journal")
    try:
        wait_for(_reading(process, "synthetic-received.csv"), process, timeout=60)
        wait_for(lambda: journal.exists() and path.stat().st_size > 1 << 20, process, timeout=60)
    finally:
        kill_hard(process)
    assert journal.exists()  # the hot journal the next connection rolls back
    killed = sqlite_counts(path)
    assert [table for table, rows in killed.items() if rows and table not in ("data_version", "store_identity")] \
        == []
    assert not journal.exists()
    rerun = run(["import", *demo_files(data)], str(path))
    assert rerun.returncode == 0, rerun.stderr
    fresh = tmp_path / "fresh.db"
    assert run(["import", *demo_files(data)], str(fresh)).returncode == 0
    assert sqlite_counts(path) == sqlite_counts(fresh)
    assert path.read_bytes()[18:20] == b"\x02\x02"  # the write-ahead log again once the import is over


@pytest.mark.parametrize("point", ["writing its rows with ADBC", "copying them in"])
def test_first_import_through_arrow_killed_part_way_leaves_no_case(tmp_path, data, monkeypatch, point):
    """A first import whose files go through pyarrow and ADBC (ingest.arrow_read): killed while ADBC writes the
    private temporary database, or while the import's transaction copies its rows in, it leaves a database with no
    case (and its temporary folder behind), and the rerun imports what one import does."""
    pytest.importorskip("adbc_driver_sqlite")
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setenv("TMPDIR", str(temporary))
    path = tmp_path / "first.db"
    journal = Path(f"{path}-journal")
    process = start(["import", *demo_files(data)], str(path))
    try:
        wait_for(_reading(process, "rows.db"), process, timeout=60)
        if point == "copying them in":
            wait_for(lambda: journal.exists() and path.stat().st_size > 1 << 20, process, timeout=60)
        else:
            assert not journal.exists()
    finally:
        kill_hard(process)
    assert [folder.name.split("-")[:3] for folder in temporary.iterdir()] == [["ombuds", "import", str(process.pid)]]
    killed = sqlite_counts(path)
    assert [table for table, rows in killed.items() if rows and table not in ("data_version", "store_identity")] \
        == []
    rerun = run(["import", *demo_files(data)], str(path))
    assert rerun.returncode == 0, rerun.stderr
    assert list(temporary.iterdir()) == []  # the killed import's folder removed by the next
    fresh = tmp_path / "fresh.db"
    assert run(["import", *demo_files(data)], str(fresh)).returncode == 0
    assert sqlite_counts(path) == sqlite_counts(fresh)


@pytest.fixture(scope="module")
def letters_db(tmp_path_factory, data) -> Path:
    path = tmp_path_factory.mktemp("letters-db") / "letters.db"
    assert run(["import", *demo_files(data)], str(path)).returncode == 0
    return path


def letters_command(out: Path, output_format: str = "pdf") -> list[str]:
    return ["letters", "--year", YEAR, "--format", output_format, "--out", str(out), "--allow-missing-contacts"]


def assert_complete_letters(folder: Path, output_format: str) -> list[Path]:
    """Every letter a reader could be given is whole; temporaries are hidden `.name.PID.tmp` files only."""
    letters = sorted(folder.glob(f"*.{output_format}"))
    for letter in letters:
        if output_format == "pdf":
            assert len(PdfReader(letter, strict=True).pages) >= 1, letter
        else:
            assert letter.read_text(encoding="utf-8").rstrip().endswith("</html>"), letter
    strays = [p.name for p in folder.iterdir() if p not in letters and p.name != "index.csv"
              and not (p.name.startswith(".") and p.name.endswith(".tmp"))]
    assert strays == []
    return letters


@pytest.mark.parametrize(("output_format", "kill_points"), [("pdf", (1, 100)), ("html", (150,))])
def test_letters_killed_part_way_leave_only_whole_letters(tmp_path, letters_db, output_format, kill_points):
    out = tmp_path / "letters"
    for written in kill_points:
        process = start(letters_command(out, output_format), str(letters_db))
        try:
            wait_for(lines_printed(process, written), process, timeout=120)
        finally:
            kill_hard(process)
        assert len(assert_complete_letters(out, output_format)) >= written
    rerun = run(letters_command(out, output_format), str(letters_db))
    assert rerun.returncode == 0, rerun.stderr
    letters = assert_complete_letters(out, output_format)
    assert [p for p in out.iterdir() if p.name.startswith(".")] == []
    assert len(letters) == len(rerun.stdout.splitlines()) > max(kill_points)
    index = (out / "index.csv").read_text(encoding="utf-8").splitlines()
    assert len(index) == len(letters) + 1
    for line in index[1:]:
        file, sha256 = line.rsplit(",", 2)[-2:]
        assert hashlib.sha256((out / file).read_bytes()).hexdigest() == sha256


def count_files(folder: Path) -> int:
    """Files under `folder` so far (0 if it is gone), without tripping over a build still writing it."""
    total = 0
    for _, _, files in os.walk(folder):
        total += len(files)
    return total


def lines_printed(process: subprocess.Popen, n: int) -> Callable[[], bool]:
    """True once the process has printed `n` lines (letters print each path as it is written). Reads them as they
    come, without pausing between lines: HTML letters are written faster than a polling reader would keep up."""
    printed: list[str] = []

    def reached() -> bool:
        while len(printed) < n:
            line = process.stdout.readline()
            if not line:
                return False
            printed.append(line)
        return True
    return reached


def files_written(folder: Path, n: int) -> Callable[[], bool]:
    def reached() -> bool:
        time.sleep(0.05)
        return count_files(folder) >= n
    return reached


def tree_digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def site_db(tmp_path_factory, data) -> Path:
    path = tmp_path_factory.mktemp("site-db") / "site.db"
    assert run(["import", *base_files(data)], str(path)).returncode == 0
    return path


def test_site_build_killed_part_way_leaves_the_published_build_alone(tmp_path, site_db):
    """The published folder (a stand-in for last year's build, to spare the test a whole build) is untouched by
    builds killed part-way; the rerun replaces it whole and clears what the killed builds left."""
    out = tmp_path / "public" / "site"
    (out / "councils" / "old").mkdir(parents=True)
    for page in ("index.html", "404.html", "councils/old/index.html"):
        (out / page).write_text(f"<!DOCTYPE html><html><body>{page}</body></html>\n", encoding="utf-8")
    published = tree_digest(out)
    for point in (50, 2500):
        process = start(["site", "build", "--out", str(out)], str(site_db))
        try:
            wait_for(files_written(out.parent / f".site.tmp-{process.pid}", point), process, timeout=120)
        finally:
            kill_hard(process)
        assert tree_digest(out) == published
    rerun = run(["site", "build", "--out", str(out)], str(site_db))
    assert rerun.returncode == 0, rerun.stderr
    # the killed builds' folders are gone; the build's manifest lives beside the site, never in it
    assert sorted(p.name for p in out.parent.iterdir()) == [".site.build.msgpack", "site"]
    rebuilt = tree_digest(out)
    assert "councils/old/index.html" not in rebuilt and len(rebuilt) > 5000
    for page in out.rglob("*.html"):
        assert page.read_text(encoding="utf-8").rstrip().endswith(("</html>", "</html>\n")), page


class PostgresServer:
    """A PostgreSQL server of this test's own, which it stops and starts again."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.data = folder / "data"
        self.port = free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}"
        os.chown(folder, *_postgres_ids())
        subprocess.run(as_postgres([pg_bin("initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
                                    "--no-sync", "-E", "UTF8"]), check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        options = (f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off")
        subprocess.run(as_postgres([pg_bin("pg_ctl"), "-D", str(self.data), "-o", options, "-l",
                                    str(self.folder / "log"), "-w", "start"]), check=True, capture_output=True,
                       timeout=120)

    def stop(self) -> None:
        subprocess.run(as_postgres([pg_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"]),
                       capture_output=True, timeout=60)


def _postgres_ids() -> tuple[int, int]:
    if os.geteuid() != 0:
        return os.getuid(), os.getgid()
    import pwd

    entry = pwd.getpwnam("postgres")
    return entry.pw_uid, entry.pw_gid


def pg_counts(url: str) -> dict[str, int]:
    database = open_database(url, migrate=False)
    try:
        with database.read() as connection:
            counts = table_counts(connection)
            counts["imports"] = connection.exec_driver_sql("SELECT count(*) FROM audit_log").scalar()
            return counts
    finally:
        database.close()


def test_postgresql_lost_mid_import_is_one_clear_error_and_nothing_half_imported(data):
    server = PostgresServer(Path(tempfile.mkdtemp(prefix="ombuds-pg-lost-")))
    server.start()
    try:
        url = create_database(server.url, "ombuds_lost")
        assert run(["import", *base_files(data)], url).returncode == 0
        before = pg_counts(url)
        process = start(["import", *demo_files(data)], url)

        def importing() -> bool:  # the import's transaction has written rows
            with psycopg.connect(f"{url}", autocommit=True) as connection:
                return connection.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = 'ombuds_lost' AND pid <> pg_backend_pid() "
                    "AND backend_xid IS NOT NULL").fetchone()[0] > 0
        try:
            wait_for(importing, process, timeout=60)
            server.stop()
            _, stderr = process.communicate(timeout=60)
        finally:
            if process.poll() is None:
                kill_hard(process)
        assert process.returncode == 1, stderr
        lines = stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("ombuds: error: the database"), stderr
        assert "Traceback" not in stderr and "internal error" not in stderr
        server.start()
        assert pg_counts(url) == before
        rerun = run(["import", *demo_files(data)], url)
        assert rerun.returncode == 0, rerun.stderr
        assert pg_counts(url)["received"] > before["received"]
    finally:
        server.stop()
        shutil.rmtree(server.folder, ignore_errors=True)


def test_disk_full_while_rendering_letters_is_one_clear_error_and_no_corrupt_pdf(tmp_path, letters_db):
    out = tmp_path / "full"
    out.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=300k", "tmpfs", str(out)], capture_output=True,
                             text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs to fill up: {mounted.stderr.strip()}")
    try:
        result = run(letters_command(out), str(letters_db), timeout=120)
        assert result.returncode == 1
        lines = [line for line in result.stderr.strip().splitlines() if not line.startswith("no letter: ")]
        assert len(lines) == 1, result.stderr  # besides the councils abolished before the letter's date
        assert lines[0].startswith(f"ombuds: error: cannot write {out}/") and "No space left on device" in lines[0]
        letters = assert_complete_letters(out, "pdf")
        assert len(letters) < 300
        assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []
        assert not (out / "index.csv").exists()
    finally:
        subprocess.run(["umount", str(out)], capture_output=True)


def test_a_build_killed_between_renames_gets_its_previous_build_back(tmp_path):
    """Killed after the old build was renamed aside and before the new one took its place: the next build puts the
    old one back first (and deletes the killed build's folders), so the site is never left missing."""
    from ombuds.site.build import clear_interrupted_builds

    gone = subprocess.Popen(["true"])
    gone.wait()
    out = tmp_path / "site"
    (tmp_path / f".site.old-{gone.pid}").mkdir()
    (tmp_path / f".site.old-{gone.pid}" / "index.html").write_text("<html>old</html>\n", encoding="utf-8")
    (tmp_path / f".site.tmp-{gone.pid}").mkdir()
    (tmp_path / f".site.tmp-{os.getpid()}").mkdir()  # a build still running is left alone
    (tmp_path / ".site.tmp-notapid").mkdir()
    clear_interrupted_builds(out)
    assert (out / "index.html").read_text(encoding="utf-8") == "<html>old</html>\n"
    left = {p.name for p in tmp_path.iterdir()}
    assert left == {".site.tmp-notapid", f".site.tmp-{os.getpid()}", "site"}
    (tmp_path / f".site.old-{gone.pid}").mkdir()
    clear_interrupted_builds(out)  # with the site in place, an old build left aside is only deleted
    assert not (tmp_path / f".site.old-{gone.pid}").exists() and (out / "index.html").exists()
