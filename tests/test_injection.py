"""Spreadsheet injection: text that looks like a formula is written as text, everywhere.

Transcript turns (and a case attribute, a memo, a code name) begin with ``=``,
``+``, ``-``, ``@`` or a tab. Every xlsx and csv gtcode writes is then opened:
no xlsx cell may be a formula (openpyxl ``data_type`` ``'f'``) and formula-like
text must sit in string cells. csv files are data: by default their text is
verbatim (the passage exactly as in the source); written with ``--excel-safe``
(and the review sheet, which is made to be opened in a spreadsheet) no csv
cell may begin with a formula character unless it is a plain number, because
such text gets a leading apostrophe (OWASP "CSV injection", see ``gtcode.files``).
"""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from gtcode.cli import app
from gtcode.files import FORMULA_PREFIXES, is_formula_like
from sheet_helpers import mark_csv, suggested_segments

runner = CliRunner()

#: Turns whose text begins with each dangerous character (the tab one included).
TURNS = {
    "T01.txt": ["问：=1+1 你觉得这个怎么算",
                '答：=HYPERLINK("http://evil.invalid","点我") 为了跑项目要钱，送礼',
                "问：+86 的号码是谁的",
                "答：-2+3 面子上过不去，人情往来，跑项目",
                "问：@SUM(A1:A2) 领导说的",
                "答：\t=1+2 制表符开头，跑项目，送礼"],
    "T02.txt": ["问：你好",
                "答：=cmd|' /C calc'!A0 人情世故，跑项目，面子",
                "问：后来呢？",
                "答：@everyone 大家都这样，潜规则，跑项目"],
}
CASES = "case,file,note\nT01,T01.txt,=cmd|calc\nT02,T02.txt,@risky\n"
#: Markers that must reach the outputs, so the checks below look at real payloads.
PAYLOADS = ("=HYPERLINK(", "=cmd|", "@SUM(A1", "+86 ", "-2+3 ")


def gtcode(*args: object) -> None:
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output


def _coder_sheet(src: Path, dst: Path, extra: str | None) -> None:
    """A coder's copy of the csv sheet: suggestions accepted, on one row a code instead."""
    segments = suggested_segments(src)
    marks = {seg: ("接受 accept", None) for seg in segments}
    if extra:
        marks[segments[0]] = (None, extra)
    mark_csv(src, dst, marks)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Run every writer of xlsx and csv files on the hostile study; return the files."""
    work = tmp_path_factory.mktemp("injection")
    for name, lines in TURNS.items():
        (work / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    (work / "cases.csv").write_text(CASES, encoding="utf-8")
    out = work / "out"
    gtcode("run", work / "T01.txt", work / "T02.txt", "--cases", work / "cases.csv",
           "--out", out, "-q")
    study = out / "study"
    gtcode("memo", "add", study, "--on", "case:T01", "--text", "\t=1+2 memo with a tab",
           "--title", "=title", "--author", "li", "-q")
    gtcode("memo", "add", study, "--on", "code:resource", "--text", "-1 dangerous minus",
           "--author", "li", "-q")
    gtcode("sheet", "export", study, "-o", work / "sheet.csv", "-q")
    for coder, extra in (("li", None), ("wang", "social_favour.face")):
        _coder_sheet(work / "sheet.csv", work / f"{coder}.csv", extra)
        gtcode("sheet", "apply", study, work / f"{coder}.csv", "--coder", coder, "-q")
    written = [work / "sheet.csv"]

    def export(to: str, name: str, *extra: object) -> None:
        gtcode("export", study, "--to", to, "-o", work / name, *extra, "-q")
        written.append(work / name)

    export("csv", "codings.csv", "--excel-safe")
    export("csv", "codings-verbatim.csv")
    export("xlsx", "gtcode.xlsx")
    export("classification", "classification.xlsx")
    export("classification", "classification.csv", "--excel-safe")
    export("matrix", "matrix.xlsx")
    export("matrix", "matrix-by-note.csv", "--rows", "note", "--excel-safe")
    gtcode("memo", "export", study, "-o", work / "memos.csv", "--excel-safe", "-q")
    safe = work / "safe"
    gtcode("run", work / "T01.txt", work / "T02.txt", "--out", safe, "--excel-safe", "-q")
    written += [safe / "codings.csv", safe / "segments.csv"]
    gtcode("agree", study, "--coders", "li,wang", "--disagreements",
           work / "disagreements.xlsx", "-q")
    gtcode("sheet", "export", study, "-o", work / "sheet-li.xlsx", "--coder", "li", "-q")
    written += [work / "memos.csv", work / "disagreements.xlsx", work / "sheet-li.xlsx"]
    written += [out / name for name in ("codings.csv", "segments.csv", "sheet.xlsx",
                                        "gtcode.xlsx", "classification.xlsx")]
    return written


def xlsx_cells(path: Path):
    book = openpyxl.load_workbook(path)  # not read-only: data_type is the stored type
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is not None:
                    yield sheet.title, cell


def csv_cells(path: Path):
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for number, row in enumerate(csv.reader(handle), start=1):
            for value in row:
                yield number, value


def test_every_writer_was_run(outputs):
    assert all(path.is_file() for path in outputs), [p for p in outputs if not p.is_file()]
    assert {p.suffix for p in outputs} == {".csv", ".xlsx"}
    assert len(outputs) >= 15


@pytest.mark.parametrize("name", ["gtcode.xlsx", "classification.xlsx",
                                  "matrix.xlsx", "disagreements.xlsx", "sheet-li.xlsx",
                                  "out-sheet.xlsx", "out-gtcode.xlsx",
                                  "out-classification.xlsx"])
def test_xlsx_holds_no_formula(outputs, name):
    path = _find(outputs, name)
    risky = []
    for title, cell in xlsx_cells(path):
        assert cell.data_type != "f", f"{path.name} {title}!{cell.coordinate} is a formula"
        if is_formula_like(cell.value):
            assert cell.data_type == "s", f"{title}!{cell.coordinate}"
            risky.append(cell.value)
    if name in ("gtcode.xlsx", "sheet.xlsx", "sheet-li.xlsx", "classification.xlsx",
                "disagreements.xlsx", "out-sheet.xlsx", "out-classification.xlsx"):
        assert risky, f"{name}: no formula-like text reached it; the check proves nothing"


@pytest.mark.parametrize("name", ["sheet.csv", "codings.csv", "classification.csv",
                                  "matrix-by-note.csv", "memos.csv", "safe-codings.csv",
                                  "safe-segments.csv"])
def test_excel_safe_csv_guards_formula_like_text(outputs, name):
    path = _find(outputs, name)
    guarded = []
    for number, value in csv_cells(path):
        assert not is_formula_like(value), f"{path.name} row {number}: {value[:20]!r}"
        if value.startswith("'") and value[1:].startswith(FORMULA_PREFIXES):
            guarded.append(value)
    if name not in ("matrix-by-note.csv",):
        assert guarded, f"{name}: no guarded text; the check proves nothing"


def test_the_payloads_reach_the_outputs_as_text(outputs):
    """The guard keeps the researcher's text: only a leading apostrophe is added to csv."""
    text = " ".join(str(cell.value) for cell in
                    (c for _t, c in xlsx_cells(_find(outputs, "out-gtcode.xlsx"))))
    text += " ".join(v for _n, v in csv_cells(_find(outputs, "out-segments.csv")))
    for payload in PAYLOADS:
        assert payload in text, payload
    safe = [v for _n, v in csv_cells(_find(outputs, "safe-segments.csv"))]
    assert "'=1+1 你觉得这个怎么算" in safe


@pytest.mark.parametrize("name", ["out-codings.csv", "out-segments.csv",
                                  "codings-verbatim.csv"])
def test_csv_is_verbatim_by_default(outputs, name):
    """Without --excel-safe a csv cell holds the source's text exactly: pandas and R read
    the passages as they were said."""
    values = [v for _n, v in csv_cells(_find(outputs, name))]
    risky = [v for v in values if is_formula_like(v)]
    assert risky, f"{name}: no formula-like text reached it; the check proves nothing"
    assert not [v for v in values if v.startswith("'") and is_formula_like(v[1:])]
    assert any(v.startswith('=HYPERLINK("http://evil.invalid","点我")') for v in values)


def test_codings_csv_keeps_its_columns(outputs):
    with open(_find(outputs, "out-codings.csv"), encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle))
    assert header == ["source", "case", "segment", "start", "end", "speaker", "role", "code",
                      "category", "origin", "coder", "text"]


def test_a_number_stays_a_number():
    assert not is_formula_like("-3.5") and not is_formula_like("+12")
    assert is_formula_like("-2+3") and is_formula_like("\t=1") and is_formula_like("@x")


def _find(outputs: list[Path], name: str) -> Path:
    """``out-x``/``safe-x``: the file ``gtcode run`` (with ``--excel-safe``) wrote to
    OUT/x; other names are exports."""
    for prefix in ("out-", "safe-"):
        if name.startswith(prefix):
            return next(p for p in outputs if p.parent.name == prefix[:-1]
                        and p.name == name[len(prefix):])
    return next(p for p in outputs if p.parent.name not in ("out", "safe") and p.name == name)
