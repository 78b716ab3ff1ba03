"""gtcode codebook adopt|rename|merge: the YAML keeps its comments, no coding is lost."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from gtcode.cli import app
from gtcode.codebook import CodebookDocument, load_codebook
from gtcode.coding.codebook_changes import AdoptOptions, adopt, merge, rename
from gtcode.coding.memos import add_memo
from gtcode.coding.open_coding import open_code
from gtcode.coding.proposals import NewProposal, propose, study_proposals
from gtcode.errors import GtcodeError
from gtcode.store import open_coding as oc
from open_coding_fixtures import make_study

runner = CliRunner()

#: A flat codebook with the researcher's comments in it.
FLAT_YAML = """\
# 我的编码手册：请勿删除这些注释
name: 测试编码本
version: "1"
language: zh
codes:
  - id: core
    name: 压力驱动的腐败
    level: core
  # 人情世故压力 ------------------------------------------------
  - id: favour
    name: 人情世故压力
    level: category
    parent: core
  - id: favour.exchange
    name: 人情往来
    level: subcategory
    parent: favour
  - id: favour.renqing   # 最常见的概念
    name: 人情
    level: concept
    parent: favour.exchange
    rules:
      terms:
        zh: [人情, 送礼]
  - id: favour.shigu
    name: 人情世故
    level: concept
    parent: favour.exchange
    rules:
      terms:
        zh: [人情世故]

  # 经济刺激压力 ------------------------------------------------
  - id: economic
    name: 经济刺激压力
    level: category
    parent: core
  - id: economic.low_pay
    name: 工资低
    level: concept
    parent: economic
    rules:
      terms:
        zh: [工资太低]
"""

TURNS = {"S01.txt": [("respondent", "逢年过节都要送礼，讲人情世故。"),
                     ("respondent", "要去县里跑项目，一趟一趟地跑。"),
                     ("respondent", "工资太低了。")],
         "S02.txt": [("respondent", "又去跑项目了。"), ("respondent", "送礼是常事。")]}


@pytest.fixture
def study(tmp_path):
    study, book = make_study(tmp_path, TURNS, text=FLAT_YAML)
    open_code(study, book, invivo=False)
    propose(study, book, NewProposal("跑项目", "li", ("S01.txt#2", "S02.txt#1")))
    propose(study, book, NewProposal("人情债", "wang", ("S02.txt#2",), "favour.exchange",
                                     "欠下的人情要还。"))
    yield study
    study.close()


def _comments(text: str) -> list[str]:
    return [line.split("#", 1)[1] for line in text.splitlines() if "#" in line]


def _codings(study, code=None):
    sql = ("SELECT s.name, g.idx, k.code_id, k.origin, k.coder, k.status FROM codings k "
           "JOIN segments g ON g.id = k.segment_id JOIN sources s ON s.id = k.source_id")
    rows = study.conn.execute(sql + " ORDER BY 1, 2, 3, 5").fetchall()
    return [r for r in rows if code is None or r[2] == code]


def _human(study, source, idx, code, coder, status="accepted"):
    seg = oc.find_segment(study.conn, source, idx)
    with study.write() as conn:
        oc.ensure_coder(conn, coder, "human")
        oc.insert_human_coding(conn, source_id=seg.source_id, segment_id=seg.id, start=seg.start,
                               end=seg.end, code_id=code, coder=coder, status=status,
                               codebook_hash=None)


def test_adopt_writes_the_concept_keeping_comments_and_codes_its_passages(study):
    before = study.codebook_path.read_text(encoding="utf-8")
    report = adopt(study, ["跑项目"], by="boss",
                   options=AdoptOptions(parent="economic", code_id="economic.project_running",
                                        name_en="Running projects", definition="为项目奔走。"))
    text = study.codebook_path.read_text(encoding="utf-8")
    assert _comments(text) == _comments(before)  # every comment, in order
    doc = CodebookDocument.load(study.codebook_path)
    ids = [m["id"] for _, m in doc.code_maps()]
    assert ids == ["core", "favour", "favour.exchange", "favour.renqing", "favour.shigu",
                   "economic", "economic.low_pay", "economic.project_running"]
    code = load_codebook(study.codebook_path).get("economic.project_running")
    assert (code.name, code.name_en, code.level, code.parent, code.definition) == (
        "跑项目", "Running projects", "concept", "economic", "为项目奔走。")
    assert code.examples == ["要去县里跑项目，一趟一趟地跑。", "又去跑项目了。"]
    assert _codings(study, "economic.project_running") == [
        ("S01.txt", 2, "economic.project_running", "human", "li", "accepted"),
        ("S02.txt", 1, "economic.project_running", "human", "li", "accepted")]
    assert report.coded == 2 and report.yaml_written
    assert [p.name for p in study_proposals(study)] == ["人情债"]
    log = study.conn.execute("SELECT coder, action, code_id FROM decisions WHERE action = "
                             "'adopt'").fetchall()
    assert log == [("boss", "adopt", "economic.project_running")] * 2


def test_adopt_all_takes_parents_and_definitions_from_the_proposals(study):
    with pytest.raises(GtcodeError) as missing:  # 跑项目 has no parent
        adopt(study, None, by="boss")
    assert missing.value.code == "E112"
    adopt(study, ["跑项目"], by="boss", options=AdoptOptions(parent="economic"))
    report = adopt(study, None, by="boss")
    book = load_codebook(study.codebook_path)
    (new,) = [c for c in book.codes if c.name == "人情债"]
    assert new.parent == "favour.exchange" and new.definition == "欠下的人情要还。"
    assert new.id.startswith("new_") and report.codes == [new.id]
    assert study_proposals(study) == []


@pytest.mark.parametrize("call", [
    lambda s: adopt(s, ["跑项目"], by="b", options=AdoptOptions(parent="nowhere")),
    lambda s: adopt(s, ["跑项目"], by="b", options=AdoptOptions(parent="economic",
                                                                 code_id="Bad Id")),
    lambda s: adopt(s, ["跑项目"], by="b", options=AdoptOptions(parent="economic",
                                                                 code_id="favour")),
    lambda s: adopt(s, ["没有这个"], by="b", options=AdoptOptions(parent="economic")),
    lambda s: rename(s, "favour.shigu", "Not An Id", by="b"),
    lambda s: rename(s, "favour.shigu", "favour.renqing", by="b"),
    lambda s: rename(s, "nothing", "something", by="b"),
    lambda s: merge(s, ["favour"], "favour.renqing", by="b"),
    lambda s: merge(s, ["favour.exchange"], "economic", by="b"),
    lambda s: merge(s, ["favour.shigu"], "nowhere", by="b"),
])
def test_a_bad_change_changes_nothing(study, call):
    yaml_before = study.codebook_path.read_bytes()
    codings, proposals = _codings(study), study_proposals(study)
    with pytest.raises(GtcodeError) as error:
        call(study)
    assert error.value.code in ("E112", "E306")
    assert study.codebook_path.read_bytes() == yaml_before
    assert _codings(study) == codings and study_proposals(study) == proposals


def test_a_failed_yaml_write_rolls_the_study_back(study, monkeypatch):
    def refuse(self, path=None):
        raise GtcodeError("E701", "the codebook cannot be written (disk full).")

    monkeypatch.setattr(CodebookDocument, "dump", refuse)
    yaml_before = study.codebook_path.read_bytes()
    with pytest.raises(GtcodeError):
        adopt(study, ["跑项目"], by="boss", options=AdoptOptions(parent="economic"))
    assert study.codebook_path.read_bytes() == yaml_before
    assert _codings(study) == [] and len(study_proposals(study)) == 2


def test_a_crash_after_the_yaml_write_is_finished_by_running_again(study, monkeypatch):
    real = CodebookDocument.dump

    def write_then_die(self, path=None):
        real(self, path)
        raise RuntimeError("killed")  # after the YAML was written, before the commit

    monkeypatch.setattr(CodebookDocument, "dump", write_then_die)
    with pytest.raises(RuntimeError):
        adopt(study, ["跑项目"], by="boss", options=AdoptOptions(parent="economic",
                                                                code_id="economic.run"))
    assert "economic.run" in study.codebook_path.read_text(encoding="utf-8")
    assert _codings(study) == [] and len(study_proposals(study)) == 2  # nothing lost
    monkeypatch.undo()
    report = adopt(study, ["跑项目"], by="boss")  # the concept is there: its passages are coded
    assert len(_codings(study, "economic.run")) == 2 and len(study_proposals(study)) == 1
    assert not report.yaml_written


def test_rename_keeps_every_coding_memo_and_suggestion(study):
    _human(study, "S01.txt", 1, "favour.shigu", "li")
    add_memo(study, "code:favour.shigu", "多是逢年过节。", author="li",
             known_codes=["favour.shigu"])
    rules_before = study.conn.execute("SELECT COUNT(*) FROM rule_codings WHERE code_id = "
                                      "'favour.shigu'").fetchone()[0]
    assert rules_before == 1
    report = rename(study, "favour.shigu", "favour.worldly", by="boss", name_en="Worldly ways")
    assert _codings(study, "favour.worldly") == [
        ("S01.txt", 1, "favour.worldly", "human", "li", "accepted")]
    assert _codings(study, "favour.shigu") == []
    assert study.conn.execute("SELECT COUNT(*) FROM rule_codings WHERE code_id = "
                              "'favour.worldly'").fetchone()[0] == 1
    assert study.conn.execute("SELECT target FROM memos").fetchone()[0] == "favour.worldly"
    code = load_codebook(study.codebook_path).get("favour.worldly")
    assert code.name == "人情世故" and code.name_en == "Worldly ways"
    text = study.codebook_path.read_text(encoding="utf-8")
    assert "name_en: Worldly ways" in text.split("favour.worldly")[1].split("level:")[0]
    assert "# 最常见的概念" in text and report.moved == 1


def test_rename_a_subcategory_moves_its_concepts_along(study):
    rename(study, "favour.exchange", "favour.giving", by="boss")
    book = load_codebook(study.codebook_path)
    assert book.get("favour.renqing").parent == "favour.giving"
    assert book.get("favour.shigu").parent == "favour.giving"


def test_merge_keeps_every_coding_and_the_rules(study):
    _human(study, "S01.txt", 1, "favour.shigu", "li")
    _human(study, "S01.txt", 1, "favour.renqing", "li", status="rejected")
    _human(study, "S02.txt", 2, "favour.shigu", "wang")
    report = merge(study, ["favour.shigu", "人情债"], "favour.renqing", by="boss")
    assert _codings(study, "favour.renqing") == [
        ("S01.txt", 1, "favour.renqing", "human", "li", "accepted"),  # accepted wins
        ("S02.txt", 2, "favour.renqing", "human", "wang", "accepted")]
    assert report.merged == 1 and report.moved == 1 and report.coded == 1
    book = load_codebook(study.codebook_path)
    assert book.get("favour.shigu") is None
    assert book.get("favour.renqing").rules.terms["zh"] == ["人情", "送礼", "人情世故"]
    assert [p.name for p in study_proposals(study)] == ["跑项目"]
    assert _comments(study.codebook_path.read_text(encoding="utf-8"))[0].strip() == \
        "我的编码手册：请勿删除这些注释"


def test_cli_adopt_rename_merge(study):
    path = str(study.path)
    adopted = runner.invoke(app, ["codebook", "adopt", path, "跑项目", "--parent", "economic",
                                  "--id", "economic.run", "--coder", "boss"])
    assert adopted.exit_code == 0, adopted.output
    assert "Adopted economic.run" in adopted.stderr and "2 passage(s) coded" in adopted.stderr
    renamed = runner.invoke(app, ["codebook", "rename", path, "economic.run",
                                  "economic.running"])
    assert renamed.exit_code == 0, renamed.output
    merged = runner.invoke(app, ["codebook", "merge", path, "economic.running",
                                 "economic.low_pay"])
    assert merged.exit_code == 0, merged.output
    assert len(_codings(study, "economic.low_pay")) == 2
    bad = runner.invoke(app, ["codebook", "adopt", path, "没有这个", "--parent", "economic"])
    assert bad.exit_code == 1 and "[E306]" in bad.stderr and "Traceback" not in bad.output
    neither = runner.invoke(app, ["codebook", "adopt", path])
    assert neither.exit_code == 2


def test_a_new_concept_leaves_the_comment_about_the_next_code_in_place():
    from gtcode.codebook.edit import insert_concept

    text = ("codes:\n  - id: p\n    name: P\n  - id: a\n    parent: p\n    examples:\n"
            "      - x\n\n  # comment about b\n  - id: b\n    name: B\n")
    doc = CodebookDocument.from_text(text)
    insert_concept(doc, {"id": "n", "name": "N", "parent": "p", "examples": ["e"]}, ["a"])
    lines = doc.dumps().splitlines()
    assert lines[lines.index("  - id: b") - 1] == "  # comment about b"
    assert lines.index("  - id: n") < lines.index("  # comment about b")


def test_merging_keeps_the_comments_about_the_other_codes():
    from gtcode.codebook.edit import merge_code

    text = ("codes:\n  - id: a\n    examples:\n      - x\n\n  # about b\n  - id: b\n"
            "    examples:\n      - y\n\n  # about c\n  - id: c\n    name: z\n")
    doc = CodebookDocument.from_text(text)
    merge_code(doc, "b", "a")
    assert doc.dumps() == ("codes:\n  - id: a\n    examples:\n      - x\n      - y\n\n"
                           "  # about c\n  - id: c\n    name: z\n")


def test_a_new_concept_in_a_nested_codebook_is_its_parents_last_child():
    from gtcode.codebook import codebook_from_document
    from gtcode.codebook.edit import insert_concept
    from open_coding_fixtures import BOOK_YAML

    text = BOOK_YAML.replace("      - id: economic\n", "      # 经济\n      - id: economic\n")
    doc = CodebookDocument.from_text(text)
    insert_concept(doc, {"id": "favour.debt", "name": "人情债", "level": "concept",
                         "parent": "favour.exchange", "examples": ["e"]},
                   ["favour.renqing", "favour.shigu"])
    out = doc.dumps()
    book = codebook_from_document(CodebookDocument.from_text(out))
    assert book.get("favour.debt").parent == "favour.exchange"
    assert [c.id for c in book.children("favour.exchange")][-1] == "favour.debt"
    lines = out.splitlines()
    assert lines[lines.index("      - id: economic") - 1] == "      # 经济"
