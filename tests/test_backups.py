"""Backups: a copy of gtcode.db before every migration and every ``import --replace``.

The copy is complete and consistent, is made outside any write transaction and
before the change, stops the command (changing nothing) when it cannot be
written, is listed by ``gtcode status``, and restoring it as docs/reliability.md
says brings the study back.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gtcode.cli import app
from gtcode.store import database, project
from gtcode.store.project import Study
from gtcode.store.schema import SCHEMA_VERSION

runner = CliRunner()
SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
#: A later schema for the migration tests: one more table.
NEXT = (999, "test-next", "CREATE TABLE test_next (id INTEGER PRIMARY KEY);")


def gtcode(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def table_rows(db: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def integrity(db: Path) -> str:
    return table_rows(db, "PRAGMA integrity_check")[0][0]


@pytest.fixture
def study(tmp_path: Path) -> Path:
    """A study with two imported transcripts (copies the tests may change)."""
    (tmp_path / "in").mkdir()
    for name in ("S01.txt", "E01.txt"):
        shutil.copy(SAMPLE / name, tmp_path / "in" / name)
    assert gtcode("init", tmp_path / "study", "-q").exit_code == 0
    assert gtcode("import", tmp_path / "study", tmp_path / "in", "-q").exit_code == 0
    return tmp_path / "study"


def _change(path: Path) -> None:
    with open(path, "a", encoding="utf-8") as handle:
        handle.write("\n问：还有什么要补充的吗？\n答：没有了。\n")


@pytest.fixture
def newer_schema(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pretend this gtcode knows one more migration than the study has."""
    monkeypatch.setattr(database, "MIGRATIONS", [*database.MIGRATIONS, NEXT])
    monkeypatch.setattr(project, "SCHEMA_VERSION", NEXT[0])


def test_replace_keeps_a_backup_of_the_study_before_it(study, tmp_path):
    before = table_rows(study / "gtcode.db", "SELECT name, text FROM sources ORDER BY name")
    _change(tmp_path / "in" / "S01.txt")
    result = gtcode("import", study, tmp_path / "in" / "S01.txt", "--replace")
    assert result.exit_code == 0, result.output
    (backup,) = sorted((study / "backups").glob("gtcode-*-before-replace.db"))
    assert integrity(backup) == "ok"
    assert table_rows(backup, "SELECT name, text FROM sources ORDER BY name") == before
    assert str(backup.name) in result.stderr.replace("\n", "")
    now = table_rows(study / "gtcode.db", "SELECT name, text FROM sources ORDER BY name")
    assert now != before


def test_the_backup_is_made_outside_any_transaction(study, tmp_path, monkeypatch):
    seen = []
    original = Study.backup

    def spy(self: Study, reason: str) -> Path:
        seen.append(self.conn.in_transaction)
        return original(self, reason)

    monkeypatch.setattr(Study, "backup", spy)
    _change(tmp_path / "in" / "S01.txt")
    assert gtcode("import", study, tmp_path / "in" / "S01.txt", "--replace").exit_code == 0
    assert seen == [False]


def test_no_backup_when_nothing_is_replaced(study, tmp_path):
    assert gtcode("import", study, tmp_path / "in", "--replace").exit_code == 0
    assert not (study / "backups").exists()


def test_a_failed_backup_stops_replace_before_any_change(study, tmp_path):
    (study / "backups").write_text("in the way", encoding="utf-8")
    _change(tmp_path / "in" / "S01.txt")
    before = digest(study / "gtcode.db")
    result = gtcode("import", study, tmp_path / "in" / "S01.txt", "--replace")
    assert result.exit_code == 1 and "[E701]" in result.stderr
    assert "nothing was changed" in result.stderr
    assert digest(study / "gtcode.db") == before


def test_migration_backs_up_first(study, newer_schema):
    with Study.open(study) as opened:
        assert opened.schema_version() == NEXT[0]
        (backup,) = opened.backups()
    assert f"before-migration-{SCHEMA_VERSION}-to-999" in backup.name
    assert integrity(backup) == "ok"
    assert table_rows(backup, "SELECT MAX(version) FROM schema_migrations") == [(SCHEMA_VERSION,)]
    assert table_rows(study / "gtcode.db", "SELECT MAX(version) FROM schema_migrations") == \
        [(999,)]


def test_a_failed_migration_backup_leaves_the_study_at_its_version(study, newer_schema):
    (study / "backups").write_text("in the way", encoding="utf-8")
    before = digest(study / "gtcode.db")
    result = gtcode("status", study)
    assert result.exit_code == 1 and "[E701]" in result.stderr
    assert digest(study / "gtcode.db") == before
    assert table_rows(study / "gtcode.db", "SELECT MAX(version) FROM schema_migrations") == \
        [(SCHEMA_VERSION,)]


def test_status_lists_the_backups(study, tmp_path):
    assert "Backups" not in gtcode("status", study).stdout
    _change(tmp_path / "in" / "S01.txt")
    assert gtcode("import", study, tmp_path / "in" / "S01.txt", "--replace").exit_code == 0
    result = gtcode("status", study)
    assert result.exit_code == 0
    text = result.stdout.replace("\n", "")
    assert "Backups (1)" in text and "before-replace.db" in text


def test_restoring_a_backup_as_documented_brings_the_study_back(study, tmp_path):
    """docs/reliability.md: copy the backup over gtcode.db (and drop -wal/-shm)."""
    original = table_rows(study / "gtcode.db", "SELECT name, text FROM sources ORDER BY name")
    _change(tmp_path / "in" / "S01.txt")
    assert gtcode("import", study, tmp_path / "in" / "S01.txt", "--replace").exit_code == 0
    (backup,) = sorted((study / "backups").glob("gtcode-*.db"))
    shutil.copy(study / "gtcode.db", study / "gtcode-before-restore.db")
    for suffix in ("-wal", "-shm"):
        (study / f"gtcode.db{suffix}").unlink(missing_ok=True)
    shutil.copy(backup, study / "gtcode.db")
    assert gtcode("status", study).exit_code == 0
    assert table_rows(study / "gtcode.db", "SELECT name, text FROM sources ORDER BY name") == \
        original
    assert integrity(study / "gtcode.db") == "ok"


def test_backup_names_sort_by_time(study, tmp_path):
    with Study.open(study) as opened:
        first = opened.backup("one")
        second = opened.backup("two")
        assert opened.backups() == [first, second]
    assert first.name < second.name
