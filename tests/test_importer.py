"""Importing transcripts into a study: no-op re-imports, --replace, cases, atomicity."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import pytest

from gtcode.errors import GtcodeError
from gtcode.exports.coding_tables import (
    CODINGS_HEADER,
    write_codings_csv,
    write_segments_csv,
)
from gtcode.importer import ImportOptions, expand_inputs, import_files
from gtcode.store import sources as db
from gtcode.store.meta import now_iso
from gtcode.store.project import Study

TRANSCRIPT = "访谈日期：2023年5月12日\n\n问：您当时为什么收钱？\n答：工资太低了，孩子上学要花钱。\n问：后来呢？\n答：后来就收得多了。\n"


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def _snapshot(study_dir: Path) -> str:
    return hashlib.sha256((study_dir / "gtcode.db").read_bytes()).hexdigest()


def test_import_stores_sources_segments_and_default_cases(empty_study: Study,
                                                          tmp_path: Path) -> None:
    a = _write(tmp_path / "S01.txt", TRANSCRIPT)
    b = _write(tmp_path / "S02.txt", TRANSCRIPT.replace("工资", "待遇"), "gbk")
    report = import_files(empty_study, [a, b])
    assert report.added == ["S01.txt", "S02.txt"] and report.segments == 8
    sources = db.list_sources(empty_study.conn)
    assert [(s.name, s.case) for s in sources] == [("S01.txt", "S01"), ("S02.txt", "S02")]
    assert sources[1].encoding.startswith("gb")
    assert sources[0].metadata.get("访谈日期") == "2023年5月12日"
    segments = list(db.iter_segments(empty_study.conn, role="respondent"))
    assert [s.text for s in segments][:2] == ["工资太低了，孩子上学要花钱。", "后来就收得多了。"]
    assert all(sources[0].text[s.start:s.end] == s.text for s in segments if s.source == "S01.txt")


def test_reimporting_unchanged_file_is_a_noop(empty_study: Study, tmp_path: Path) -> None:
    a = _write(tmp_path / "S01.txt", TRANSCRIPT)
    import_files(empty_study, [a])
    report = import_files(empty_study, [a])
    assert report.unchanged == ["S01.txt"] and not report.added and not report.replaced
    assert db.counts(empty_study.conn)["segments"] == 4


def test_same_text_in_other_bytes_is_unchanged(empty_study: Study, tmp_path: Path) -> None:
    a = _write(tmp_path / "S01.txt", TRANSCRIPT)
    import_files(empty_study, [a])
    _write(a, TRANSCRIPT.replace("\n", "\r\n"))
    assert import_files(empty_study, [a]).unchanged == ["S01.txt"]


def test_changed_file_is_refused_and_nothing_changes(empty_study: Study, tmp_path: Path) -> None:
    a = _write(tmp_path / "S01.txt", TRANSCRIPT)
    b = _write(tmp_path / "S02.txt", TRANSCRIPT)
    import_files(empty_study, [a])
    _write(a, TRANSCRIPT + "问：还有吗？\n答：没有了。\n")
    before = db.counts(empty_study.conn)
    with pytest.raises(GtcodeError) as info:
        import_files(empty_study, [b, a])
    assert info.value.code == "E303" and "S01.txt" in str(info.value)
    assert db.counts(empty_study.conn) == before  # S02 was not imported either


def test_bad_file_in_a_batch_writes_nothing(empty_study: Study, tmp_path: Path) -> None:
    good = _write(tmp_path / "S01.txt", TRANSCRIPT)
    bad = tmp_path / "S02.txt"
    bad.write_bytes(b"")
    with pytest.raises(GtcodeError) as info:
        import_files(empty_study, [good, bad])
    assert info.value.code == "E105"
    assert db.counts(empty_study.conn)["sources"] == 0


def _add_coding(study: Study, source: str, start: int, end: int, code: str, origin: str,
                coder: str, status: str = "accepted") -> None:
    with study.write() as conn:
        source_id, = conn.execute("SELECT id FROM sources WHERE name = ?", (source,)).fetchone()
        segment = conn.execute("SELECT id FROM segments WHERE source_id = ? AND start <= ? "
                               "AND end >= ?", (source_id, start, end)).fetchone()
        conn.execute("INSERT INTO codings(source_id, segment_id, start, end, code_id, origin, "
                     "coder, status, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                     (source_id, segment[0] if segment else None, start, end, code, origin,
                      coder, status, now_iso(), now_iso()))


def test_replace_recomputes_machine_and_reanchors_human_codings(empty_study: Study,
                                                                 tmp_path: Path) -> None:
    a = _write(tmp_path / "S01.txt", TRANSCRIPT)
    import_files(empty_study, [a])
    text = db.get_source(empty_study.conn, "S01.txt").text
    kept = text.index("后来就收得多了")
    lost = text.index("孩子上学")
    _add_coding(empty_study, "S01.txt", kept, kept + 7, "subculture", "human", "ann")
    _add_coding(empty_study, "S01.txt", lost, lost + 4, "economic", "human", "ann")
    _add_coding(empty_study, "S01.txt", lost, lost + 4, "economic", "rule", "gtcode-rules",
                "suggested")
    _write(a, "问：您好。\n答：你好。\n" + TRANSCRIPT.replace("孩子上学要花钱", "家里开销大"))
    report = import_files(empty_study, [a], options=ImportOptions(replace=True))
    assert report.replaced == ["S01.txt"] and report.backup and report.backup.exists()
    assert (report.reanchored, report.orphaned) == (1, 1)
    rows = empty_study.conn.execute("SELECT code_id, origin, start, end, orphaned, segment_id "
                                    "FROM codings ORDER BY code_id").fetchall()
    assert [r[:2] for r in rows] == [("economic", "human"), ("subculture", "human")]
    new_text = db.get_source(empty_study.conn, "S01.txt").text
    subculture = rows[1]
    assert new_text[subculture[2]:subculture[3]] == "后来就收得多了"
    assert subculture[4] == 0 and subculture[5] is not None
    assert rows[0][4] == 1  # the economic coding lost its passage but is kept
    log = empty_study.conn.execute("SELECT action FROM decisions").fetchall()
    assert ("orphaned",) in log
    # the lost coding is named, by source, position and code, never silently
    assert [(r.source, r.code_id, r.start, r.end, r.placeable) for r in report.placement] == [
        ("S01.txt", "economic", lost, lost + 4, False)]


def test_cases_sheet_assigns_cases_and_typed_attributes(empty_study: Study,
                                                        tmp_path: Path) -> None:
    a = _write(tmp_path / "interview_a.txt", TRANSCRIPT)
    cases = _write(tmp_path / "cases.csv", "case,file,age,position\nP1,interview_a.txt,56,村支书\n")
    import_files(empty_study, [a], cases=cases)
    assert db.list_sources(empty_study.conn)[0].case == "P1"
    assert db.list_cases(empty_study.conn) == [("P1", {"age": "56", "position": "村支书"})]
    assert db.attribute_types(empty_study.conn) == {"age": "integer", "position": "text"}


def test_cases_sheet_matching_nothing_is_refused(empty_study: Study, tmp_path: Path) -> None:
    a = _write(tmp_path / "S01.txt", TRANSCRIPT)
    cases = _write(tmp_path / "cases.csv", "case,age\nX9,40\n")
    with pytest.raises(GtcodeError) as info:
        import_files(empty_study, [a], cases=cases)
    assert info.value.code == "E111"
    assert db.counts(empty_study.conn)["sources"] == 0


def test_folders_expand_to_transcripts_only(tmp_path: Path) -> None:
    for name in ("b.txt", "a.docx", "README.md", "notes.md", "cases.csv", ".hidden.txt"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    assert [p.name for p in expand_inputs([tmp_path])] == ["a.docx", "b.txt", "notes.md"]
    with pytest.raises(GtcodeError) as info:
        expand_inputs([tmp_path / "missing.txt"])
    assert info.value.code == "E101"


def test_codings_and_segments_csv_layout(empty_study: Study, tmp_path: Path) -> None:
    a = _write(tmp_path / "S01.txt", TRANSCRIPT)
    import_files(empty_study, [a])
    text = db.get_source(empty_study.conn, "S01.txt").text
    start = text.index("工资太低了")
    _add_coding(empty_study, "S01.txt", start, start + 5, "economic", "human", "ann")
    _add_coding(empty_study, "S01.txt", start, start + 5, "subculture", "human", "ann",
                "rejected")
    _add_coding(empty_study, "S01.txt", start, start + 5, "subculture", "rule", "gtcode-rules",
                "suggested")  # rejected by ann above: must not be listed
    with empty_study.write() as conn:
        conn.execute("INSERT INTO codes(id, level, name) VALUES ('economic', 'category', '经济')")
    assert write_codings_csv(empty_study, tmp_path / "codings.csv") == 1
    with open(tmp_path / "codings.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert tuple(rows[0]) == CODINGS_HEADER
    assert rows[1] == ["S01.txt", "S01", "2", str(start), str(start + 5), "答", "respondent",
                       "economic", "economic", "human", "ann", "工资太低了"]
    assert write_segments_csv(empty_study, tmp_path / "segments.csv") == 4
    with open(tmp_path / "segments.csv", encoding="utf-8", newline="") as handle:
        seg_rows = list(csv.reader(handle))
    assert seg_rows[0] == ["source", "case", "segment", "start", "end", "speaker", "role", "text"]
    assert seg_rows[1][:3] == ["S01.txt", "S01", "1"] and seg_rows[1][6] == "interviewer"


def test_case_sheet_order_is_collection_order(empty_study: Study, tmp_path: Path) -> None:
    for name in ("A.txt", "B.txt", "C.txt"):
        _write(tmp_path / name, TRANSCRIPT)
    cases = _write(tmp_path / "cases.csv", "case,file\nC,C.txt\nA,A.txt\n")
    import_files(empty_study, [tmp_path], cases=cases)
    assert [s.name for s in db.list_sources(empty_study.conn)] == ["C.txt", "A.txt", "B.txt"]


def test_positions_are_counted_once_per_import(empty_study: Study, tmp_path: Path) -> None:
    """Each new source's collection position is counted, not looked up per source: the
    look-up reads every stored text (position lies after it), which made storing a large
    import quadratic."""
    for folder, names in (("one", ("A.txt", "B.txt", "C.txt")), ("two", ("D.txt", "E.txt"))):
        (tmp_path / folder).mkdir()
        for name in names:
            _write(tmp_path / folder / name, TRANSCRIPT)
    import_files(empty_study, [tmp_path / "one"])
    looked_up: list[str] = []
    empty_study.conn.set_trace_callback(
        lambda sql: looked_up.append(sql) if "MAX(position), 0) + 1 FROM sources" in sql else None)
    import_files(empty_study, [tmp_path / "two", tmp_path / "one" / "B.txt"])
    empty_study.conn.set_trace_callback(None)
    assert len(looked_up) == 1
    positions = dict(empty_study.conn.execute("SELECT name, position FROM sources"))
    assert positions == {"A.txt": 1, "B.txt": 2, "C.txt": 3, "D.txt": 4, "E.txt": 5}
