"""Nothing lost, nothing hung (issues 17 and 23): what the bad-input suite cannot show.

The bad-input suite (tests/test_bad_inputs.py) checks every refusal. These tests
check the other side of the same guarantees: input that must now *work* (cells of
any size, GBK option files, a GBK project.qde, hidden format characters, 1e309),
errors that must say what is true (read-only, no space left) and leave nothing
behind, ``--force`` saying what it overwrote, and two ``init`` runs racing for one
folder in real processes.
"""

from __future__ import annotations

import csv
import errno
import hashlib
import io
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from gtcode import files
from gtcode.cli import app
from sheet_helpers import col, read_csv, write_csv, xlsx_sheet

HERE = Path(__file__).resolve().parent
SAMPLE = HERE.parent / "data" / "sample"
runner = CliRunner()


def cli(*args: object, code: int = 0):
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result


def snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def coded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("nothing-lost")
    study = work / "study"
    cli("init", study, "-q")
    cli("import", study, SAMPLE / "S01.txt", SAMPLE / "S02.txt", "-q")
    cli("open", study, "-q")
    return study


@pytest.fixture
def study(coded: Path, tmp_path: Path) -> Path:
    shutil.copytree(coded, tmp_path / "study")
    return tmp_path / "study"


# -- cells of any size a real transcript has -------------------------------------------

BIG = "好" * 200_000  # 600 KB in UTF-8: over Python's 128 KiB csv field limit


def test_a_turn_table_cell_over_128_kib_imports(study: Path, tmp_path: Path):
    table = tmp_path / "turns.csv"
    with open(table, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([["speaker", "text"], ["问", "你好"], ["答", BIG]])
    result = cli("import", study, table)
    assert "1 new" in result.stderr


def test_a_gold_label_and_a_reliability_table_with_a_huge_cell_read(study: Path,
                                                                    tmp_path: Path):
    gold = tmp_path / "gold.csv"
    gold.write_text(f"file,line,codes,note\nS01.txt,11,resource,\"{BIG}\"\n", encoding="utf-8")
    assert cli("evaluate", study, gold, "--json").exit_code == 0
    table = tmp_path / "reliability.csv"
    table.write_text(f"unit,ann,ben\n\"{BIG}\",1,1\nu2,0,0\nu3,1,0\n", encoding="utf-8")
    assert "Krippendorff" in cli("agree", table).stdout


def test_a_sheet_with_a_huge_memo_applies(study: Path, tmp_path: Path):
    sheet = tmp_path / "sheet.csv"
    cli("sheet", "export", study, "-o", sheet, "-q")
    rows = read_csv(sheet)
    rows[1][col(rows[0], "memo")] = BIG
    write_csv(sheet, rows)
    assert "1 memos" in cli("sheet", "apply", study, sheet, "--coder", "li").stderr


# -- option files in the transcripts' encodings ------------------------------------------

def test_memo_file_in_gbk(study: Path, tmp_path: Path):
    memo = tmp_path / "memo.txt"
    memo.write_bytes("村干部说跑项目要靠关系，这一点在很多访谈里都反复出现。".encode("gbk"))
    cli("memo", "add", study, "--on", "code:resource", "--file", memo, "-q")
    assert "跑项目要靠关系" in cli("memo", "show", study, "1").stdout


def test_storyline_from_a_gbk_file(study: Path, tmp_path: Path):
    text = tmp_path / "story.txt"
    text.write_bytes("资源压力推动基层干部寻求非正式的关系网络，这是故事线的核心。".encode("gbk"))
    cli("selective", study, "--edit", "storyline", "--from-file", text, "--permutations",
        "10", "-q")
    assert "非正式的关系网络" in cli("selective", study, "--permutations", "10").stdout


def test_a_project_qde_declared_and_encoded_gbk_imports(tmp_path: Path):
    guid = "00000000-0000-4000-8000-00000000000{}"
    text = "问：你好。\n答：我们村要跑项目。\n"
    qde = (f'<?xml version="1.0" encoding="GBK"?><Project xmlns="urn:QDA-XML:project:1.0" '
           f'name="访谈项目"><CodeBook><Codes><Code guid="{guid.format(1)}" name="跑项目" '
           f'isCodable="true"/></Codes></CodeBook><Sources><TextSource guid="{guid.format(2)}" '
           f'name="访谈一" plainTextPath="internal://{guid.format(2)}.txt">'
           f'<PlainTextSelection guid="{guid.format(3)}" startPosition="11" endPosition="14">'
           f'<Coding guid="{guid.format(4)}"><CodeRef targetGUID="{guid.format(1)}"/></Coding>'
           f'</PlainTextSelection></TextSource></Sources></Project>').encode("gbk")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("project.qde", qde)
        archive.writestr(f"sources/{guid.format(2)}.txt", text.encode())
    (tmp_path / "p.qdpx").write_bytes(buffer.getvalue())
    result = cli("init", tmp_path / "s", "--from", tmp_path / "p.qdpx")
    assert "1 sources, 1 codes" in result.stderr


# -- hidden format characters; one segment where many were meant ---------------------------

def test_format_characters_do_not_hide_speaker_labels(study: Path, tmp_path: Path):
    turns = [("\u200b问：", "你们村的项目是怎么来的？"), ("\u200f答：", "要跑，\u200b要找关系。"),
             ("\u200e问\u200f：", "那钱呢？"), ("\ufeff答\u202c：", "钱不够。\u200b")]
    (tmp_path / "web.txt").write_text("\n".join(a + b for a, b in turns) + "\n",
                                      encoding="utf-8")
    cli("import", study, tmp_path / "web.txt", "-q")
    segments = cli("export", study, "--to", "segments", "-o", tmp_path / "seg.csv", "-q")
    assert segments.exit_code == 0
    with open(tmp_path / "seg.csv", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["source"] == "web.txt"]
    assert [(r["speaker"], r["role"]) for r in rows] == [
        ("问", "interviewer"), ("答", "respondent"), ("问", "interviewer"), ("答", "respondent")]
    from gtcode.workspace import open_study

    with open_study(study) as opened:  # offsets point into the stored text exactly
        source = next(s for s in opened.sources() if s.name == "web.txt")
        spans = [(s.start, s.end) for s in opened.segments() if s.source == "web.txt"]
    assert [source.text[a:b] for a, b in spans] == [
        "你们村的项目是怎么来的？", "要跑，\u200b要找关系。", "那钱呢？", "钱不够。"]


def test_import_warns_when_many_lines_become_one_segment(study: Path, tmp_path: Path):
    lines = ["问：请讲讲你们村的情况。"] + [f"这是第{i}段话，没有说话人标记。" for i in range(30)]
    (tmp_path / "flat.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = cli("import", study, tmp_path / "flat.txt")
    assert "Warning:" in result.stderr and "became one segment" in result.stderr


# -- 1e309 in a case sheet -----------------------------------------------------------------

def test_1e309_in_a_case_sheet_is_kept_as_text(study: Path, tmp_path: Path):
    cases = tmp_path / "cases.csv"
    cases.write_text("case,score,code\nS01,3.5,1e309\nS02,1e309,inf\n", encoding="utf-8")
    cli("import", study, "--cases", cases, "-q")
    out = tmp_path / "classification.xlsx"
    cli("export", study, "--to", "classification", "-o", out, "-q")
    sheet = openpyxl.load_workbook(out).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert ["S01", "3.5", "1e309"] in [[str(v) for v in row] for row in values]
    assert ["S02", "1e309", "inf"] in [[str(v) for v in row] for row in values]


# -- errors that say what is true, and leave nothing behind ------------------------------

def _enospc(*_args, **_kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def test_a_full_disk_says_no_space_left_and_leaves_no_file(study: Path, tmp_path: Path,
                                                           monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    (out / "codings.csv").write_text("an earlier export\n", encoding="utf-8")
    before = snapshot(tmp_path)
    monkeypatch.setattr(files, "_write_all", _enospc)
    result = cli("export", study, "--to", "csv", "-o", out / "codings.csv", code=1)
    assert "[E701]" in result.stderr and "no space left" in result.stderr
    assert snapshot(tmp_path) == before  # no temp file, the earlier export untouched


def test_a_full_disk_during_an_xlsx_export_leaves_no_file(study: Path, tmp_path: Path,
                                                         monkeypatch):
    import xlsxwriter

    monkeypatch.setattr(xlsxwriter.Workbook, "close", _enospc)
    before = snapshot(tmp_path)
    result = cli("export", study, "--to", "xlsx", "-o", tmp_path / "g.xlsx", code=1)
    assert "[E701]" in result.stderr and "no space left" in result.stderr
    assert snapshot(tmp_path) == before


def test_init_on_a_full_disk_leaves_no_half_made_folder(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(files, "_write_all", _enospc)
    result = cli("init", tmp_path / "new" / "study", code=1)
    assert "[E701]" in result.stderr and "no space left" in result.stderr
    assert not (tmp_path / "new" / "study").exists()


def test_init_in_an_existing_folder_on_a_full_disk_removes_only_what_it_made(tmp_path: Path,
                                                                           monkeypatch):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("the researcher's own file\n", encoding="utf-8")
    monkeypatch.setattr(files, "_write_all", _enospc)
    cli("init", folder, code=1)
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]


def _read_only(path: Path):
    """Make ``path`` read-only even for root (the immutable flag), or skip."""
    if os.geteuid() != 0:
        path.chmod(0o555)
        return lambda: path.chmod(0o755)
    if shutil.which("chattr") is None or subprocess.run(
            ["chattr", "+i", str(path)], capture_output=True).returncode != 0:
        pytest.skip("cannot make a folder read-only for root here (no chattr +i)")
    return lambda: subprocess.run(["chattr", "-i", str(path)], check=True)


def test_a_read_only_study_is_reported_as_read_only(study: Path, tmp_path: Path):
    for name in ("gtcode.db-wal", "gtcode.db-shm"):
        (study / name).unlink(missing_ok=True)
    db = study / "gtcode.db"
    undo = [_read_only(db), _read_only(study)]
    try:
        before = snapshot(study)
        result = cli("import", study, SAMPLE / "S03.txt", code=1)
        assert "[E701]" in result.stderr and "read-only" in result.stderr
        assert "[E307]" not in result.stderr and "restore" not in result.stderr
        assert snapshot(study) == before
    finally:
        for restore in reversed(undo):
            restore()


def test_an_export_into_a_read_only_folder_says_read_only(study: Path, tmp_path: Path):
    folder = tmp_path / "locked"
    folder.mkdir()
    undo = _read_only(folder)
    try:
        result = cli("export", study, "--to", "csv", "-o", folder / "c.csv", code=1)
    finally:
        undo()
    assert "[E701]" in result.stderr and ("read-only" in result.stderr)


# -- --force says what it overwrote; an applied sheet needs no --force ----------------------

def _fill(sheet: Path) -> None:
    """A coder's decision typed in: the first row rejected."""
    page = xlsx_sheet(sheet)
    header = [c.value for c in page[1]]
    next(page.iter_rows(min_row=2))[col(header, "decision")].value = "拒绝"
    page.parent.save(sheet)


def test_force_overwrites_a_filled_sheet_and_says_what_was_lost(study: Path, tmp_path: Path):
    sheet = tmp_path / "ann.xlsx"
    cli("sheet", "export", study, "-o", sheet, "-q")
    cli("sheet", "export", study, "-o", sheet, "-q")  # untouched: overwritten without a word
    _fill(sheet)
    refused = cli("sheet", "export", study, "-o", sheet, code=1)
    assert "[E702]" in refused.stderr and "--force" in refused.stderr
    forced = cli("sheet", "export", study, "-o", sheet, "--force", "-q")
    assert "overwritten" in forced.stderr and "never applied" in forced.stderr


def test_an_applied_sheet_may_be_overwritten(study: Path, tmp_path: Path):
    sheet = tmp_path / "ann.xlsx"
    cli("sheet", "export", study, "-o", sheet, "-q")
    _fill(sheet)
    cli("sheet", "apply", study, sheet, "--coder", "ann", "-q")
    cli("sheet", "export", study, "-o", sheet, "-q")


# -- one command, one transaction ------------------------------------------------------------

def test_open_registers_a_new_codebook_only_with_its_coding(study: Path, monkeypatch):
    """A failing open leaves the old codebook registered (no half-step)."""
    from gtcode.coding import open_coding
    from gtcode.workspace import open_study

    text = (study / "codebook.yaml").read_text(encoding="utf-8")
    (study / "codebook.yaml").write_text(text.replace('version: "1.3"', 'version: "1.3-local"',
                                                      1), encoding="utf-8")
    with open_study(study) as opened:
        old = opened.meta("codebook_hash")

    def broken(*_args, **_kwargs):
        raise OSError(errno.EIO, "disk went away")

    monkeypatch.setattr(open_coding.db, "insert_rule_codings", broken)
    result = runner.invoke(app, ["open", str(study)])
    assert isinstance(result.exception, OSError), result.output
    with open_study(study) as opened:
        assert opened.meta("codebook_hash") == old
    monkeypatch.undo()
    cli("open", study, "-q")  # and once coding succeeds, the new codebook is registered
    with open_study(study) as opened:
        assert opened.meta("codebook_hash") != old


# -- two inits of one new folder, in real processes ---------------------------------------

def test_two_inits_of_one_folder_one_wins_the_other_is_told(tmp_path: Path):
    src = str(HERE.parent / "src")
    env = {**os.environ, "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", "")}
    outcomes = []
    for attempt in range(6):
        target = tmp_path / f"race{attempt}"
        procs = [subprocess.Popen([sys.executable, "-m", "gtcode", "init", str(target)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  env=env, stdin=subprocess.DEVNULL) for _ in range(2)]
        results = [(p.wait(timeout=120), p.stderr.read()) for p in procs]
        codes = sorted(code for code, _ in results)
        assert codes == [0, 1], results
        loser = next(err for code, err in results if code == 1)
        assert "[E302]" in loser and ("taken" in loser or "already exists" in loser), loser
        assert "Traceback" not in loser
        assert (target / "gtcode.db").is_file() and (target / "codebook.yaml").is_file()
        assert not (target / ".gtcode-init.lock").exists()
        outcomes.append("taken" if "taken" in loser else "exists")
    print("init races:", {o: outcomes.count(o) for o in set(outcomes)})
