"""Concurrent use: two gtcode processes writing to one study never corrupt it.

Pairs of real CLI processes are started together on one study, with seeded
random offsets so that their work overlaps in different ways. After each pair:
``PRAGMA integrity_check`` is ok; each process exited 0, or exited 1 with E304
(the study was busy) having changed nothing; and the study (and any export)
equals what running the two commands one after the other gives, in one order or
the other. A process that finds the study busy waits (SQLite's busy timeout);
one that waits too long gives up with E304 and changes nothing.
"""

from __future__ import annotations

import random
import re
import shutil
import sqlite3
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crash_helpers import Zygote, dump, integrity
from gtcode.cli import app
from gtcode.store import database, project
from sheet_helpers import col, xlsx_sheet

pytestmark = pytest.mark.slow

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
SEED = 7
ROUNDS = 4
#: Times an export copies from the study (when a coding was made, in the XML attributes and
#: in gtcode's study-state Note): a re-run's differ.
TIMES = re.compile(rb' (creation|modified)DateTime="[^"]*"|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ')
FIGURES: Counter = Counter()

APPLY = ["sheet", "apply", "study", "reviewed.xlsx", "--coder", "li"]
EXPORT = ["export", "study", "--to", "qdpx", "-o", "out/project.qdpx"]
IMPORT = ["import", "study", "more/S04.txt"]
OPEN = ["open", "study", "-q"]
#: name -> (starting study, first command, second command, output file or None, the most
#: the second may start after the first in seconds: about the commands' length, so they overlap)
PAIRS = {
    "apply+export": ("coded", APPLY, EXPORT, "out/project.qdpx", 0.4),
    "import+open": ("imported", IMPORT, OPEN, None, 0.2),
    "import+import": ("imported", IMPORT, IMPORT, None, 0.005),
    "apply+apply": ("coded", APPLY, APPLY, None, 0.3),
}


def _cli(*args: object) -> None:
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def starts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("concurrency")
    imported = root / "imported"
    for folder in ("in", "more", "out"):
        (imported / folder).mkdir(parents=True)
    for name in ("S01.txt", "S02.txt", "E01.txt"):
        shutil.copy(SAMPLE / name, imported / "in" / name)
    shutil.copy(SAMPLE / "S04.txt", imported / "more" / "S04.txt")
    _cli("init", imported / "study", "-q")
    _cli("import", imported / "study", imported / "in", "-q")
    coded = root / "coded"
    shutil.copytree(imported, coded)
    _cli("open", coded / "study", "-q")
    _cli("sheet", "export", coded / "study", "-o", coded / "reviewed.xlsx", "-q")
    sheet = xlsx_sheet(coded / "reviewed.xlsx")
    header = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[col(header, "suggested")].value)
    row[col(header, "decision")].value = "接受 accept"
    row[col(header, "codes")].value = "social_favour.face"
    sheet.parent.save(coded / "reviewed.xlsx")
    return {"imported": imported, "coded": coded}


@pytest.fixture(scope="module")
def zygote():
    helper = Zygote()
    yield helper
    helper.close()


def outcome(folder: Path, output: str | None) -> tuple:
    """The study's tables and the export's entries, both without wall-clock times."""
    out = folder / output if output else None
    return dump(folder / "study" / "gtcode.db"), qdpx_entries(out) if out and out.exists() else None


def qdpx_entries(path: Path) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(path) as archive:
        return [(name, TIMES.sub(b"", archive.read(name))) for name in archive.namelist()]


def serial(zygote: Zygote, start: Path, first: list[str], second: list[str], output: str | None,
           folder: Path) -> tuple:
    shutil.copytree(start, folder)
    for argv in (first, second):
        assert zygote.run(argv, folder)["rc"] == 0
    return outcome(folder, output)


@pytest.mark.parametrize("name", list(PAIRS))
def test_two_writers_at_once_end_as_one_after_the_other(name, zygote, starts, tmp_path):
    start, first, second, output, spread = PAIRS[name]
    orders = [serial(zygote, starts[start], first, second, output, tmp_path / "one-two"),
              serial(zygote, starts[start], second, first, output, tmp_path / "two-one")]
    rng = random.Random(f"{SEED}-{name}")
    for attempt in range(ROUNDS):
        work = tmp_path / f"round{attempt}"
        shutil.copytree(starts[start], work)
        before = outcome(work, output)
        offsets = [0.0, rng.uniform(0.0, spread)]
        rng.shuffle(offsets)
        runs = [{"argv": argv, "cwd": work, "start": offset,
                 "stderr": tmp_path / f"round{attempt}-{i}.err"}
                for i, (argv, offset) in enumerate(zip((first, second), offsets))]
        results = zygote.together(runs)["results"]
        errors = [run["stderr"].read_text(encoding="utf-8") for run in runs]
        assert integrity(work / "study" / "gtcode.db") == "ok"
        codes = [r["rc"] for r in results]
        assert "Traceback" not in "".join(errors), errors
        FIGURES["pairs"] += 1
        if codes == [0, 0]:
            assert outcome(work, output) in orders, "the pair did not end as a serial run"
            FIGURES["both finished"] += 1
        else:  # one waited too long: it says E304 and changed nothing
            assert sorted(codes) == [0, 1], (codes, errors)
            assert "[E304]" in errors[codes.index(1)], errors
            alone = serial(zygote, starts[start], [first, second][codes.index(0)],
                           ["status", "study"], output, tmp_path / f"alone{attempt}")
            assert outcome(work, output) == alone
            FIGURES["one refused with E304"] += 1
        assert outcome(work, output) != before or name == "import+import"
        shutil.rmtree(work)


def test_a_writer_that_waits_too_long_fails_with_E304_and_changes_nothing(starts, tmp_path,
                                                                          monkeypatch):
    """Another process holds the write lock past the busy timeout: E304, nothing written."""
    work = tmp_path / "work"
    shutil.copytree(starts["coded"], work)
    db = work / "study" / "gtcode.db"
    before = dump(db)
    monkeypatch.setattr(database, "BUSY_TIMEOUT_S", 0.3)
    monkeypatch.chdir(work)  # the command lines name files relative to the work folder
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        for argv in (APPLY, IMPORT, OPEN):
            result = CliRunner().invoke(app, argv)
            assert result.exit_code == 1, result.output
            assert "[E304]" in result.stderr and "nothing was changed" in result.stderr
            assert result.stderr.count("\n") == 1
            FIGURES["busy refusals"] += 1
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert dump(db) == before
    assert integrity(db) == "ok"


def test_an_export_reads_one_snapshot(starts, tmp_path):
    """What another process commits during an export is not half seen by it."""
    work = tmp_path / "work"
    shutil.copytree(starts["coded"], work)
    reader = project.Study.open(work / "study")
    writer = project.Study.open(work / "study")
    count = "SELECT COUNT(*) FROM decisions"
    try:
        with reader.snapshot():
            seen = reader.conn.execute(count).fetchone()[0]
            with writer.write() as conn:
                conn.execute("INSERT INTO decisions(at, coder, action) VALUES ('t', 'x', 'y')")
            assert reader.conn.execute(count).fetchone()[0] == seen
            with reader.write():  # a reader may still write (its codebook sync)
                pass
            assert reader.conn.execute(count).fetchone()[0] == seen + 1
        assert not reader.conn.in_transaction
    finally:
        reader.close()
        writer.close()


def test_report_figures(capsys):
    with capsys.disabled():
        print("\nconcurrency figures:", dict(sorted(FIGURES.items())))
