"""Crash safety: SIGKILL at random moments leaves the study whole, with all or none of a command.

Each writing command (import, import --replace, open, sheet apply, export to
.qdpx and .xlsx) is first run without interruption on a copy of its starting
study, giving the "before" and "after" states. Then, many times, a fresh copy
is given to the real CLI running in its own process, which is killed with
SIGKILL after a seeded random delay spread over the command's measured
duration. After every kill:

- ``PRAGMA integrity_check`` says ok and the study opens;
- the study (a canonical dump of every table, timestamps left out) and the
  command's output file equal either the "before" or the "after" state;
- running the command again, uninterrupted, gives exactly the "after" state,
  and leaves no ``*.gtcode-tmp`` file anywhere (a killed writer's temp file is
  swept by the next write to that folder).

To spend the time budget on the commands' work rather than on Python start-up,
the processes are forked from a helper that has imported gtcode once (a
"zygote"); each forked child runs ``gtcode.cli.app`` with the command line, as
``python -m gtcode`` does. A few kills of plain ``python -m gtcode`` processes
check the same on the ordinary entry point.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crash_helpers import Zygote, dump, env, integrity, temp_files
from gtcode.cli import app
from gtcode.store.project import Study
from sheet_helpers import col, xlsx_sheet

pytestmark = pytest.mark.slow

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
FILES = ("S01.txt", "S02.txt", "S03.txt", "E01.txt")
#: SIGKILLs per command (cheap commands get more): 60, plus 2 of ``python -m gtcode``.
KILLS = {"init": 8, "import": 14, "import-replace": 12, "open": 5, "sheet-apply": 7,
         "export-qdpx": 7, "export-xlsx": 7}
SEED = 20240611
#: Filled by the tests, printed at the end (docs/reliability.md quotes them).
FIGURES: Counter = Counter()


@pytest.fixture(scope="module")
def zygote():
    helper = Zygote()
    yield helper
    helper.close()


# -- starting studies -------------------------------------------------------------------

def _cli(*args: object) -> None:
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output


def _reviewed_sheet(exported: Path, reviewed: Path) -> None:
    """A coder's decisions: keep some suggestions, drop one, add a code and a memo."""
    sheet = xlsx_sheet(exported)
    header = [c.value for c in sheet[1]]
    sug, dec, codes, memo, role = (col(header, k) for k in ("suggested", "decision", "codes",
                                                           "memo", "role"))
    coded = [row for row in sheet.iter_rows(min_row=2) if row[sug].value]
    coded[0][dec].value = "拒绝 reject"
    coded[1][dec].value = "接受 accept"
    coded[1][codes].value = "social_favour.face"
    coded[2][memo].value = "这一段要再看看"
    for row in coded[3:]:
        row[dec].value = "接受 accept"
    for row in list(sheet.iter_rows(min_row=2))[::-1]:
        if not row[sug].value and row[role].value != "respondent":
            sheet.delete_rows(row[0].row)
    sheet.parent.save(reviewed)


@pytest.fixture(scope="module")
def starts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Starting folders: each holds ``study/``, the inputs and the earlier outputs."""
    root = tmp_path_factory.mktemp("crash-starts")
    (root / "bare").mkdir()
    empty = root / "empty"
    (empty / "in").mkdir(parents=True)
    for name in FILES:
        shutil.copy(SAMPLE / name, empty / "in" / name)
    (empty / "cases.csv").write_text("case,file,gender\nS01,S01.txt,男\nS02,S02.txt,男\n"
                                     "S03,S03.txt,男\nE01,E01.txt,女\n", encoding="utf-8")
    (empty / "out").mkdir()
    _cli("init", empty / "study", "-q")
    imported = root / "imported"
    shutil.copytree(empty, imported)
    _cli("import", imported / "study", imported / "in", "--cases", imported / "cases.csv", "-q")
    replace = root / "replace"
    shutil.copytree(imported, replace)
    with open(replace / "in" / "S01.txt", "a", encoding="utf-8") as handle:
        handle.write("\n问：最后还有什么想说的？\n答：没有了，该说的都说了。\n")
    coded = root / "coded"
    shutil.copytree(imported, coded)
    _cli("open", coded / "study", "-q")
    _cli("sheet", "export", coded / "study", "-o", coded / "exported.xlsx", "-q")
    _reviewed_sheet(coded / "exported.xlsx", coded / "reviewed.xlsx")
    for name in ("project.qdpx", "gtcode.xlsx"):  # an earlier export, to be replaced whole
        (coded / "out" / name).write_bytes(b"an earlier export of this study\n")
    return {"bare": root / "bare", "empty": empty, "imported": imported, "replace": replace,
            "coded": coded}


#: name -> (starting folder, command line run inside it, output file or None).
COMMANDS = {
    "init": ("bare", ["init", "study", "-q"], None),
    "import": ("empty", ["import", "study", "in", "--cases", "cases.csv"], None),
    "import-replace": ("replace", ["import", "study", "in/S01.txt", "--replace"], None),
    "open": ("imported", ["open", "study", "-q"], None),
    "sheet-apply": ("coded", ["sheet", "apply", "study", "reviewed.xlsx", "--coder", "li"],
                    None),
    "export-qdpx": ("coded", ["export", "study", "--to", "qdpx", "-o", "out/project.qdpx"],
                    "out/project.qdpx"),
    "export-xlsx": ("coded", ["export", "study", "--to", "xlsx", "-o", "out/gtcode.xlsx"],
                    "out/gtcode.xlsx"),
}


# -- state ------------------------------------------------------------------------------

def state(work: Path, output: str | None) -> tuple:
    """The study's tables (None before init) and the output file's bytes (None if absent)."""
    db, out = work / "study" / "gtcode.db", work / output if output else None
    return dump(db) if db.exists() else None, out.read_bytes() if out and out.exists() else None


def check_after_kill(work: Path, output: str | None, before: tuple, after: tuple) -> str:
    """The checks every killed run must pass; returns "none" or "all"."""
    db = work / "study" / "gtcode.db"
    if not db.exists():  # a killed init: no study yet (a re-run of init makes it)
        assert before[0] is None
        return "none"
    assert integrity(db) == "ok"
    Study.open(work / "study").close()
    now = state(work, output)
    assert now in (before, after), "the kill left a partial effect"
    return "none" if now == before else "all"


# -- the kills --------------------------------------------------------------------------

@pytest.mark.parametrize("name", list(COMMANDS))
def test_sigkill_leaves_all_or_none_and_a_rerun_finishes(name, zygote, starts, tmp_path):
    start, argv, output = COMMANDS[name]
    reference = tmp_path / "reference"
    shutil.copytree(starts[start], reference)
    before = state(reference, output)
    run = zygote.run(argv, reference)
    assert run["rc"] == 0 and not run["killed"]
    duration = run["seconds"]
    after = state(reference, output)
    assert after != before
    # a second run changes nothing more (init refuses: the study exists, E302)
    again = 1 if name == "init" else 0
    assert zygote.run(argv, reference)["rc"] == again
    assert state(reference, output) == after

    rng = random.Random(f"{SEED}-{name}")
    outcomes: Counter = Counter()
    attempt = 0
    while outcomes["killed"] < KILLS[name] and attempt < 2 * KILLS[name]:
        work = tmp_path / f"kill{attempt}"
        shutil.copytree(starts[start], work)
        # spread over the whole run; every third near its end, where the commit is
        low = 0.8 if attempt % 3 == 2 else 0.0
        result = zygote.run(argv, work, delay=duration * rng.uniform(low, 1.0))
        assert result["killed"] or result["rc"] == 0, result
        if not result["killed"]:  # this run was quicker than the measured one
            duration *= 0.85
        found = check_after_kill(work, output, before, after)
        outcomes[found] += 1
        outcomes["killed" if result["killed"] else "finished first"] += 1
        outcomes["temp files left"] += len(temp_files(work))
        assert zygote.run(argv, work)["rc"] == (again if found == "all" else 0)
        assert state(work, output) == after, "a re-run after the kill differs"
        assert temp_files(work) == [], "a re-run did not sweep the killed writer's temp files"
        shutil.rmtree(work)
        attempt += 1
    FIGURES.update({f"{name}: {key}": value for key, value in outcomes.items()})
    FIGURES["runs"] += attempt
    FIGURES["kills"] += outcomes["killed"]
    assert outcomes["killed"] == KILLS[name], outcomes


def test_sigkill_of_python_m_gtcode(starts, tmp_path):
    """The ordinary entry point, killed while it codes: the same guarantees."""
    start, argv, output = COMMANDS["open"]
    reference = tmp_path / "reference"
    shutil.copytree(starts[start], reference)
    before = state(reference, output)
    _cli("open", reference / "study", "-q")
    after = state(reference, output)
    rng = random.Random(SEED)
    for attempt in range(2):
        work = tmp_path / f"kill{attempt}"
        shutil.copytree(starts[start], work)
        proc = subprocess.Popen([sys.executable, "-m", "gtcode", *argv], cwd=work, env=env(),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.9, 1.8))  # start-up is ~0.8 s, then the coding
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        FIGURES["python -m gtcode kills"] += proc.returncode == -signal.SIGKILL
        check_after_kill(work, output, before, after)
        _cli("open", work / "study", "-q")
        assert state(work, output) == after


def test_report_figures(capsys):
    """At least 50 kills survived in a full run; the counts are printed for the docs."""
    with capsys.disabled():
        print("\ncrash-safety figures:", dict(sorted(FIGURES.items())))
    if FIGURES["kills"] == sum(KILLS.values()):  # every command's test ran
        assert FIGURES["kills"] + FIGURES["python -m gtcode kills"] >= 50, FIGURES


def test_the_sweep_removes_only_dead_writers_temp_files(tmp_path):
    from gtcode.files import atomic_write_text, sweep_stale_temps

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    names = [f".codings.csv.{dead}.abc123.gtcode-tmp", f".gtcode.{dead}.x1y2.db.gtcode-tmp-wal",
             f".codings.csv.{os.getpid()}.live99.gtcode-tmp", "notes.gtcode-tmp.txt", "S01.txt"]
    for name in names:
        (tmp_path / name).write_text("x", encoding="utf-8")
    removed = sweep_stale_temps(tmp_path)
    assert sorted(p.name for p in removed) == sorted(names[:2])
    atomic_write_text(tmp_path / "codings.csv", "a,b\n")  # a write sweeps too, and leaves none
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["codings.csv", *names[2:]])
