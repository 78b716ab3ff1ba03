"""Proposed concepts: typed in a sheet, shown everywhere, counted by saturation."""

from __future__ import annotations

import zipfile

import openpyxl
import pytest
from lxml import etree
from typer.testing import CliRunner

from gtcode.cli import app
from gtcode.coding import saturation as sat
from gtcode.coding import selective as sel
from gtcode.coding.axial import load_coded_study
from gtcode.coding.open_coding import open_code
from gtcode.coding.proposals import NewProposal, propose, propose_with_memo, study_proposals
from gtcode.coding.sheet import export_sheet
from gtcode.coding.sheet_apply import apply_sheet
from gtcode.coding.sheet_io import SHEET_NAME
from gtcode.errors import GtcodeError
from gtcode.exchange.refi_qda import export_qdpx, import_project
from gtcode.exports.report.build import build_report
from gtcode.store import open_coding as oc
from gtcode.tables.matrices import build_tables
from open_coding_fixtures import make_study
from sheet_helpers import col

runner = CliRunner()

TURNS = {
    "S01.txt": [("interviewer", "你们送礼吗？"), ("respondent", "逢年过节都要送礼，讲人情世故。"),
                ("respondent", "要去县里跑项目，一趟一趟地跑。")],
    "S02.txt": [("respondent", "工资太低了，家里欠债。"), ("respondent", "送礼是常事。")],
}


@pytest.fixture
def proposed(tmp_path):
    """A study whose coder li typed 跑项目 in the 新概念 column of S01.txt#3."""
    study, book = make_study(tmp_path, TURNS)
    open_code(study, book, invivo=False)
    path = tmp_path / "sheet.xlsx"
    export_sheet(study, book, path)
    sheet = openpyxl.load_workbook(path)[SHEET_NAME]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[col(header, "segment")].value == "S01.txt#3":
            row[col(header, "new_concept")].value = "跑项目"
            row[col(header, "decision")].value = "无编码 none"
    sheet.parent.save(path)
    apply_sheet(study, book, path, coder="li")
    yield study, book, path
    study.close()


def test_a_sheet_proposal_is_listed_in_status(proposed):
    study, _book, _path = proposed
    (item,) = study_proposals(study)
    assert (item.name, item.by, [p.ref for p in item.places]) == ("跑项目", ("li",),
                                                                   ["S01.txt#3"])
    result = runner.invoke(app, ["status", str(study.path)])
    assert result.exit_code == 0, result.output
    assert "建议概念" in result.stdout and "跑项目" in result.stdout
    assert "S01.txt#3" in result.stdout


def test_a_sheet_proposal_is_in_the_open_coding_tables(proposed, tmp_path):
    study, book, _path = proposed
    tables = {t.key: t for t in build_tables(study, book).tables}
    rows = [r for r in tables["open"].rows if r[1] == "跑项目（建议概念）"]
    assert len(rows) == 1 and rows[0][0].startswith("要去县里跑项目") and rows[0][4:6] == [1, 1]
    english = {t.key: t for t in build_tables(study, book, lang="en").tables}["open"]
    assert any(r[1] == "跑项目 (proposed)" for r in english.rows)
    from gtcode.exports.docx_tables import export_docx
    from gtcode.exports.workbook import export_workbook

    (xlsx,) = export_workbook(study, book, tmp_path / "w.xlsx")
    values = [c for row in openpyxl.load_workbook(xlsx)["开放式编码"].iter_rows(values_only=True)
              for c in row]
    assert "跑项目（建议概念）" in values
    import docx

    (word,) = export_docx(study, book, tmp_path)
    cells = [c.text for table in docx.Document(word).tables for row in table.rows
             for c in row.cells]
    assert "跑项目（建议概念）" in cells


def test_a_sheet_proposal_is_in_the_report(proposed):
    study, book, _path = proposed
    html = build_report(study, book, lang="zh")
    assert 'id="proposed"' in html and "跑项目（建议概念）" in html
    assert "跑项目 (proposed)" in build_report(study, book, lang="en")


def test_a_sheet_proposal_is_a_code_of_the_qdpx(proposed, tmp_path):
    study, book, _path = proposed
    path = tmp_path / "p.qdpx"
    export_qdpx(study, path)  # validated against the XSD on writing, and again below
    with zipfile.ZipFile(path) as box:
        root = etree.fromstring(box.read("project.qde"))
    ns = {"q": root.nsmap[None]}
    group = root.find(".//q:Code[@name='建议概念 (proposed)']", ns)
    assert group is not None and group.get("isCodable") == "false"
    (code,) = group.findall("q:Code", ns)
    assert code.get("name") == "跑项目" and code.get("isCodable") == "true"
    assert "S01.txt#3" in code.find("q:Description", ns).text
    _check_xsd(root)
    # a gtcode import keeps it a proposal, not a code of the codebook
    from gtcode.workspace import open_study

    import_project(path, tmp_path / "back")
    back = open_study(tmp_path / "back")
    try:
        assert [p.name for p in study_proposals(back)] == ["跑项目"]
        assert "跑项目" not in back.codebook_path.read_text(encoding="utf-8")
    finally:
        back.close()


def _check_xsd(root) -> None:
    from pathlib import Path

    xsd = Path(__file__).resolve().parents[1] / "src/gtcode/data/refi_qda/Project-mrt2019.xsd"
    schema = etree.XMLSchema(etree.parse(str(xsd)))
    assert schema.validate(root), schema.error_log


def test_reapplying_the_sheet_does_not_propose_again(proposed):
    study, book, path = proposed
    report = apply_sheet(study, book, path, coder="li")
    assert report.proposed == 0 and len(study_proposals(study)[0].places) == 1


def test_propose_on_the_command_line_and_with_a_memo(proposed):
    study, book, _path = proposed
    count = propose(study, book, NewProposal("人情债", "wang", ("S02.txt#2", "S01.txt#2"),
                                             "favour.exchange", "欠下的人情要还。"))
    assert count == 2
    memo = propose_with_memo(study, book, NewProposal("面子", "zhao"), target="code:favour.shigu",
                             text="讲面子也是人情的一面。")
    found = {p.name: p for p in study_proposals(study)}
    assert found["人情债"].parent == "favour.exchange" and found["人情债"].cases == ("S01", "S02")
    assert found["面子"].parent == "favour.exchange" and found["面子"].places == ()
    assert memo > 0
    with pytest.raises(GtcodeError) as bad:
        propose(study, book, NewProposal("x", "wang", ("S09.txt#1",)))
    assert bad.value.code == "E306"
    with pytest.raises(GtcodeError) as same:
        propose(study, book, NewProposal("人情世故", "wang"))
    assert same.value.code == "E112"
    assert set(found) == {"跑项目", "人情债", "面子"}


def test_cli_propose_and_errors(proposed):
    study, _book, _path = proposed
    ok = runner.invoke(app, ["codebook", "propose", str(study.path), "--name", "跑关系",
                             "--segment", "S01.txt#3", "--coder", "wang"])
    assert ok.exit_code == 0, ok.output
    bad = runner.invoke(app, ["codebook", "propose", str(study.path), "--name", "跑关系",
                              "--parent", "nowhere"])
    assert bad.exit_code == 1 and "[E306]" in bad.stderr and "Traceback" not in bad.output
    memo = runner.invoke(app, ["memo", "add", str(study.path), "--on", "segment:S02.txt#1",
                               "--propose", "欠债压力", "--text", "家里欠债。"])
    assert memo.exit_code == 0, memo.output
    assert {p.name for p in study_proposals(study)} >= {"跑关系", "欠债压力"}


# -- saturation counts what human coders used ------------------------------------------------

def _human(study, source, idx, code, coder="li"):
    seg = oc.find_segment(study.conn, source, idx)
    with study.write() as conn:
        oc.ensure_coder(conn, coder, "human")
        oc.insert_human_coding(conn, source_id=seg.source_id, segment_id=seg.id, start=seg.start,
                               end=seg.end, code_id=code, coder=coder, status="accepted",
                               codebook_hash=None)


SIX = {f"S{i}.txt": [("respondent", "逢年过节都要送礼。"), ("respondent", "工资太低了。")]
       for i in range(1, 7)}
OPTIONS = sel.SaturationOptions(permutations=20, holdout=2)


def _saturation(study, book, options=OPTIONS):
    return sel.saturation(load_coded_study(study, book), options, study_proposals(study))


def test_saturation_fails_when_the_last_interviews_bring_proposed_concepts(tmp_path):
    study, book = make_study(tmp_path, SIX)
    for i in range(1, 7):
        _human(study, f"S{i}.txt", 1, "favour.renqing")
        _human(study, f"S{i}.txt", 2, "economic.low_pay")
    before = _saturation(study, book)
    assert before.counted == sat.HUMAN and before.holdout.passed
    assert before.curve.counts == (2, 0, 0, 0, 0, 0)
    for name in ("S5.txt", "S6.txt"):
        propose(study, book, NewProposal("人情债", "li", (f"{name}#1",)))
    propose(study, book, NewProposal("面子", "wang", ("S6.txt#2",)))
    after = _saturation(study, book)
    assert not after.holdout.passed
    s5, s6 = after.holdout.interviews
    assert s5.unplaced == ("proposed:人情债",) and not s5.passed
    assert set(s6.unplaced) == {"proposed:人情债", "proposed:面子"}
    assert after.curve.counts == (2, 0, 0, 0, 1, 1)
    assert after.curve.new[-1] == ("proposed:面子",)


def test_a_proposed_concept_with_a_known_parent_fits_there(tmp_path):
    study, book = make_study(tmp_path, SIX)
    for i in range(1, 7):
        _human(study, f"S{i}.txt", 1, "favour.renqing")
    propose(study, book, NewProposal("人情债", "li", ("S6.txt#1",), "favour.exchange"))
    result = _saturation(study, book)
    (s5, s6) = result.holdout.interviews
    assert s6.new_concepts == (sat.NewConcept("proposed:人情债", "favour.exchange",
                                              "social_favour"),)
    assert result.holdout.passed and result.curve.counts[-1] == 1


def test_saturation_counts_human_codings_not_machine_suggestions(tmp_path):
    study, book = make_study(tmp_path, SIX)
    open_code(study, book, invivo=False)  # the rules suggest renqing and low_pay everywhere
    machine = _saturation(study, book)
    assert machine.counted == sat.MACHINE and machine.curve.counts[0] == 2
    _human(study, "S1.txt", 1, "favour.renqing")
    _human(study, "S6.txt", 1, "favour.shigu")
    human = _saturation(study, book)
    assert human.counted == sat.HUMAN
    assert human.curve.counts == (1, 0, 0, 0, 0, 1)
    everything = _saturation(study, book, sel.SaturationOptions(permutations=20, holdout=2,
                                                                count="all"))
    assert everything.counted == sat.ALL and everything.curve.counts[0] == 2


def test_interview_order_is_the_given_one(tmp_path):
    study, book = make_study(tmp_path, SIX)
    _human(study, "S6.txt", 1, "favour.renqing")
    _human(study, "S1.txt", 2, "economic.low_pay")
    result = _saturation(study, book, sel.SaturationOptions(permutations=20, holdout=2,
                                                            order=("S6", "S2")))
    assert result.curve.cases == ("S6", "S2", "S1", "S3", "S4", "S5")
    assert result.curve.counts == (1, 0, 1, 0, 0, 0)
    assert result.holdout.held == ("S4", "S5")
    assert sat.ordered_cases(["a", "b", "c"], ["c"]) == ["c", "a", "b"]
    with pytest.raises(GtcodeError) as unknown:
        sat.ordered_cases(["a", "b"], ["z"])
    assert unknown.value.code == "E306"
    with pytest.raises(GtcodeError) as twice:
        sat.ordered_cases(["a", "b"], ["a", "a"])
    assert twice.value.code == "E112"


def test_proposals_of_a_machine_coder_count_only_when_machine_codings_do(tmp_path):
    """`gtcode discover --propose` stores proposals by gtcode-discover (a model coder): a
    human-only saturation count leaves them out; --count all takes them in."""
    from gtcode.store import open_coding as odb

    study, book = make_study(tmp_path, SIX)
    for i in range(1, 7):
        _human(study, f"S{i}.txt", 1, "favour.renqing")
    with study.write() as conn:
        odb.ensure_coder(conn, "gtcode-discover", "model")
    propose(study, book, NewProposal("监区生活", "gtcode-discover", ("S6.txt#2",)))
    human = _saturation(study, book)
    assert human.counted == sat.HUMAN and human.holdout.passed
    assert human.curve.counts == (1, 0, 0, 0, 0, 0)
    everything = _saturation(study, book, sel.SaturationOptions(permutations=20, holdout=2,
                                                                count="all"))
    assert everything.curve.counts[-1] == 1 and not everything.holdout.passed
