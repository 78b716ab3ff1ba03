"""Open coding over a study: what is stored, and that human decisions survive re-runs."""

from __future__ import annotations

import json
import sys

import pytest

from gtcode.coding.open_coding import find_invivo, open_code
from gtcode.store import open_coding as db
from gtcode.store.codings import effective_codings
from open_coding_fixtures import make_study

TURNS = {
    "S01.txt": [("interviewer", "你们送礼吗？讲人情吗？"),
                ("respondent", "逢年过节都要送礼，讲人情世故。"),
                ("respondent", "月薪才三千，工资太低。"),
                ("respondent", "老人情绪不好。")],
    "S02.txt": [("interviewer", "收入怎么样？"), ("respondent", "欠债很多，工资低。")],
}


def rows(study):
    return study.conn.execute(
        "SELECT s.name, g.idx, k.code_id, k.start, k.end, k.origin, k.coder, k.status, "
        "k.codebook_hash, k.evidence FROM all_codings k JOIN segments g ON g.id = k.segment_id "
        "JOIN sources s ON s.id = k.source_id ORDER BY s.name, g.idx, k.code_id").fetchall()


def test_rule_codings_are_stored_with_evidence(tmp_path):
    study, book = make_study(tmp_path, TURNS)
    report = open_code(study, book, invivo=False)
    stored = rows(study)
    assert [(r[0], r[1], r[2]) for r in stored] == [
        ("S01.txt", 2, "favour.renqing"), ("S01.txt", 2, "favour.shigu"),
        ("S01.txt", 3, "economic.low_pay"),
        ("S02.txt", 2, "economic.debt"), ("S02.txt", 2, "economic.low_pay")]
    assert {r[5:9] for r in stored} == {("rule", "gtcode-rules", "suggested", book.hash)}
    text = study.conn.execute("SELECT text FROM sources WHERE name = 'S01.txt'").fetchone()[0]
    name, idx, code, start, end, *_rest, evidence = stored[0]
    segment = study.conn.execute("SELECT start, end FROM segments WHERE idx = 2 AND "
                                 "source_id = 1").fetchone()
    assert (start, end) == segment
    hits = json.loads(evidence)
    assert [h["term"] for h in hits] == ["送礼", "人情"]
    assert all(text[h["start"]:h["end"]] == h["term"] for h in hits)
    assert report.codings == 5 and report.segments == 4 and report.sources == 2
    assert report.by_code == {"favour.renqing": 1, "favour.shigu": 1, "economic.low_pay": 2,
                              "economic.debt": 1}
    assert report.boundary_rejected == 1
    assert "5 rule suggestions" in report.summary()


def test_interviewer_turns_only_on_request(tmp_path):
    study, book = make_study(tmp_path, TURNS)
    open_code(study, book, invivo=False, include_interviewer=True)
    assert ("S01.txt", 1, "favour.renqing") in [(r[0], r[1], r[2]) for r in rows(study)]


def test_rerun_replaces_suggestions_and_keeps_human_decisions(tmp_path):
    study, book = make_study(tmp_path, TURNS)
    open_code(study, book, invivo=False)
    seg = db.find_segment(study.conn, "S01.txt", 2)
    with study.write() as conn:
        db.insert_human_coding(conn, source_id=seg.source_id, segment_id=seg.id,
                               start=seg.start, end=seg.end, code_id="favour.shigu",
                               coder="li", status="rejected", codebook_hash=book.hash)
        db.insert_human_coding(conn, source_id=seg.source_id, segment_id=seg.id,
                               start=seg.start, end=seg.end, code_id="economic.debt",
                               coder="li", status="accepted", codebook_hash=book.hash)
    report = open_code(study, book, invivo=False)
    assert report.removed == 5 and report.codings == 5
    humans = study.conn.execute("SELECT code_id, status FROM codings WHERE origin = 'human' "
                                "ORDER BY code_id").fetchall()
    assert humans == [("economic.debt", "accepted"), ("favour.shigu", "rejected")]
    effective = {(c.segment_id, c.code_id) for c in effective_codings(study.conn)}
    assert (seg.id, "favour.shigu") not in effective
    assert (seg.id, "economic.debt") in effective and (seg.id, "favour.renqing") in effective
    assert len(rows(study)) == 7


def test_codebook_change_is_picked_up(tmp_path):
    study, book = make_study(tmp_path, TURNS)
    open_code(study, book, invivo=False)
    (tmp_path / "b").mkdir()
    _, other = make_study(tmp_path / "b", TURNS, text=(tmp_path / "book.yaml").read_text(
        encoding="utf-8").replace("zh: [欠债]", "zh: [收入]"))
    open_code(study, other, invivo=False)
    found = {(r[0], r[1], r[2]) for r in rows(study)}
    assert ("S02.txt", 2, "economic.debt") not in found
    assert {r[8] for r in rows(study)} == {other.hash}


def test_open_stores_invivo_candidates(tmp_path):
    turns = {"S01.txt": [("respondent", "圈子文化很厉害，不进圈子文化就办不成事。")],
             "S02.txt": [("respondent", "我们那里也是圈子文化。"),
                         ("interviewer", "项目审批项目审批项目审批")]}
    study, book = make_study(tmp_path, turns)
    report = open_code(study, book)
    phrases = [c.phrase for c in report.invivo.candidates]
    assert phrases[0] == "圈子文化"
    assert not any("审批" in p for p in phrases)
    stored = db.list_candidates(study.conn, "invivo")
    assert {(r[0], r[2]) for r in stored} >= {("圈子文化", "S01.txt"), ("圈子文化", "S02.txt")}
    open_code(study, book)
    assert len(db.list_candidates(study.conn, "invivo")) == len(stored)


def test_coded_segment_ids_are_those_with_a_coding_not_rejected(tmp_path):
    turns = {"S01.txt": [("respondent", "家里欠债很多。"), ("respondent", "天气不错。")]}
    study, book = make_study(tmp_path, turns)
    assert db.coded_segment_ids(study.conn) == set()
    open_code(study, book, invivo=False, model=False)
    coded = db.coded_segment_ids(study.conn)
    assert coded == {r[0] for r in study.conn.execute(
        "SELECT segment_id FROM rule_codings")} and len(coded) == 1


def test_rule_rows_code_overlapping_spans_one_by_one(tmp_path):
    from gtcode.coding.open_coding import OpenCodingReport, rule_rows
    from gtcode.coding.rules.engine import RuleEngine
    from open_coding_fixtures import book

    engine = RuleEngine(book(tmp_path), lemmas=None)
    text = "讲人情世故，工资太低。"
    source = db.SourceSpans(7, text, [1, 2, 3], [(0, 6), (1, 11), (6, 11)])  # 2 overlaps 1, 3
    report = OpenCodingReport()
    got = [(seg, code, json.loads(evidence))
           for seg, code, evidence in rule_rows(engine, source, report)]
    assert [(seg, code) for seg, code, _e in got] == [
        (1, "favour.renqing"), (1, "favour.shigu"), (2, "favour.renqing"), (2, "favour.shigu"),
        (2, "economic.low_pay"), (3, "economic.low_pay")]
    assert got[3] == (2, "favour.shigu", [
        {"term": "人情世故", "start": 1, "end": 5, "lang": "zh"}])
    assert (report.segments, report.codings, report.by_code["economic.low_pay"]) == (3, 6, 2)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux")
def test_workers_write_exactly_what_one_process_writes(tmp_path):
    many = {f"S{n:02d}.txt": turns for n in range(12) for turns in TURNS.values()}
    results = []
    for jobs in (1, 2, 3):
        (tmp_path / f"j{jobs}").mkdir()
        study, book = make_study(tmp_path / f"j{jobs}", many)
        report = open_code(study, book, invivo=False, jobs=jobs)
        stored = study.conn.execute("SELECT id, segment_id, code_id, evidence FROM rule_codings "
                                    "ORDER BY id").fetchall()
        results.append((stored, report.codings, report.segments, report.hits,
                        report.window_checks, report.by_code))
        study.close()
    assert results[0][1] > 0
    assert results[1] == results[0] and results[2] == results[0]


def test_small_studies_are_coded_in_one_process(monkeypatch):
    from gtcode.coding import workers

    monkeypatch.setattr(workers.sys, "platform", "linux")
    monkeypatch.setattr(workers.os, "cpu_count", lambda: 4)
    assert workers.worker_count(None, workers.PARALLEL_MIN_CHARS - 1) == 1
    assert workers.worker_count(None, workers.PARALLEL_MIN_CHARS) == 4
    assert workers.worker_count(2, 10) == 2
    monkeypatch.setattr(workers.sys, "platform", "win32")
    assert workers.worker_count(4, workers.PARALLEL_MIN_CHARS) == 1
    with pytest.raises(ValueError):
        workers.worker_count(0, 10)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux")
def test_workers_find_exactly_the_in_vivo_phrases_one_process_finds(tmp_path):
    many = {f"S{n:02d}.txt": [*turns, ("respondent", f"第{n}个小金库，跑项目跑项目。")]
            for n in range(12) for turns in TURNS.values()}
    study, book = make_study(tmp_path, many)
    found = [find_invivo(study, book, jobs=jobs, store=False, min_count=1)
             for jobs in (1, 2, 3)]
    assert found[0].candidates and found[0].per_segment
    assert found[1] == found[0] and found[2] == found[0]
    stored = []
    for jobs in (1, 2):
        open_code(study, book, jobs=jobs)
        stored.append(study.conn.execute(
            "SELECT phrase, segment_id, score FROM candidates WHERE kind = 'invivo' "
            "ORDER BY 1, 2").fetchall())
    assert stored[0] and stored[1] == stored[0]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux")
def test_a_failing_worker_leaves_the_earlier_suggestions(tmp_path, monkeypatch):
    from gtcode.coding import per_source

    many = {f"S{n:02d}.txt": turns for n in range(6) for turns in TURNS.values()}
    study, book = make_study(tmp_path, many)
    open_code(study, book, invivo=False, jobs=1)
    before = study.conn.execute("SELECT * FROM rule_codings ORDER BY id").fetchall()
    real = per_source.rule_hits

    def failing(engine, source):
        if source.id == 4:
            raise RuntimeError("worker failed")
        return real(engine, source)

    monkeypatch.setattr(per_source, "rule_hits", failing)  # the forked workers inherit it
    with pytest.raises(RuntimeError, match="worker failed"):
        open_code(study, book, invivo=False, jobs=2)
    assert study.conn.execute("SELECT * FROM rule_codings ORDER BY id").fetchall() == before


def test_cli_open_with_jobs(tmp_path):
    from typer.testing import CliRunner

    from gtcode.cli import app

    many = {f"S{n:02d}.txt": turns for n in range(4) for turns in TURNS.values()}
    study, _book = make_study(tmp_path, many)
    study.close()
    runner = CliRunner()
    one = runner.invoke(app, ["open", str(tmp_path / "study"), "--jobs", "1", "-q"])
    rows = _rule_rows(tmp_path / "study")
    two = runner.invoke(app, ["open", str(tmp_path / "study"), "--jobs", "2", "-q"])
    assert one.exit_code == two.exit_code == 0
    assert _rule_rows(tmp_path / "study") == rows and rows
    bad = runner.invoke(app, ["open", str(tmp_path / "study"), "--jobs", "0"])
    assert bad.exit_code != 0


def _rule_rows(path):
    import sqlite3

    conn = sqlite3.connect(path / "gtcode.db")
    try:
        return conn.execute("SELECT segment_id, code_id, evidence FROM rule_codings "
                            "ORDER BY id").fetchall()
    finally:
        conn.close()
