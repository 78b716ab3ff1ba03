"""The study store: creation, migrations, transactions, backups, busy handling."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from pathlib import Path

import pytest

from gtcode.errors import GtcodeError
from gtcode.files import atomic_output, atomic_write_text
from gtcode.store import database, project
from gtcode.store.project import Study
from gtcode.store.schema import SCHEMA_VERSION


def test_create_records_migrations_and_pragmas(empty_study: Study) -> None:
    conn = empty_study.conn
    versions = [r[0] for r in conn.execute("SELECT version FROM schema_migrations")]
    assert versions == list(range(1, SCHEMA_VERSION + 1))
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert (empty_study.path / "exports").is_dir()


def test_create_refuses_existing_study(empty_study: Study) -> None:
    with pytest.raises(GtcodeError) as info:
        Study.create(empty_study.path)
    assert info.value.code == "E302"


def test_open_missing_study_is_e301(tmp_path: Path) -> None:
    with pytest.raises(GtcodeError) as info:
        Study.open(tmp_path / "nothing")
    assert info.value.code == "E301"


def test_write_rolls_back_everything_on_error(empty_study: Study) -> None:
    with pytest.raises(RuntimeError):
        with empty_study.write() as conn:
            conn.execute("INSERT INTO cases(name) VALUES ('S01')")
            raise RuntimeError("boom")
    assert empty_study.conn.execute("SELECT COUNT(*) FROM cases").fetchone()[0] == 0


def test_decisions_are_append_only(empty_study: Study) -> None:
    with empty_study.write() as conn:
        conn.execute("INSERT INTO decisions(at, coder, action) VALUES ('t', 'ann', 'accept')")
    with pytest.raises(sqlite3.DatabaseError):
        with empty_study.write() as conn:
            conn.execute("UPDATE decisions SET coder = 'bob'")
    with pytest.raises(sqlite3.DatabaseError):
        with empty_study.write() as conn:
            conn.execute("DELETE FROM decisions")
    assert empty_study.conn.execute("SELECT coder FROM decisions").fetchone()[0] == "ann"


def test_older_study_is_backed_up_then_migrated(tmp_path: Path, monkeypatch) -> None:
    study = Study.create(tmp_path / "s")
    study.close()
    extra = (SCHEMA_VERSION + 1, "test-extra", "CREATE TABLE extra_test (x INTEGER);")
    monkeypatch.setattr(database, "MIGRATIONS", [*database.MIGRATIONS, extra])
    monkeypatch.setattr(project, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    reopened = Study.open(tmp_path / "s")
    try:
        assert reopened.schema_version() == SCHEMA_VERSION + 1
        backups = reopened.backups()
        assert len(backups) == 1 and "before-migration" in backups[0].name
        old = sqlite3.connect(backups[0])
        assert old.execute("SELECT MAX(version) FROM schema_migrations").fetchone()[0] == \
            SCHEMA_VERSION
        old.close()
    finally:
        reopened.close()


def test_newer_study_is_refused(empty_study: Study) -> None:
    with empty_study.write() as conn:
        conn.execute("INSERT INTO schema_migrations VALUES (999, 'future', 't')")
    with pytest.raises(GtcodeError) as info:
        Study.open(empty_study.path)
    assert info.value.code == "E305"


def test_second_writer_waits_then_fails_cleanly(empty_study: Study, monkeypatch) -> None:
    other = project._connect(empty_study.db_path)
    other.execute("PRAGMA busy_timeout=200")
    release, locked = threading.Event(), threading.Event()

    def hold_lock() -> None:
        holder = project._connect(empty_study.db_path)
        with project._transaction(holder, empty_study.db_path) as conn:
            conn.execute("INSERT INTO cases(name) VALUES ('held')")
            locked.set()
            release.wait(5)
        holder.close()

    thread = threading.Thread(target=hold_lock)
    thread.start()
    locked.wait(5)
    with pytest.raises(GtcodeError) as info:
        with project._transaction(other, empty_study.db_path) as conn:
            conn.execute("INSERT INTO cases(name) VALUES ('second')")
    release.set()
    thread.join()
    other.close()
    assert info.value.code == "E304"
    names = [r[0] for r in empty_study.conn.execute("SELECT name FROM cases")]
    assert names == ["held"]


def test_atomic_writes_leave_old_file_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    atomic_write_text(target, "old")
    with pytest.raises(RuntimeError):
        with atomic_output(target) as tmp:
            tmp.write_text("half", encoding="utf-8")
            raise RuntimeError("killed")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_migration_2_moves_rule_suggestions_to_their_own_table(tmp_path: Path,
                                                               monkeypatch) -> None:
    """A study coded before schema 2 reads the same codings after it, ids aside."""
    from gtcode.coding.open_coding import open_code
    from open_coding_fixtures import make_study

    first = database.MIGRATIONS[:1]
    monkeypatch.setattr(database, "MIGRATIONS", first)
    monkeypatch.setattr(project, "SCHEMA_VERSION", 1)
    turns = [("interviewer", "家里怎么样？"), ("respondent", "工资太低，讲人情世故。"),
             ("respondent", "欠了债。"), ("respondent", "没有了。")]
    study, book = make_study(tmp_path, {"S01.txt": turns})
    with study.write() as conn:  # rule suggestions as schema 1 stored them, plus a human row
        segments = conn.execute("SELECT id, source_id, start, end FROM segments "
                                "WHERE role = 'respondent' ORDER BY id").fetchall()
        for number, (seg, source, start, end) in enumerate(segments[:3]):
            conn.execute(
                "INSERT INTO codings(source_id, segment_id, start, end, code_id, origin, coder, "
                "status, codebook_hash, evidence, created_at, updated_at) VALUES "
                "(?, ?, ?, ?, ?, 'rule', 'gtcode-rules', 'suggested', 'h1', ?, 't1', 't1')",
                (source, seg, start, end, f"code{number}", f'[{{"term": "t{number}"}}]'))
        conn.execute(
            "INSERT INTO codings(source_id, segment_id, start, end, code_id, origin, coder, "
            "status, created_at, updated_at) VALUES (?, ?, ?, ?, 'mine', 'human', 'ann', "
            "'accepted', 't2', 't2')", segments[0][1:2] + segments[0][0:1] + segments[0][2:4])
    study.close()
    monkeypatch.undo()

    columns = ("source_id, segment_id, start, end, code_id, origin, coder, status, "
               "codebook_hash, evidence, orphaned, created_at")
    with Study.open(tmp_path / "study") as opened:
        assert opened.schema_version() == SCHEMA_VERSION >= 2
        assert any("before-migration-1-to" in b.name for b in opened.backups())
        conn = opened.conn
        got = conn.execute(f"SELECT {columns} FROM all_codings ORDER BY segment_id, code_id"
                           ).fetchall()
        assert conn.execute("SELECT COUNT(*) FROM codings WHERE origin = 'rule'"
                            ).fetchone() == (0,)
        assert conn.execute("SELECT COUNT(*) FROM rule_codings").fetchone() == (3,)
        assert conn.execute("SELECT MIN(id) FROM all_codings WHERE origin = 'rule'"
                            ).fetchone()[0] < 0
    expected = [(source, seg, start, end, f"code{n}", "rule", "gtcode-rules", "suggested", "h1",
                 f'[{{"term": "t{n}"}}]', 0, "t1")
                for n, (seg, source, start, end) in enumerate(segments[:3])]
    expected.insert(1, (segments[0][1], segments[0][0], *segments[0][2:4], "mine", "human",
                        "ann", "accepted", None, None, 0, "t2"))
    assert got == expected
    # a new run replaces the migrated suggestions and stamps its own codebook
    with Study.open(tmp_path / "study") as opened:
        report = open_code(opened, book, invivo=False)
        assert report.removed == 3
        hashes = opened.conn.execute("SELECT DISTINCT codebook_hash FROM all_codings "
                                     "WHERE origin = 'rule'").fetchall()
        assert hashes == [(book.hash,)]


def test_migration_blind_decisions_keeps_old_decisions_as_not_recorded(tmp_path: Path,
                                                                      monkeypatch) -> None:
    """Decisions logged before the blind column read as 'not recorded', never as blind."""
    from gtcode.reliability.agree import agree_study
    from open_coding_fixtures import make_study

    version = next(n for n, name, _sql in database.MIGRATIONS if name == "blind decisions")
    monkeypatch.setattr(database, "MIGRATIONS", database.MIGRATIONS[:version - 1])
    monkeypatch.setattr(project, "SCHEMA_VERSION", version - 1)
    study, _book = make_study(tmp_path, {"S01.txt": [("respondent", "工资太低。")]})
    with study.write() as conn:
        seg, source, start, end = conn.execute(
            "SELECT id, source_id, start, end FROM segments").fetchone()
        conn.execute("INSERT INTO coders(name, kind) VALUES ('ann', 'human'), "
                     "('gtcode-rules', 'rule')")
        conn.execute("INSERT INTO codings(source_id, segment_id, start, end, code_id, origin, "
                     "coder, status, created_at, updated_at) VALUES (?, ?, ?, ?, "
                     "'economic.low_pay', 'human', 'ann', 'accepted', 't', 't')",
                     (source, seg, start, end))
        conn.execute("INSERT INTO rule_codings(segment_id, code_id, evidence) VALUES "
                     "(?, 'economic.low_pay', '[]')", (seg,))
        conn.execute("INSERT INTO decisions(at, coder, action, segment_id, code_id, via) "
                     "VALUES ('t', 'ann', 'accept', ?, 'economic.low_pay', 'old.xlsx')", (seg,))
    study.close()
    monkeypatch.undo()
    with Study.open(tmp_path / "study") as opened:
        assert opened.schema_version() == SCHEMA_VERSION
        assert opened.conn.execute("SELECT blind FROM decisions").fetchall() == [(None,)]
        with pytest.raises(sqlite3.DatabaseError):  # still append-only
            opened.conn.execute("UPDATE decisions SET blind = 1")
        result = agree_study(opened, ["ann", "gtcode-rules"])
    assert result.views["ann"].status == "unknown" and not result.independence.independent


def test_remember_keeps_a_value_inside_its_scope_until_a_write(empty_study: Study) -> None:
    built: list[int] = []

    def build() -> list[int]:
        built.append(1)
        return [len(built)]

    assert empty_study.remember("k", build) == [1]
    assert empty_study.remember("k", build) == [2]  # outside the scope: built every time
    with empty_study.remembering():
        first = empty_study.remember("k", build)
        assert empty_study.remember("k", build) is first and len(built) == 3
        assert empty_study.remember("other", build) == [4]
        with empty_study.remembering():  # nested: the same memory
            assert empty_study.remember("k", build) is first
        with empty_study.write() as conn:
            conn.execute("INSERT INTO meta(key, value) VALUES ('x', 'y')")
        assert empty_study.remember("k", build) == [5]  # the study changed: built again
    assert empty_study.remember("k", build) == [6]


@pytest.mark.parametrize("snapshot", [False, True])
def test_a_write_keeps_what_it_says_it_leaves_true(empty_study: Study, snapshot: bool) -> None:
    made = iter(range(100))
    build = lambda: next(made)  # noqa: E731
    with contextlib.ExitStack() as scope:
        if snapshot:
            scope.enter_context(empty_study.snapshot())
        scope.enter_context(empty_study.remembering())
        kept, other = empty_study.remember("kept", build), empty_study.remember("other", build)
        with empty_study.write(keep=["kept"]) as conn:
            conn.execute("INSERT INTO meta(key, value) VALUES ('x', 'y')")
        assert empty_study.remember("kept", build) == kept  # kept across this write
        assert empty_study.remember("other", build) != other  # forgotten
        kept = empty_study.remember("kept", build)
        with Study.open(empty_study.path) as another, another.write() as conn:
            conn.execute("INSERT INTO meta(key, value) VALUES ('y', 'z')")
        with empty_study.write(keep=["kept"]) as conn:  # another process wrote meanwhile
            conn.execute("INSERT INTO meta(key, value) VALUES ('z', 'w')")
        assert empty_study.remember("kept", build) != kept


def test_every_output_of_a_run_reads_the_coded_study_once(tmp_path, monkeypatch) -> None:
    from axial_study import build_study
    from gtcode.coding import axial, coded_study
    from gtcode.tables.matrices import build_tables

    study, book = build_study(tmp_path / "s")
    reads: list[int] = []
    real = coded_study._read_coded_study
    monkeypatch.setattr(coded_study, "_read_coded_study",
                        lambda *args: reads.append(1) or real(*args))
    with study.snapshot(), study.remembering():
        tables = build_tables(study, book, lang="en")
        assert build_tables(study, book, lang="en") is tables
        assert axial.load_coded_study(study, book) is tables.data
        assert build_tables(study, book, lang="zh") is not tables
    assert len(reads) == 1
    build_tables(study, book, lang="en")
    assert len(reads) == 2
    study.close()


def test_gtcode_run_reads_the_coded_study_once_after_open(tmp_path, monkeypatch) -> None:
    """axial, selective (which writes its storyline) and every output share one read."""
    import shutil

    from gtcode.coding import coded_study
    from gtcode.pipeline import run

    sample = Path(__file__).resolve().parents[1] / "data" / "sample"
    for name in sorted(p.name for p in sample.glob("*.txt"))[:3]:
        shutil.copy(sample / name, tmp_path / name)
    reads: list[int] = []
    real = coded_study._read_coded_study
    monkeypatch.setattr(coded_study, "_read_coded_study",
                        lambda *args: reads.append(1) or real(*args))
    run([tmp_path], tmp_path / "out", model=False, embeddings=False)
    assert len(reads) == 1
