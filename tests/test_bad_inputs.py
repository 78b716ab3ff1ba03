"""The bad-input suite: every hostile or broken file is refused cleanly and changes nothing.

Each case in ``tests/bad_inputs/cases.toml`` names the command line to run, the
error code expected and the file (and, where there is one, the place) the
message must name. Its input files live in ``tests/bad_inputs/<case>/``, or are
made at test time by a generator below (binary, huge and derived files are
never committed). Every case runs against a copy of one small study that has
already been imported, coded and exported, and asserts:

- exit code 1, and stderr is one ``Error: [Exxx] ...`` line (a list of problems
  puts each problem on its own indented line, each naming its place);
- the file name and the place appear in the message; no traceback anywhere;
- every file in the working folder (the study, its exports, earlier outputs and
  the inputs themselves) is byte-for-byte unchanged (sha256 of each).

A few cases run as a real ``python -m gtcode`` process, so the absence of a
traceback is checked on a real stderr; the rest use typer's CliRunner.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
import tomllib
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from gtcode.cli import app
from gtcode.coding.sheet_io import SHEET_NAME
from hostile_xml import EXTERNAL, LAUGHS
from sheet_helpers import col, read_csv, write_csv, xlsx_sheet

HERE = Path(__file__).resolve().parent
CASES_DIR = HERE / "bad_inputs"
SAMPLE = HERE.parent / "data" / "sample"
MANIFEST = tomllib.loads((CASES_DIR / "cases.toml").read_text(encoding="utf-8"))["case"]
runner = CliRunner()

#: Lines of a problem list name their place: a row, a line, or file:line.
PLACE = re.compile(r"(row \d+|line \d+|\.yaml:(\d+)?|entry |selection |coding )")


# -- the study every case starts from ------------------------------------------------

def _cli(*args: object) -> None:
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A coded study with its earlier outputs: sheets, codings.csv, a .qdpx."""
    work = tmp_path_factory.mktemp("bad-inputs-base")
    (work / "in").mkdir()
    for name in ("S01.txt", "S02.txt", "E01.txt"):
        shutil.copy(SAMPLE / name, work / "in" / name)
    (work / "cases.csv").write_text("case,file,gender\nS01,S01.txt,男\nS02,S02.txt,男\n"
                                    "E01,E01.txt,女\n", encoding="utf-8")
    study = work / "study"
    _cli("init", study, "-q")
    _cli("import", study, work / "in", "--cases", work / "cases.csv", "-q")
    _cli("open", study, "-q")
    _cli("sheet", "export", study, "-o", work / "sheet.xlsx", "-q")
    _cli("sheet", "export", study, "-o", work / "sheet.csv", "-q")
    _cli("export", study, "--to", "csv", "-q")
    _cli("export", study, "--to", "qdpx", "-o", work / "project.qdpx", "-q")
    return work


def snapshot(folder: Path) -> dict[str, str]:
    """sha256 of every file under ``folder`` (the byte-for-byte check)."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


# -- generators: inputs made at test time -------------------------------------------------

GENERATORS: dict[str, Callable[[Path, Path], None]] = {}


def generator(name: str):
    def register(func):
        GENERATORS[name] = func
        return func
    return register


def _zip(path: Path, entries: dict[str, bytes], *, deflate: bool = True) -> None:
    """A zip with entries named exactly as given (hostile names included)."""
    buffer = io.BytesIO()
    method = zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in entries.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = method
            archive.writestr(info, data)
    path.write_bytes(buffer.getvalue())


def _rewrite_zip(src: Path, dst: Path, part: str, change: Callable[[bytes], bytes]) -> None:
    with zipfile.ZipFile(src) as old:
        entries = {info.filename: old.read(info.filename) for info in old.infolist()}
    entries = {name: change(data) if name.endswith(part) else data
               for name, data in entries.items()}
    _zip(dst, entries)


@generator("plain")
def _plain(work: Path, inp: Path) -> None:
    (inp / "plain.txt").write_text("问：你好。\n答：你好。\n", encoding="utf-8")


@generator("png")
def _png(work: Path, inp: Path) -> None:
    (inp / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(64)))


@generator("jpeg")
def _jpeg(work: Path, inp: Path) -> None:
    (inp / "scan.txt").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(200)))


@generator("pdf")
def _pdf(work: Path, inp: Path) -> None:
    (inp / "report.txt").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")


@generator("docx-as-txt")
def _docx_as_txt(work: Path, inp: Path) -> None:
    shutil.copy(SAMPLE / "S08.docx", inp / "S08.txt")


@generator("nul-binary")
def _nul_binary(work: Path, inp: Path) -> None:
    (inp / "data.txt").write_bytes(bytes(range(256)) * 8)


@generator("control-characters")
def _controls(work: Path, inp: Path) -> None:
    (inp / "dump.txt").write_bytes(bytes([1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 65, 66]) * 100)


@generator("undetectable-bytes")
def _undetectable(work: Path, inp: Path) -> None:
    (inp / "odd.txt").write_bytes(bytes(0x80 + i % 100 for i in range(300)))


@generator("truncated-docx")
def _truncated_docx(work: Path, inp: Path) -> None:
    (inp / "S08.docx").write_bytes((SAMPLE / "S08.docx").read_bytes()[:3000])


@generator("corrupt-docx")
def _corrupt_docx(work: Path, inp: Path) -> None:
    _rewrite_zip(SAMPLE / "S08.docx", inp / "S08.docx", "word/document.xml",
                 lambda data: data[: len(data) // 2])


def _turn_table(path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in (["speaker", "text"], ["问", "你好"], ["答", "我们村要跑项目"]):
        sheet.append(row)
    book.save(path)


@generator("truncated-xlsx")
def _truncated_xlsx(work: Path, inp: Path) -> None:
    _turn_table(work / "whole.xlsx")
    raw = (work / "whole.xlsx").read_bytes()
    (work / "whole.xlsx").unlink()
    (inp / "turns.xlsx").write_bytes(raw[: len(raw) // 2])


@generator("corrupt-xlsx")
def _corrupt_xlsx(work: Path, inp: Path) -> None:
    _turn_table(work / "whole.xlsx")
    _rewrite_zip(work / "whole.xlsx", inp / "turns.xlsx", "sheet1.xml",
                 lambda data: data[: len(data) // 2])
    (work / "whole.xlsx").unlink()


@generator("corrupt-cases-xlsx")
def _corrupt_cases_xlsx(work: Path, inp: Path) -> None:
    (inp / "cases.xlsx").write_bytes(b"PK\x03\x04" + b"\x00" * 60)


@generator("docx-bomb")
def _docx_bomb(work: Path, inp: Path) -> None:
    # 80 MB of spaces deflate to ~80 KB: over the 64 MB cap once unpacked
    _zip(inp / "bomb.docx", {"[Content_Types].xml": b"<Types/>",
                             "word/document.xml": b" " * (80 * 2**20)})


@generator("huge-transcript")
def _huge(work: Path, inp: Path) -> None:
    with open(inp / "huge.txt", "wb") as handle:  # sparse: no disk, no memory
        handle.truncate(200 * 2**20)


@generator("empty-folder")
def _empty_folder(work: Path, inp: Path) -> None:
    (inp / "empty").mkdir()


@generator("same-name-twice")
def _same_name(work: Path, inp: Path) -> None:
    for folder in ("a", "b"):
        (inp / folder).mkdir()
        (inp / folder / "T01.txt").write_text("问：你好。\n答：你好。\n", encoding="utf-8")


@generator("changed-source")
def _changed(work: Path, inp: Path) -> None:
    shutil.copy(work / "in" / "S01.txt", inp / "S01.txt")
    with open(inp / "S01.txt", "a", encoding="utf-8") as handle:
        handle.write("\n问：最后还有什么想说的吗？\n")


@generator("backups-not-writable")
def _backups_blocked(work: Path, inp: Path) -> None:
    _changed(work, inp)
    (work / "study" / "backups").write_text("a file where the backups folder should be\n",
                                            encoding="utf-8")


@generator("no-codebook")
def _no_codebook(work: Path, inp: Path) -> None:
    (work / "study" / "codebook.yaml").unlink()


@generator("corrupt-database")
def _corrupt_db(work: Path, inp: Path) -> None:
    (work / "study" / "gtcode.db").write_bytes(b"not a database " * 500)


@generator("newer-schema")
def _newer_schema(work: Path, inp: Path) -> None:
    conn = sqlite3.connect(work / "study" / "gtcode.db")
    with conn:
        conn.execute("INSERT INTO schema_migrations(version, name, applied_at) "
                     "VALUES (999, 'from the future', '2099-01-01T00:00:00Z')")
    conn.close()


@generator("output-under-a-file")
def _output_blocked(work: Path, inp: Path) -> None:
    (inp / "taken").write_text("a file, not a folder\n", encoding="utf-8")


# coding sheets, derived from the sheet exported from the study

def _sheet_xlsx(change: Callable[[openpyxl.Workbook], None]):
    def make(work: Path, inp: Path) -> None:
        book = openpyxl.load_workbook(work / "sheet.xlsx")
        change(book)
        book.save(inp / "reviewed.xlsx")
    return make


def _coding(book: openpyxl.Workbook):
    return book[SHEET_NAME]


def _cell(book: openpyxl.Workbook, key: str, row: int | None = None):
    """The cell of column ``key`` in the first row with a suggestion (row 9 here), or ``row``."""
    sheet = _coding(book)
    header = [c.value for c in sheet[1]]
    if row is None:
        row = next(r[0].row for r in sheet.iter_rows(min_row=2)
                   if r[col(header, "suggested")].value)
    return sheet.cell(row, col(header, key) + 1)


def _set(row_cell: Callable[[openpyxl.Workbook], object], value: str):
    return lambda book: setattr(row_cell(book), "value", value)


def _header(key: str):
    return lambda b: _coding(b).cell(1, col([c.value for c in _coding(b)[1]], key) + 1)


GENERATORS.update({
    "sheet-unknown-code": _sheet_xlsx(_set(lambda b: _cell(b, "codes"), "resource.no_such")),
    "sheet-edited-text": _sheet_xlsx(_set(lambda b: _cell(b, "text"), "改过的文本")),
    "sheet-renamed-codes-column": _sheet_xlsx(_set(_header("codes"), "my codes")),
    "sheet-renamed-segment-column": _sheet_xlsx(_set(_header("segment"), "id")),
    "sheet-missing-coding-sheet": _sheet_xlsx(lambda b: b.remove(_coding(b))),
    "sheet-formula-in-cell": _sheet_xlsx(_set(lambda b: _cell(b, "memo"),
                                              '=HYPERLINK("http://example.invalid","x")')),
    "sheet-unknown-segment": _sheet_xlsx(_set(lambda b: _cell(b, "segment"), "Z99.txt#4")),
    "sheet-edited-suggestion": _sheet_xlsx(_set(lambda b: _cell(b, "suggested"),
                                                "economic.low_pay")),
    "sheet-bad-decision": _sheet_xlsx(_set(lambda b: _cell(b, "decision"), "maybe")),
    "sheet-legacy-layout": _sheet_xlsx(lambda b: _coding(b).delete_cols(
        col([c.value for c in _coding(b)[1]], "decision") + 1)),
})


@generator("sheet-truncated-xlsx")
def _sheet_truncated(work: Path, inp: Path) -> None:
    (inp / "reviewed.xlsx").write_bytes((work / "sheet.xlsx").read_bytes()[:2000])


@generator("sheet-corrupt-sheet-xml")
def _sheet_corrupt(work: Path, inp: Path) -> None:
    _rewrite_zip(work / "sheet.xlsx", inp / "reviewed.xlsx", "sheet2.xml",
                 lambda data: data[: len(data) // 2])


@generator("sheet-csv-unknown-code")
def _sheet_csv_unknown(work: Path, inp: Path) -> None:
    with open(work / "sheet.csv", encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    coded = next(row for row in rows[1:] if row[col(rows[0], "suggested")])
    coded[col(rows[0], "codes")] = "bogus.code"
    with open(inp / "reviewed.csv", "w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)


@generator("sheet-csv-binary")
def _sheet_csv_binary(work: Path, inp: Path) -> None:
    (inp / "reviewed.csv").write_bytes(bytes(range(128, 256)) * 4)


# REFI-QDA files

GUIDS = [f"00000000-0000-4000-8000-{i:012d}" for i in range(10)]
SOURCE_TEXT = "问：你好。\n答：我们村要跑项目。\n".encode()


def _qde(start: object = 3, end: object = 5, code: str = GUIDS[1], source: bool = True) -> bytes:
    g = GUIDS
    selection = (f'<PlainTextSelection guid="{g[3]}" startPosition="{start}" '
                 f'endPosition="{end}"><Coding guid="{g[4]}"><CodeRef targetGUID="{code}"/>'
                 f'</Coding></PlainTextSelection>')
    sources = (f'<Sources><TextSource guid="{g[2]}" name="S01" plainTextPath="internal://'
               f'{g[2]}.txt">{selection}</TextSource></Sources>') if source else ""
    return (f'<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" '
            f'name="p"><CodeBook><Codes><Code guid="{g[1]}" name="跑项目" isCodable="true"/>'
            f'</Codes></CodeBook>{sources}</Project>').encode()


def _qdpx(entries: dict[str, bytes]):
    def make(work: Path, inp: Path) -> None:
        _zip(inp / "project.qdpx", entries)
    return make


_TEXT_ENTRY = {f"sources/{GUIDS[2]}.txt": SOURCE_TEXT}
GENERATORS.update({
    "refi-zip-slip": _qdpx({"project.qde": _qde(source=False), "../../evil.txt": b"x"}),
    "refi-absolute-entry": _qdpx({"project.qde": _qde(source=False), "/etc/cron.d/x": b"x"}),
    "refi-billion-laughs": _qdpx({"project.qde": LAUGHS}),
    "refi-external-entity": _qdpx({"project.qde": EXTERNAL}),
    "refi-position-beyond-text": _qdpx({"project.qde": _qde(3, 500), **_TEXT_ENTRY}),
    "refi-reversed-span": _qdpx({"project.qde": _qde(5, 3), **_TEXT_ENTRY}),
    "refi-position-not-a-number": _qdpx({"project.qde": _qde("x", 5), **_TEXT_ENTRY}),
    "refi-coding-unknown-code": _qdpx({"project.qde": _qde(code=GUIDS[9]), **_TEXT_ENTRY}),
    "refi-broken-xml": _qdpx({"project.qde": b"<Project"}),
    "refi-no-project-qde": _qdpx({"readme.txt": b"hello"}),
    "refi-into-existing-study": _qdpx({"project.qde": _qde(source=False)}),
})


@generator("refi-zip-bomb")
def _refi_bomb(work: Path, inp: Path) -> None:
    _zip(inp / "project.qdpx", {"project.qde": _qde(source=False),
                                "sources/bomb.txt": b"\0" * (32 * 2**20)})


@generator("refi-not-a-zip")
def _refi_not_zip(work: Path, inp: Path) -> None:
    (inp / "project.qdpx").write_bytes(b"hello, I am not a zip file\n")


@generator("qdc-billion-laughs")
def _qdc_laughs(work: Path, inp: Path) -> None:
    (inp / "codebook.qdc").write_bytes(LAUGHS.replace(b"Project", b"CodeBook"))


@generator("qdc-external-entity")
def _qdc_xxe(work: Path, inp: Path) -> None:
    (inp / "codebook.qdc").write_bytes(EXTERNAL.replace(b"Project", b"CodeBook"))


# -- issue 17 and 23: paths, special files, limits, encodings, hangs --------------------

TINY_BOOK = (CASES_DIR / "codebook-bad-regex" / "codebook.yaml").read_text(encoding="utf-8")


def _tiny_book(regex: str = "跑项目", name: str = "跑项目") -> str:
    return (TINY_BOOK.replace("regex: ['跑(项目']", f"regex: ['{regex}']")
            .replace("    name: 跑项目\n", f'    name: "{name}"\n'))


def _write_book(text: str, filename: str = "codebook.yaml"):
    def make(work: Path, inp: Path) -> None:
        (inp / filename).write_text(text, encoding="utf-8")
    return make


def _laughs() -> str:
    lines = ["name: laughs", 'a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    return "\n".join([*lines, "codes: *a9", ""])


def _deep_children(depth: int) -> str:
    out = ["name: deep", "codes:"]
    for i in range(depth):
        pad = "    " * i
        out += [f"{pad}  - id: c{i}", f"{pad}    name: n{i}", f"{pad}    level: concept",
                f"{pad}    children:"]
    return "\n".join(out) + "\n"


GENERATORS.update({
    "book-nested-quantifier": _write_book(_tiny_book(r"(a+)+$")),
    "book-billion-laughs": _write_book(_laughs()),
    "book-deep-sequence": _write_book("name: deep\ncodes: " + "[" * 3000 + "]" * 3000 + "\n"),
    "book-deep-children": _write_book(_deep_children(1500)),
    "book-control-in-name": _write_book(_tiny_book(name="跑\\x07项目")),
})


@generator("book-backtracking-regex")
def _backtracking(work: Path, inp: Path) -> None:
    """A regex validation lets through ((a|aa)+ overlaps), and a segment it hangs on."""
    from gtcode.importer import import_files
    from gtcode.store.project import Study

    (inp / "codebook.yaml").write_text(_tiny_book(r"(a|aa)+$"), encoding="utf-8")
    (inp / "aaa.txt").write_text("问：你好。\n答：" + "a" * 60 + "!\n", encoding="utf-8")
    study = Study.open(work / "study")
    try:
        import_files(study, [inp / "aaa.txt"])
    finally:
        study.close()


def _fifo(name: str):
    def make(work: Path, inp: Path) -> None:
        os.mkfifo(inp / name)
    return make


def _dev_zero(name: str):
    def make(work: Path, inp: Path) -> None:
        (inp / name).symlink_to("/dev/zero")
    return make


GENERATORS.update({
    "fifo-transcript": _fifo("pipe.txt"),
    "fifo-sheet": _fifo("pipe.xlsx"),
    "fifo-qdpx": _fifo("pipe.qdpx"),
    "fifo-cases": _fifo("cases.csv"),
    "zero-transcript": _dev_zero("zero.txt"),
    "zero-codebook": _dev_zero("zero.yaml"),
})


@generator("qdc-file")
def _qdc_file(work: Path, inp: Path) -> None:
    from gtcode.codebook import load_codebook
    from gtcode.codebook.export import export_codebook

    export_codebook(load_codebook("six-pressures"), inp / "codebook.qdc", "qdc")


def _filled_sheet(kind: str):
    """The study's sheet with one coder decision typed in (the first row marked 拒绝 reject)."""
    def make(work: Path, inp: Path) -> None:
        if kind == "xlsx":
            sheet = xlsx_sheet(work / "sheet.xlsx")
            header = [c.value for c in sheet[1]]
            next(sheet.iter_rows(min_row=2))[col(header, "decision")].value = "拒绝"
            sheet.parent.save(inp / "reviewed.xlsx")
            return
        rows = read_csv(work / "sheet.csv")
        rows[1][col(rows[0], "decision")] = "拒绝"
        write_csv(inp / "reviewed.csv", rows)
    return make


GENERATORS.update({"filled-sheet-xlsx": _filled_sheet("xlsx"),
                   "filled-sheet-csv": _filled_sheet("csv")})


@generator("a-folder")
def _a_folder(work: Path, inp: Path) -> None:
    (inp / "folder").mkdir()
    (inp / "folder" / "keep.txt").write_text("kept\n", encoding="utf-8")


@generator("foreign-database")
def _foreign_db(work: Path, inp: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        (work / "study" / f"gtcode.db{suffix}").unlink(missing_ok=True)
    conn = sqlite3.connect(work / "study" / "gtcode.db")
    conn.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
    conn.execute("INSERT INTO moz_places(url) VALUES ('https://example.invalid')")
    conn.commit()
    conn.close()


@generator("truncated-database")
def _truncated_db(work: Path, inp: Path) -> None:
    for suffix in ("-wal", "-shm"):
        (work / "study" / f"gtcode.db{suffix}").unlink(missing_ok=True)
    (work / "study" / "gtcode.db").write_bytes(b"")


@generator("cases-formula-no-value")
def _cases_formula(work: Path, inp: Path) -> None:
    book = openpyxl.Workbook()  # openpyxl writes formulas without a saved value
    sheet = book.active
    for row in (["case", "file", "age"], ["S01", "S01.txt", 40], ["S02", "S02.txt", "=B2*2"]):
        sheet.append(row)
    book.save(inp / "cases.xlsx")


def _two_codes_one_guid() -> bytes:
    g = GUIDS
    return (f'<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" '
            f'name="p"><CodeBook><Codes><Code guid="{g[1]}" name="跑项目" isCodable="true"/>'
            f'<Code guid="{g[1].upper()}" name="要钱" isCodable="true"/></Codes></CodeBook>'
            f'<Sources><TextSource guid="{g[2]}" name="S01" plainTextPath="internal://{g[2]}.txt">'
            f'<PlainTextSelection guid="{g[3]}" startPosition="3" endPosition="5">'
            f'<Coding guid="{g[4]}"><CodeRef targetGUID="{g[1]}"/></Coding>'
            f'</PlainTextSelection></TextSource></Sources></Project>').encode()


GENERATORS["refi-two-codes-one-guid"] = _qdpx({"project.qde": _two_codes_one_guid(),
                                               **_TEXT_ENTRY})


# -- running a case ---------------------------------------------------------------------

def prepare(case: dict, base: Path, tmp_path: Path) -> tuple[Path, list[str]]:
    """Copy the base study, lay out the case's inputs; return the folder and argv."""
    work = tmp_path / "work"
    shutil.copytree(base, work)
    inp = work / "input"
    inp.mkdir()
    folder = CASES_DIR / case["name"]
    if folder.is_dir():
        for path in folder.iterdir():
            shutil.copy(path, inp / path.name)
    if "make" in case:
        GENERATORS[case["make"]](work, inp)
    if "install" in case:
        shutil.copy(inp / case["install"], work / "study" / "codebook.yaml")
    argv = [arg.format(study=work / "study", work=work, input=inp) for arg in case["argv"]]
    return work, argv


def run_real(argv: list[str]) -> tuple[int, str, str]:
    """``python -m gtcode ...`` in a real process (stderr is the real one)."""
    src = str(HERE.parent / "src")
    env = {**os.environ, "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.run([sys.executable, "-m", "gtcode", *argv], capture_output=True,
                          text=True, env=env, timeout=120, stdin=subprocess.DEVNULL)
    return proc.returncode, proc.stdout, proc.stderr


def run_runner(argv: list[str]) -> tuple[int, str, str]:
    result = runner.invoke(app, argv)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError("the command crashed instead of refusing") from result.exception
    return result.exit_code, result.stdout, result.stderr


def check_message(case: dict, stderr: str) -> None:
    lines = stderr.rstrip("\n").split("\n")
    head = f"Error: [{case['code']}] "
    assert lines[0].startswith(head), stderr
    assert not [line for line in lines if line.startswith("Error:")][1:], stderr
    for extra in lines[1:]:  # a problem list: one problem a line, each naming its place
        assert extra.startswith("  ") and PLACE.search(extra), stderr
    assert case["file"] in stderr, f"the message does not name {case['file']}: {stderr}"
    assert case.get("place", "") in stderr, f"the message does not name the place: {stderr}"




def test_the_manifest_is_sound():
    names = [case["name"] for case in MANIFEST]
    assert len(names) == len(set(names)) and len(names) >= 40
    for case in MANIFEST:
        assert re.fullmatch(r"E\d{3}|usage", case["code"]) and case["proves"], case["name"]
        assert (CASES_DIR / case["name"]).is_dir() or case.get("make") in GENERATORS, case
    folders = {p.name for p in CASES_DIR.iterdir() if p.is_dir()}
    assert folders <= set(names), folders - set(names)


#: Each case runs under pytest-timeout: a hang fails the case instead of the suite.
CASES = [pytest.param(case, id=case["name"],
                      marks=pytest.mark.timeout(2 * case.get("seconds", 30) + 30))
         for case in MANIFEST]


@pytest.mark.parametrize("case", CASES)
def test_bad_input_is_refused_and_changes_nothing(case, base, tmp_path):
    work, argv = prepare(case, base, tmp_path)
    before = snapshot(work)
    started = time.perf_counter()
    code, stdout, stderr = (run_real if case.get("real_cli") else run_runner)(argv)
    elapsed = time.perf_counter() - started
    usage = case["code"] == "usage"
    assert code == (2 if usage else 1), f"exit {code}\nstdout: {stdout}\nstderr: {stderr}"
    assert "Traceback" not in stderr + stdout
    if usage:
        assert "Invalid value" in stderr and case["file"] in stderr, stderr
    else:
        check_message(case, stderr)
    assert snapshot(work) == before, "the study, its outputs or the inputs changed"
    assert elapsed < case.get("seconds", 30)


def test_a_200_mb_transcript_is_refused_without_reading_it(base, tmp_path):
    """E110 comes from the file size alone: no 200 MB buffer is ever allocated."""
    case = next(c for c in MANIFEST if c.get("make") == "huge-transcript")
    work, argv = prepare(case, base, tmp_path)
    tracemalloc.start()
    try:
        code, _out, stderr = run_runner(argv)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert code == 1 and "[E110]" in stderr and "--max-mb" in stderr
    assert peak < 20 * 2**20, f"peak {peak / 2**20:.0f} MB"


def test_the_size_limit_can_be_raised(base, tmp_path):
    """--max-mb raises the cap: the same file then gets past the size check."""
    case = next(c for c in MANIFEST if c.get("make") == "huge-transcript")
    work, argv = prepare(case, base, tmp_path)
    code, _out, stderr = run_runner([*argv, "--max-mb", "1"])
    assert code == 1 and "[E110]" in stderr
    (work / "input" / "huge.txt").unlink()
    (work / "input" / "huge.txt").write_text("问：你好。\n答：" + "好" * 400_000 + "\n",
                                             encoding="utf-8")
    code, _out, stderr = run_runner([*argv, "--max-mb", "1"])
    assert code == 1 and "[E110]" in stderr
    code, _out, stderr = run_runner([*argv, "--max-mb", "2"])
    assert code == 0, stderr


def test_the_snapshot_sees_a_change(base, tmp_path):
    """Control: a good input through the same harness does change the study."""
    case = {"name": "control", "argv": ["import", "{study}", "{input}/plain.txt"],
            "make": "plain"}
    work, argv = prepare(case, base, tmp_path)
    before = snapshot(work)
    code, _out, stderr = run_runner(argv)
    assert code == 0, stderr
    assert snapshot(work)["study/gtcode.db"] != before["study/gtcode.db"]


def test_a_full_disk_is_a_clear_error_and_changes_nothing(base, tmp_path):
    """SQLite rolls back by itself when the disk fills up; gtcode says so (E701), no crash."""
    from gtcode.errors import GtcodeError
    from gtcode.importer import import_files
    from gtcode.store.project import Study

    work, _argv = prepare({"name": "full-disk", "argv": [], "make": "plain"}, base, tmp_path)
    shutil.copy(SAMPLE / "S03.txt", work / "input" / "S03.txt")
    before = snapshot(work / "study")
    study = Study.open(work / "study")
    try:
        pages = study.conn.execute("PRAGMA page_count").fetchone()[0]
        study.conn.execute(f"PRAGMA max_page_count = {pages}")  # not one page more
        with pytest.raises(GtcodeError) as error:
            import_files(study, [work / "input" / "S03.txt"])
    finally:
        study.close()
    assert error.value.code == "E701" and "gtcode.db" in error.value.render()
    assert snapshot(work / "study") == before
