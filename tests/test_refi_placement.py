"""Every imported coding reaches the analysis (issue 16).

A generated "comments" project shaped like a real NVivo 12.6 export, and the
real qc demo project of shared/samples/refi: the importer must see that
they are not interviews and segment them by paragraph; codings that no single
paragraph holds count at their own span; the concept matrix counts every
coding; ``init --from`` and ``status`` name the codings that no segment holds.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from comments_corpus import CODES, write_project
from gtcode.cli import app
from gtcode.coding.axial import load_coded_study, study_matrix
from gtcode.exchange.refi_qda import import_project
from gtcode.exports.nvivo import matrix_coding
from gtcode.store.codings import unplaced_codings
from gtcode.store.project import Study
from gtcode.store.sources import iter_segments
from gtcode.transcripts.detect import looks_like_transcript, segment_auto
from gtcode.transcripts.model import Document
from gtcode.transcripts.segment import segment_document
from gtcode.workspace import open_study, study_codebook
from refi_helpers import shared_dir

runner = CliRunner()


def _doc(text: str) -> Document:
    return Document("t.txt", Path("t.txt"), "txt", text, "utf-8", "x")


@pytest.fixture()
def comments(tmp_path):
    path = tmp_path / "kommentek.qdpx"
    text, coded = write_project(path)
    return path, text, coded


def test_the_corpus_reproduces_the_failure(comments):
    """Read as speaker turns, the text before the first ``PSZ:`` is a header: lost codings."""
    _path, text, coded = comments
    turns = segment_document(_doc(text), mode="turn").segments
    held = [c for c in coded if any(s.start <= c[1] and c[2] <= s.end for s in turns)]
    assert turns[0].start > len(text) // 2  # more than half the text in no segment
    assert len(held) < len(coded) // 3


def test_comments_are_not_a_transcript(comments):
    _path, text, _coded = comments
    assert not looks_like_transcript(_doc(text))
    segments = segment_auto(_doc(text)).segments
    assert {s.kind for s in segments} == {"paragraph"}
    assert {s.role for s in segments} == {"unknown"}  # every paragraph counts
    assert segments[0].start == 0  # the title line is a paragraph too


@pytest.mark.parametrize("text", [
    "问：你平时工作忙吗？\n答：很忙，跑项目。\n问：为什么？\n答：资金不够。\n",
    "访谈日期：2023年5月12日\n\nInterviewer: How long have you worked here?\n"
    "Respondent: Ten years.\nInterviewer: And before that?\nRespondent: Farming.\n",
    "张某某：我们那时候很难。\n李某：是的。\n张某某：后来就好了。\n李某：嗯。\n",
])
def test_transcripts_are_still_read_as_turns(text):
    assert looks_like_transcript(_doc(text))
    assert {s.kind for s in segment_auto(_doc(text)).segments} == {"turn"}


def test_title_labels_and_long_prefaces_are_not_turns():
    titled = "\n\n".join(f"Title: Video {n}\nA comment about video {n}, with a sentence."
                         for n in range(5))
    assert not looks_like_transcript(_doc(titled))
    preface = "Bevezetés, hosszú szöveg. " * 200 + "\nPSZ: egy.\nPSZ: kettő.\nKV: három.\n"
    assert not looks_like_transcript(_doc(preface))


def test_every_imported_coding_counts_in_the_concept_matrix(comments, tmp_path):
    path, text, coded = comments
    report = import_project(path, tmp_path / "s")
    assert report.positions == "nvivo"
    assert report.counts["codings"] == len(coded)
    with Study.open(tmp_path / "s") as study:
        stored = sorted((c.start, c.end) for c in study.codings())
        assert stored == sorted((s, e) for _n, s, e in coded)  # positions converted exactly
        book = study_codebook(study)
        data = load_coded_study(study, book)
        concepts = study_matrix(data, level="concept")
        assert int(concepts.to_numpy().sum()) == len(coded)  # was 5 of 38 as speaker turns
        names = {name: book.codes[i].id for i, (name, _g) in enumerate(CODES)}
        for name, _guid in CODES:
            column = concepts[names[name]]
            assert int(column.sum()) == sum(1 for n, _s, _e in coded if n == name), name
        matrix = matrix_coding(study, rows="case", cell="characters", level="concept")
        assert int(matrix.to_numpy().sum()) == sum(e - s for _n, s, e in coded)
        spanning = unplaced_codings(study.conn)
    # the title-plus-comment and multi-paragraph codings: 2 per video
    assert len(spanning) == 6 and all(r.placeable for r in spanning)
    assert {(r.code_name, r.start, r.end) for r in spanning} == {
        (n, s, e) for n, s, e in coded
        if "\n\n" in text[s:e]}  # exactly the codings that cross a paragraph break
    assert report.spanning == spanning and report.unplaced == []


def test_init_from_and_status_name_the_codings_no_segment_holds(comments, tmp_path):
    path, text, coded = comments
    result = runner.invoke(app, ["init", str(tmp_path / "s"), "--from", str(path)])
    assert result.exit_code == 0, result.output
    assert "6 coding(s) lie in no single segment" in result.output
    start, end = next((s, e) for n, s, e in coded if n == "Gazdaság" and "\n\n" in text[s:e])
    assert f"kommentek {start}-{end}  Gazdaság" in result.output
    status = runner.invoke(app, ["status", str(tmp_path / "s")])
    assert status.exit_code == 0
    assert "6 coding(s) lie in no single segment" in status.output
    assert f"kommentek {start}-{end}  Gazdaság" in status.output


def test_an_empty_selection_is_reported_as_not_placed(tmp_path):
    path = tmp_path / "p.qdpx"
    write_project(path)
    with zipfile.ZipFile(path) as archive:
        entries = {n: archive.read(n) for n in archive.namelist()}
    qde = entries["project.qde"].decode("utf-8")
    first = qde.index('startPosition="')
    value = qde[first + 15:qde.index('"', first + 15)]
    end_at = qde.index('endPosition="', first)
    qde = qde[:end_at] + f'endPosition="{value}"' + qde[qde.index('"', end_at + 13) + 1:]
    entries["project.qde"] = qde.encode("utf-8")
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    result = runner.invoke(app, ["init", str(tmp_path / "s"), "--from", str(path)])
    assert result.exit_code == 0, result.output
    assert "1 coding(s) could not be placed" in result.output
    status = runner.invoke(app, ["status", str(tmp_path / "s")])
    assert "1 coding(s) could not be placed" in status.output


def test_the_qc_demo_counts_every_coding(tmp_path):
    shared = shared_dir()
    if shared is None:
        pytest.skip("shared/samples/refi not found beside the clone (set GTCODE_SHARED)")
    report = import_project(shared / "samples" / "refi" / "qc-1.3.2__demo.qdpx", tmp_path / "s")
    assert report.counts["codings"] == 205
    assert not report.unplaced
    with open_study(tmp_path / "s") as study:
        segments = [(s.source, s.start, s.end) for s in iter_segments(study.conn)]
        crossing = {(c.source, c.start, c.end, c.code_id) for c in study.codings()
                    if not any(src == c.source and s <= c.start and c.end <= e
                               for src, s, e in segments)}
        # codings crossing a paragraph boundary are named, and only those
        assert {(r.source, r.start, r.end, r.code_id) for r in report.spanning} == crossing
        assert len(crossing) >= 10
        data = load_coded_study(study, study_codebook(study))
        refs = {(r.segment_id, r.code, r.start, r.end) for r in data.references}
        units = {u.id: u for u in data.segments}
        for coding in study.codings():  # each coding lies inside one counted reference
            assert any(code == coding.code_id and units[seg].source == coding.source
                       and start <= coding.start and coding.end <= end
                       for seg, code, start, end in refs), coding
        concepts = study_matrix(data, level="concept")
        distinct = len({(c.source, c.start, c.end, c.code_id) for c in study.codings()})
        assert int(concepts.to_numpy().sum()) == len(data.references) <= distinct
        assert len(data.references) >= 200
