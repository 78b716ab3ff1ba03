"""The study report as HTML: self-contained, escaped, bilingual, sized for 3 or 300 cases."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from gtcode.codebook.model import Code, Codebook
from gtcode.exports.report import build_report, write_report
from gtcode.store import sources as db
from gtcode.store.project import Study
from gtcode.transcripts.model import Document, Segment

STAMP = "2026-01-01T00:00:00Z"


def mini_book(categories: int = 3, concepts: int = 1) -> Codebook:
    """A core, ``categories`` main categories (paradigm roles on the first three)
    and ``concepts`` concepts under each."""
    roles = ["causal", "phenomenon", "strategy"]
    codes = [Code(id="core", name="压力驱动腐败", name_en="Pressure-driven corruption",
                  level="core")]
    for i in range(categories):
        codes.append(Code(id=f"c{i}", name=f"范畴{i}<压力>", name_en=f"Category {i}",
                          level="category", parent="core", definition=f"定义{i} & 说明",
                          include="适用情形", paradigm=roles[i] if i < 3 else None))
        codes += [Code(id=f"c{i}.k{j}", name=f"概念{i}-{j}", level="concept", parent=f"c{i}")
                  for j in range(concepts)]
    return Codebook(name="mini", version="1", codes=codes)


def make_study(path: Path, book: Codebook, cases: int = 3, *, coders: tuple[str, ...] = (),
               attribute: bool = True) -> Study:
    """``cases`` sources of 2 interviewer + 2 respondent turns each, coded by rule:
    case i's first answer gets concept (i mod categories), its second the next one."""
    study = Study.create(path)
    concepts = [c.id for c in book.codes if c.level == "concept"]
    with study.write() as conn:
        types = db.set_attribute_types(conn, {"position": "text"} if attribute else {})
        for i in range(cases):
            text = f"问：第一个问题？\n答：我们跑资金很难<script>{i}\n问：还有呢？\n答：家里欠债 & 人情往来\n"
            doc = Document(f"S{i:03d}.txt", Path(f"S{i:03d}.txt"), "txt", text, "utf-8", f"h{i}")
            case_id = db.ensure_case(conn, f"S{i:03d}")
            source_id = db.insert_source(conn, doc, f"c{i}", metadata={}, language="zh",
                                         case_id=case_id)
            if attribute:
                db.set_case_attribute(conn, case_id, types["position"], "村级" if i % 2 else "乡镇级")
            spans = [(m.start(1), m.end(1)) for m in re.finditer(r"[问答]：(.*)", text)]
            db.replace_segments(conn, source_id, [
                Segment(k + 1, s, e, "问" if k % 2 == 0 else "答",
                        "interviewer" if k % 2 == 0 else "respondent", k + 1)
                for k, (s, e) in enumerate(spans)])
            for k, concept in ((1, concepts[i % len(concepts)]),
                               (3, concepts[(i + 1) % len(concepts)])):
                _code(conn, source_id, k + 1, spans[k], concept, "rule", "gtcode-rules",
                      "suggested")
                for coder in coders:
                    _code(conn, source_id, k + 1, spans[k], concept, "human", coder, "accepted")
    return study


def _code(conn, source_id, idx, span, code, origin, coder, status) -> None:
    seg = conn.execute("SELECT id FROM segments WHERE source_id = ? AND idx = ?",
                       (source_id, idx)).fetchone()[0]
    conn.execute("INSERT INTO codings(source_id, segment_id, start, end, code_id, origin, coder, "
                 "status, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                 (source_id, seg, span[0], span[1], code, origin, coder, status, STAMP, STAMP))


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> tuple[Study, Codebook]:
    book = mini_book()
    study = make_study(tmp_path_factory.mktemp("small") / "study", book)
    yield study, book
    study.close()


EXTERNAL = re.compile(r"""(?:src|href|action|xlink:href)\s*=\s*["']?(?!#|data:)[^"'\s>]+"""
                      r"""|url\(\s*["']?(?!#|data:)|@import|<link\b|<iframe\b|<img\b""", re.I)


def test_report_is_one_self_contained_page(small) -> None:
    study, book = small
    page = build_report(study, book, lang="zh")
    assert page.startswith("<!DOCTYPE html>")
    assert EXTERNAL.search(page) is None
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in page
    assert page.count("<script>") == 1 and "<script src" not in page


def test_study_text_is_escaped(small) -> None:
    study, book = small
    page = build_report(study, book, lang="zh")
    assert "范畴0&lt;压力&gt;" in page and "范畴0<压力>" not in page
    assert "<script>0" not in page


def test_headings_follow_lang(small) -> None:
    study, book = small
    zh = build_report(study, book, lang="zh")
    en = build_report(study, book, lang="en")
    for heading in ("语料概况", "编码树与编码次数", "范畴共现网络", "范式模型", "理论饱和度"):
        assert heading in zh and heading not in en
    for heading in ("Corpus", "Category co-occurrence network", "Paradigm model", "Saturation"):
        assert heading in en
    assert "Category 0" in en and 'lang="en"' in en and 'lang="zh-Hans"' in zh


def test_every_chart_is_svg_with_text(small) -> None:
    study, book = small
    page = build_report(study, book, lang="zh")
    kinds = re.findall(r'<svg [^>]*class="chart ([a-z]+)"', page)
    assert {"heatmap", "network", "paradigm", "line", "hbar"} <= set(kinds)
    for svg in re.findall(r"<svg .*?</svg>", page, re.S):
        assert 'viewBox="0 0 ' in svg and "<text" in svg


def test_no_agreement_without_two_human_coders(small) -> None:
    study, book = small
    assert "没有一致性数据" in build_report(study, book, lang="zh")


def test_agreement_with_two_human_coders(tmp_path: Path) -> None:
    book = mini_book()
    study = make_study(tmp_path / "study", book, coders=("ann", "ben"))
    try:
        page = build_report(study, book, lang="en")
    finally:
        study.close()
    assert "Coders: ann, ben" in page and "No agreement data" not in page
    assert "1.00" in page  # identical coders agree perfectly


def test_report_is_deterministic(small) -> None:
    study, book = small
    assert build_report(study, book, lang="zh") == build_report(study, book, lang="zh")


def test_large_study_stays_legible(tmp_path: Path) -> None:
    book = mini_book(categories=60, concepts=5)
    study = make_study(tmp_path / "study", book, cases=300)
    try:
        page = build_report(study, book, lang="zh")
    finally:
        study.close()
    heat = re.search(r'<svg [^>]*class="chart heatmap".*?</svg>', page, re.S).group(0)
    assert heat.count('class="cell"') == 300 * 40  # top 40 of 60 categories
    assert 'class="chart-box scroll"><svg xmlns="http://www.w3.org/2000/svg" class="chart heatmap"' in page
    assert 'data-page-size="25"' in page
    assert "只显示最常用的 40 个范畴" in page


def test_write_report_and_cli(small, tmp_path: Path) -> None:
    study, book = small
    out = write_report(study, book, tmp_path / "r.html", lang="en")
    assert out.read_text(encoding="utf-8") == build_report(study, book, lang="en")


def test_unknown_lang_is_an_error(small) -> None:
    from gtcode.errors import GtcodeError

    study, book = small
    with pytest.raises(GtcodeError) as info:
        build_report(study, book, lang="fr")
    assert info.value.code == "E112"


def test_cli_report(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from gtcode.cli import app
    from gtcode.workspace import init_study

    init_study(tmp_path / "s").close()  # an empty study: the report still renders
    runner = CliRunner()
    result = runner.invoke(app, ["report", str(tmp_path / "s"), "-o", str(tmp_path / "r.html"),
                                 "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "no transcripts yet" in result.stderr and "gtcode import" in result.stderr
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "No codings yet." in page
    assert re.findall(r'class="chart ([a-z]+)"', page) == ["paradigm"]  # from the codebook
    result = runner.invoke(app, ["report", str(tmp_path / "s")])
    assert result.exit_code == 0 and (tmp_path / "s" / "exports" / "report.html").is_file()
    result = runner.invoke(app, ["report", str(tmp_path / "s"), "--lang", "fr"])
    assert result.exit_code == 2 and "Invalid value" in result.stderr and "'fr'" in result.stderr
    result = runner.invoke(app, ["report", str(tmp_path / "none")])
    assert result.exit_code == 1 and "[E301]" in result.stderr


def test_agreement_notes_follow_the_report_language(tmp_path: Path) -> None:
    """A Chinese report says its agreement notes in Chinese, each one of them."""
    from gtcode.exports.report import agreement

    book = mini_book()
    study = make_study(tmp_path / "study", book, coders=("ann", "ben"))
    try:
        page = build_report(study, book, lang="zh")
        notes = agreement.study_agreement(study).notes
    finally:
        study.close()
    assert notes
    for english in notes:
        chinese = agreement.note_in(english, "zh")
        assert chinese != english and not re.search(r"[A-Za-z]{4,} [a-z]{3,}", chinese), english
        assert html.escape(chinese, quote=False) in page
        assert english not in page


@pytest.mark.parametrize("english, chinese", [
    ("units are respondent turns: 12 interviewer turn(s) left out (--role all counts every "
     "turn).", "比较单位为受访者话轮：12 个访谈者话轮未计入。"),
    ("3 unit(s) looked at by only one coder were ignored.", "3 个只有一位编码者查看过的单位未计入。"),
    ("ann: saw machine suggestions (5 of 9 units).", "ann：决定时看到了机器建议（5/9 个单位）。"),
    ("ann and ben all saw the same machine suggestions when deciding: their agreement may be "
     "inflated by them (anchoring). Blind sheets (--blind) give independent coders.",
     "ann、ben决定时都看到了相同的机器建议，一致性可能因此偏高（锚定效应）；盲审表可得到相互独立的编码者。"),
    ("overall figures: unweighted mean over 4 code(s) (each code present/absent per unit).",
     "总体指标：未加权平均，基于 4 个编码（每个编码在每个单位上按出现/未出现计）。"),
])
def test_agreement_notes_in_chinese(english: str, chinese: str) -> None:
    from gtcode.exports.report.agreement import note_in

    assert note_in(english, "zh") == chinese
    assert note_in(english, "en") == english


def test_title_and_quote_citations(small, tmp_path: Path) -> None:
    """--title sets the page's title; quotes are cited by case and line, not file and index."""
    study, book = small
    page = build_report(study, book, lang="zh", title="村干部压力研究")
    assert "<title>村干部压力研究</title>" in page and "<h1>村干部压力研究</h1>" in page
    assert "研究报告 ·" not in page
    cites = re.findall(r"<cite>(.*?)</cite>", page)
    assert cites and all(re.fullmatch(r"— S\d{3}，第[24]行", c) for c in cites), cites
    assert "<title>研究报告 · " in build_report(study, book, lang="zh")


def test_cli_report_title(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from gtcode.cli import app
    from gtcode.workspace import init_study

    init_study(tmp_path / "s").close()
    result = CliRunner().invoke(app, ["report", str(tmp_path / "s"), "-o",
                                      str(tmp_path / "r.html"), "--title", "A & B"])
    assert result.exit_code == 0, result.output
    assert "<title>A &amp; B</title>" in (tmp_path / "r.html").read_text(encoding="utf-8")
