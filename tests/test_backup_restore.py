"""The README's backup and restore steps, run as written: SQLite's online backup (`sqlite3 DB ".backup FILE"`)
while the database is open, PostgreSQL's `pg_dump -Fc` and `pg_restore`; the restored database holds every row
of every table, answers the same `ombuds stats`, and takes the next import."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import text

from builders import Cases
from conftest import LGSCO, new_pg_database
from ombuds.cli import cli
from ombuds.ingest import import_files
from ombuds.store import open_database
from ombuds.store.releases import log_audit
from ombuds.store.schema import metadata
from pgserver import pg_bin


def every_row(url: str) -> dict[str, list[tuple]]:
    database = open_database(url, read_only=True)
    try:
        with database.read() as connection:
            rows = {t.name: sorted(tuple(map(str, r)) for r in connection.execute(t.select()))
                    for t in metadata.sorted_tables}
            rows["alembic_version"] = [tuple(connection.execute(text("SELECT version_num FROM alembic_version")))]
        return rows
    finally:
        database.close()


def stats(url: str) -> list:
    result = CliRunner().invoke(cli, ["--db", url, "stats", "--year", "2023-24"])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def fill(url: str, folder: Path) -> None:
    cases = Cases(folder, "K")
    cases.decided("Stevenage", "2023-10-01", {"Upheld": 3, "Not Upheld": 1}, satisfactory_remedies=1)
    cases.received("Kent", "2023-05-01", {"Education and Children's Services": 2, "Highways and Transport": 1})
    cases.compliance("Stevenage", "2023-11-01", on_time=1, late=1)
    database = open_database(url)
    import_files(database, cases.files(), scheme=LGSCO)
    with database.transaction() as connection:
        log_audit(connection, "release create", "2023-24", "a release step, for the audit log's rows")
    database.close()


def one_more(url: str, folder: Path) -> None:
    later = folder / "later"
    later.mkdir()
    cases = Cases(later, "M")
    cases.received("Stevenage", "2023-06-01", {"Housing": 1})
    report = import_files(open_database(url), cases.files(), scheme=LGSCO)
    assert report.lines()[-1] == "received: 1 new, 0 changed, 0 unchanged"


def test_sqlite_online_backup_and_restore(tmp_path):
    live = tmp_path / "ombuds.db"
    fill(f"sqlite:///{live}", tmp_path)
    reader = open_database(f"sqlite:///{live}", read_only=True)  # a server holding it open while it is backed up
    with reader.read() as connection:
        connection.execute(text("SELECT count(*) FROM decided")).scalar()
        subprocess.run(["sqlite3", str(live), f".backup '{tmp_path / 'backup.db'}'"], check=True)
    reader.close()
    restored = tmp_path / "restored" / "ombuds.db"
    restored.parent.mkdir()
    shutil.copyfile(tmp_path / "backup.db", restored)  # restore: put the backup file in place, server stopped
    assert every_row(f"sqlite:///{restored}") == every_row(f"sqlite:///{live}")
    assert stats(f"sqlite:///{restored}") == stats(f"sqlite:///{live}")
    assert len(every_row(f"sqlite:///{restored}")["decided"]) == 4
    one_more(f"sqlite:///{restored}", tmp_path)


def test_postgresql_dump_and_restore(pg_server, tmp_path):
    source = new_pg_database(pg_server)
    fill(source, tmp_path)
    dump = tmp_path / "ombuds.dump"
    subprocess.run([pg_bin("pg_dump"), "--format=custom", f"--file={dump}", source], check=True)
    target = new_pg_database(pg_server)  # restore into a new, empty database
    subprocess.run([pg_bin("pg_restore"), "--no-owner", "--exit-on-error", f"--dbname={target}", str(dump)],
                   check=True)
    assert every_row(target) == every_row(source)
    assert stats(target) == stats(source)
    assert every_row(target)["audit_log"] != []
    one_more(target, tmp_path)
