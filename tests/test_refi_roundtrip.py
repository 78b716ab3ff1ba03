"""The round trip keeps the study (issue 16).

The demo study (data/sample, the built-in six-pressures codebook with its 31
YAML aliases) gets two coders' sheets (rejections, added codes, a proposed
concept, a row memo), a storyline edit and chosen quotes. Exported to
REFI-QDA, imported as a new study and exported again, it must give the same
``codings.csv``, the same codebook (ids, names, levels, rules, paradigm roles
and its hash), the same ``gtcode agree`` and ``gtcode evaluate`` figures, and
the same rejections, proposals, storyline and quotes; a second round trip
gives a byte-identical project.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gtcode.cli import app
from gtcode.codebook import load_codebook
from gtcode.store import analysis as adb
from gtcode.store.project import Study
from sheet_helpers import col, read_csv, write_csv

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "sample"
runner = CliRunner()

pytestmark = pytest.mark.slow


def gtcode(*args: object) -> str:
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.stdout


def _coder_sheet(src: Path, dst: Path, take: slice, *, drop: bool, add: str | None,
                 propose: str | None) -> None:
    """A coder's decisions: some rows accepted, one suggestion left out, a code added."""
    rows = read_csv(src)
    header = rows[0]
    dec, codes, sug = (col(header, k) for k in ("decision", "codes", "suggested"))
    kept = [header] + rows[1:][take]
    suggested = [r for r in kept[1:] if r[sug]]
    for row in suggested:
        row[dec] = "接受"
    if drop:
        first = suggested[0][sug].splitlines()[0].split()[0]
        suggested[0][codes] = f"-{first}"  # the first suggestion rejected
    if add:
        plain = next(r for r in kept[1:] if not r[sug])
        plain[codes] = add
    if propose:
        kept[2][col(header, "new_concept")] = propose
        kept[2][col(header, "memo")] = "值得追问"
    write_csv(dst, kept)


def _figures(study: Path) -> dict[str, str]:
    """What the researcher reports: codings.csv, agreement and evaluation output."""
    out = study.parent / f"{study.name}-codings.csv"
    gtcode("export", study, "--to", "csv", "-o", out, "-q")
    return {
        "codings.csv": out.read_text(encoding="utf-8"),
        "agree ann,ben": gtcode("agree", study, "--coders", "ann,ben"),
        "agree ann,rules": gtcode("agree", study, "--coders", "ann,gtcode-rules",
                                  "--level", "category"),
        "agree character": gtcode("agree", study, "--coders", "ann,ben", "--unit", "character"),
        "evaluate": gtcode("evaluate", study, SAMPLE / "labels.csv"),
    }


def _records(study: Path) -> dict[str, object]:
    with Study.open(study) as opened:
        conn = opened.conn
        rejected = sorted(tuple(r) for r in conn.execute(
            "SELECT s.name, k.start, k.end, k.code_id, k.coder FROM codings k "
            "JOIN sources s ON s.id = k.source_id WHERE k.status = 'rejected'"))
        proposed = sorted(tuple(r) for r in conn.execute(
            "SELECT c.phrase, c.kind, c.proposed_by, s.name, g.idx FROM candidates c "
            "JOIN segments g ON g.id = c.segment_id JOIN sources s ON s.id = g.source_id"))
        story = {k: (r.text, r.edited, r.author) for k, r in adb.storyline_rows(conn).items()}
        decisions = [tuple(r) for r in conn.execute(
            "SELECT d.coder, d.action, s.name, g.idx, d.code_id, d.via FROM decisions d "
            "LEFT JOIN segments g ON g.id = d.segment_id "
            "LEFT JOIN sources s ON s.id = g.source_id ORDER BY d.id")]
        kinds = {name: kind for name, kind in conn.execute("SELECT name, kind FROM coders")}
        return {"rejected": rejected, "proposed": proposed, "storyline": story,
                "decisions": decisions, "coder kinds": kinds,
                "hash": opened.meta("codebook_hash")}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    work = tmp_path_factory.mktemp("roundtrip")
    out = work / "out"
    gtcode("run", SAMPLE, "--cases", SAMPLE / "cases.csv", "--out", out, "-q")
    study = out / "study"
    gtcode("sheet", "export", study, "-o", work / "sheet.csv", "-q")
    _coder_sheet(work / "sheet.csv", work / "ann.csv", slice(0, 60), drop=True,
                 add="resource.project_chasing", propose="面子工程")
    _coder_sheet(work / "sheet.csv", work / "ben.csv", slice(20, 80), drop=False,
                 add="resource.funding_shortage", propose=None)
    gtcode("sheet", "apply", study, work / "ann.csv", "--coder", "ann", "-q")
    gtcode("sheet", "apply", study, work / "ben.csv", "--coder", "ben", "-q")
    gtcode("selective", study, "--edit", "storyline", "--text", "研究者自己写的故事线。",
           "--author", "ann", "--permutations", "20", "-q")
    with Study.open(study) as opened:
        ref = opened.conn.execute(
            "SELECT s.name || '#' || g.idx FROM counted_codings k JOIN segments g "
            "ON g.id = k.segment_id JOIN sources s ON s.id = g.source_id "
            "WHERE g.role = 'respondent' AND k.code_id LIKE 'resource%' "
            "ORDER BY g.id LIMIT 1 OFFSET 1").fetchone()[0]
    gtcode("selective", study, "--quote", f"resource={ref}", "--author", "ann",
           "--permutations", "20", "-q")
    gtcode("export", study, "--to", "qdpx", "-o", work / "first.qdpx", "-q")
    gtcode("init", work / "back", "--from", work / "first.qdpx", "-q")
    gtcode("export", work / "back", "--to", "qdpx", "-o", work / "second.qdpx", "-q")
    gtcode("init", work / "again", "--from", work / "second.qdpx", "-q")
    gtcode("export", work / "again", "--to", "qdpx", "-o", work / "third.qdpx", "-q")
    return work, study, ref


def test_the_figures_survive_the_round_trip(demo):
    work, study, _ref = demo
    before = _figures(study)
    assert "ann" in before["agree ann,ben"] and before["evaluate"].strip()
    for copy in ("back", "again"):
        after = _figures(work / copy)
        for key, value in before.items():
            assert after[key].replace(str(work / copy), "STUDY") == value.replace(
                str(study), "STUDY"), (copy, key)


def test_the_codebook_survives_with_its_aliases(demo):
    work, study, _ref = demo
    original = (study / "codebook.yaml").read_text(encoding="utf-8")
    assert original.count("*") >= 31  # the built-in codebook uses YAML aliases
    assert (work / "back" / "codebook.yaml").read_text(encoding="utf-8") == original
    a, b = load_codebook(study / "codebook.yaml"), load_codebook(work / "back" / "codebook.yaml")
    assert a.hash == b.hash
    assert [(c.id, c.name, c.level, c.parent, c.paradigm, c.rules) for c in a.codes] == [
        (c.id, c.name, c.level, c.parent, c.paradigm, c.rules) for c in b.codes]
    assert any(c.paradigm for c in b.codes) and any(c.rules for c in b.codes)


def test_decisions_travel_and_come_back(demo):
    work, study, ref = demo
    before = _records(study)
    assert before["rejected"] and before["proposed"] and before["decisions"]
    assert before["storyline"]["storyline"] == ("研究者自己写的故事线。", True, "ann")
    assert before["storyline"]["quote:resource"][0] == ref
    for copy in ("back", "again"):
        assert _records(work / copy) == before, copy


def test_a_second_round_trip_is_byte_identical(demo):
    work, _study, _ref = demo
    second = zipfile.ZipFile(work / "second.qdpx")
    third = zipfile.ZipFile(work / "third.qdpx")
    assert second.namelist() == third.namelist()
    for name in second.namelist():
        data = second.read(name)
        other = third.read(name)
        if name == "project.qde":  # the project is named after its study folder
            data = data.replace(b'name="back"', b'name="again"')
        assert data == other, name
