"""``gtcode anonymize --apply``: consistent replacement, codings re-anchored exactly, the
key outside the study and in no export or backup inside it, the export guard, bad input."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest

from crash_helpers import dump
from gtcode.privacy.review import read_review
from privacy_fixtures import PLANTED, T1, build, cli


@pytest.fixture(scope="module")
def before(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built study, never changed: tests copy it."""
    return build(tmp_path_factory.mktemp("privacy") / "w").parent


def _copy(before: Path, tmp_path: Path) -> Path:
    import shutil

    shutil.copytree(before, tmp_path / "w")
    return tmp_path / "w" / "study"


def _rows(study: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(study / "gtcode.db")
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def _table(review: Path) -> dict[str, str]:
    return {e.term: e.pseudonym for e in read_review(review) if e.replaces}


def _replace(text: str, table: dict[str, str]) -> str:
    pattern = re.compile("|".join(re.escape(t) for t in sorted(table, key=len, reverse=True)))
    return pattern.sub(lambda m: table[m.group()], text)


def _scan_and_apply(study: Path) -> tuple[Path, dict[str, str]]:
    cli("anonymize", study, "-q")
    review = study / "private" / "anonymize-review.yaml"
    table = _table(review)
    key = study.parent / "key.yaml"
    cli("anonymize", study, "--apply", review, "--key", key, "--coder", "li", "-q")
    return key, table


def test_apply_replaces_consistently_and_reanchors_every_coding(before, tmp_path) -> None:
    study = _copy(before, tmp_path)
    old_texts = dict(_rows(study, "SELECT id, text FROM sources"))
    old = _rows(study, "SELECT id, source_id, start, end FROM codings ORDER BY id")
    old_segments = _rows(study, "SELECT id, source_id, start, end FROM segments ORDER BY id")
    old_rules = _rows(study, "SELECT r.id, g.source_id, r.evidence FROM rule_codings r "
                             "JOIN segments g ON g.id = r.segment_id ORDER BY r.id")
    _key, table = _scan_and_apply(study)
    assert set(PLANTED) <= set(table)
    texts = dict(_rows(study, "SELECT id, text FROM sources"))
    for source_id, text in texts.items():
        assert text == _replace(old_texts[source_id], table)  # same term, same pseudonym
        assert not any(term in text for term in PLANTED)
    assert "张某某" in "".join(texts.values())  # already masked: left alone
    new = {r[0]: r[1:] for r in _rows(study, "SELECT id, source_id, start, end FROM codings")}
    cut = 0
    for coding_id, source_id, start, end in old:
        wide_start, wide_end = _widen(old_texts[source_id], start, end, table)
        cut += (wide_start, wide_end) != (start, end)
        _src, new_start, new_end = new[coding_id]
        # the passage reads the same apart from the replaced terms; a span that began or
        # ended inside a name now holds its whole pseudonym
        assert texts[source_id][new_start:new_end] == _replace(
            old_texts[source_id][wide_start:wide_end], table), coding_id
    assert cut >= 2 and len(old) >= 8
    for seg_id, source_id, start, end in old_segments:
        (new_start, new_end), = _rows(study, f"SELECT start, end FROM segments WHERE id={seg_id}")
        assert texts[source_id][new_start:new_end] == _replace(
            old_texts[source_id][start:end], table)
    for rule_id, source_id, _evidence in old_rules:
        (evidence,), = _rows(study, f"SELECT evidence FROM rule_codings WHERE id={rule_id}")
        for hit in json.loads(evidence):
            assert texts[source_id][hit["start"]:hit["end"]].lower() == hit["term"].lower()


def _widen(text: str, start: int, end: int, table: dict[str, str]) -> tuple[int, int]:
    """The span grown to every replaced occurrence it begins or ends inside."""
    pattern = re.compile("|".join(re.escape(t) for t in sorted(table, key=len, reverse=True)))
    for m in pattern.finditer(text):
        if m.start() < start < m.end():
            start = m.start()
        if m.start() < end < m.end():
            end = m.end()
    return start, end


def test_memos_speakers_and_the_log_are_pseudonymised_and_the_apply_logged(before,
                                                                           tmp_path) -> None:
    study = _copy(before, tmp_path)
    _key, table = _scan_and_apply(study)
    (title, text), = _rows(study, "SELECT title, text FROM memos")
    assert "王建国" not in title + text and table["王建国"] in title
    speakers = {r[0] for r in _rows(study, "SELECT speaker FROM segments")}
    assert "王建国" not in speakers and table["王建国"] in speakers
    (orphan,), = _rows(study, "SELECT details FROM decisions WHERE action = 'orphaned'")
    assert json.loads(orphan)["passage"] == f"{table['王建国']}的电话{table['13812345678']}"
    conn = sqlite3.connect(study / "gtcode.db")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):  # the log stays guarded
        conn.execute("UPDATE decisions SET coder = 'x'")
    conn.close()
    logged = _rows(study, "SELECT coder, details FROM decisions WHERE action = 'anonymize'")
    assert len(logged) == 1 and logged[0][0] == "li"
    assert not any(term in logged[0][1] for term in PLANTED)
    status = cli("status", study).output
    assert "已假名化" in status and "未审阅的身份信息: 0" in status


def test_the_key_is_outside_the_study_and_in_no_export_or_backup_inside_it(before,
                                                                         tmp_path) -> None:
    study = _copy(before, tmp_path)
    key, table = _scan_and_apply(study)
    assert key.is_file() and study not in key.parents
    assert "王建国" in key.read_text(encoding="utf-8")
    # what holds identifiers outside the study is its owner's alone, from its first byte
    copies = list(key.parent.glob("gtcode-*-before-anonymize.db"))
    assert copies and all(p.stat().st_mode & 0o777 == 0o600 for p in [key, *copies])
    assert 'applied_at: ""' not in key.read_text(encoding="utf-8")
    assert not (study / "private" / "anonymize-review.yaml").exists()
    exports = study / "exports"
    cli("export", study, "--to", "qdpx", "-o", exports / "p.qdpx", "--pseudonymised-only", "-q")
    cli("export", study, "--to", "xlsx", "-o", exports / "g.xlsx", "--pseudonymised-only", "-q")
    cli("export", study, "--to", "csv", "-o", exports / "c.csv", "--pseudonymised-only", "-q")
    cli("report", study, "-o", exports / "r.html", "--pseudonymised-only", "-q")
    cli("memo", "export", study, "-o", exports / "m.md", "--pseudonymised-only", "-q")
    cli("import", study, tmp_path / "w" / "in", "--replace", "-q")  # the originals: no effect
    from gtcode.store.project import Study

    with Study.open(study) as opened:  # a later backup inside the study (a migration's)
        inside = opened.backup("later")
    assert inside.parent == study / "backups"
    key_bytes = key.read_bytes()
    for path in study.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert key_bytes not in data, path
            if path.suffix not in (".qdpx", ".xlsx"):  # zipped: checked unzipped below
                assert "王建国".encode() not in data, path
    import zipfile

    for name in ("p.qdpx", "g.xlsx"):
        with zipfile.ZipFile(exports / name) as archive:
            for member in archive.namelist():
                assert "王建国".encode() not in archive.read(member), (name, member)


def test_export_guard_refuses_unreviewed_terms_and_a_new_source_with_a_replaced_name(
        before, tmp_path) -> None:
    study = _copy(before, tmp_path)
    out = tmp_path / "c.csv"
    refused = cli("export", study, "--to", "csv", "-o", out, "--pseudonymised-only", code=1)
    assert "[E901]" in refused.output and not out.exists()
    cli("export", study, "--to", "csv", "-o", out, "-q")  # without the guard: as before
    out.unlink()
    _scan_and_apply(study)
    cli("export", study, "--to", "csv", "-o", out, "--pseudonymised-only", "-q")
    (tmp_path / "S03.txt").write_text(T1.replace("刘主任", "某主任"), encoding="utf-8")
    cli("import", study, tmp_path / "S03.txt", "-q")
    refused = cli("sheet", "export", study, "-o", tmp_path / "s.xlsx", "--pseudonymised-only",
                  code=1)
    assert "[E901]" in refused.output


def test_a_second_round_keeps_the_pseudonyms_of_the_first(before, tmp_path) -> None:
    study = _copy(before, tmp_path)
    key, table = _scan_and_apply(study)
    (tmp_path / "S03.txt").write_text(T1, encoding="utf-8")
    cli("import", study, tmp_path / "S03.txt", "-q")
    cli("anonymize", study, "--key", key, "-q")
    again = _table(study / "private" / "anonymize-review.yaml")
    assert again["王建国"] == table["王建国"] and again["青山县"] == table["青山县"]


def test_bad_review_file_and_a_key_inside_the_study_change_nothing(before, tmp_path) -> None:
    study = _copy(before, tmp_path)
    cli("anonymize", study, "-q")
    review = study / "private" / "anonymize-review.yaml"
    state = dump(study / "gtcode.db")
    result = cli("anonymize", study, "--apply", review, "--key", study / "key.yaml", code=1)
    assert "[E903]" in result.output and not (study / "key.yaml").exists()
    text = review.read_text(encoding="utf-8")
    broken = tmp_path / "broken.yaml"
    text = text.replace("\n    action: replace\n", "\n    action: maybe\n", 1)
    parts = re.split(r'(\n    pseudonym: "[^"]*")', text, maxsplit=2)
    parts[3] = '\n    pseudonym: ""'  # the second term's pseudonym emptied
    broken.write_text("".join(parts), encoding="utf-8")
    result = cli("anonymize", study, "--apply", broken, "--key", tmp_path / "k.yaml", code=1)
    assert "[E902]" in result.output and "line" in result.output
    assert "王建国" not in result.output  # errors never quote the identifiers
    key = tmp_path / "k2.yaml"
    key.write_text('key:\n  - term: "王建国"\n    kind: person\n    pseudonym: "别名"\n',
                   encoding="utf-8")
    result = cli("anonymize", study, "--apply", review, "--key", key, code=1)
    assert "[E904]" in result.output
    assert dump(study / "gtcode.db") == state and not (tmp_path / "k.yaml").exists()


def test_kept_terms_stay_and_count_as_reviewed(before, tmp_path) -> None:
    study = _copy(before, tmp_path)
    cli("anonymize", study, "-q")
    review = study / "private" / "anonymize-review.yaml"
    text = review.read_text(encoding="utf-8")
    at = text.index('term: "青山县"')
    review.write_text(text[:at] + text[at:].replace("action: replace", "action: keep", 1),
                      encoding="utf-8")
    cli("anonymize", study, "--apply", review, "--key", tmp_path / "k.yaml", "-q")
    texts = "".join(r[0] for r in _rows(study, "SELECT text FROM sources"))
    assert "青山县" in texts and "王建国" not in texts
    cli("export", study, "--to", "csv", "-o", tmp_path / "c.csv", "--pseudonymised-only", "-q")


def test_a_new_scan_never_overwrites_an_edited_review_file_silently(before, tmp_path) -> None:
    study = _copy(before, tmp_path)
    cli("anonymize", study, "-q")
    cli("anonymize", study, "-q")  # as gtcode wrote it: written again
    review = study / "private" / "anonymize-review.yaml"
    edited = review.read_text(encoding="utf-8").replace("action: replace", "action: keep", 2)
    review.write_text(edited, encoding="utf-8")
    result = cli("anonymize", study, code=1)
    assert "[E702]" in result.output and review.read_text(encoding="utf-8") == edited
    cli("anonymize", study, "--force", "-q")
    assert review.read_text(encoding="utf-8") != edited


def test_run_with_the_guard_writes_nothing_until_the_study_is_pseudonymised(tmp_path) -> None:
    from privacy_fixtures import T2

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "S01.txt").write_text(T1, encoding="utf-8")
    (tmp_path / "in" / "S02.txt").write_text(T2, encoding="utf-8")
    out = tmp_path / "out"
    refused = cli("run", tmp_path / "in", "--out", out, "--no-embeddings",
                  "--pseudonymised-only", code=1)
    assert "[E901]" in refused.output
    assert sorted(p.name for p in out.iterdir()) == ["study"]  # the study, no output
    cli("anonymize", out / "study", "-q")
    cli("anonymize", out / "study", "--apply", out / "study" / "private" /
        "anonymize-review.yaml", "--key", tmp_path / "key.yaml", "-q")
    cli("run", tmp_path / "in", "--out", out, "--no-embeddings", "--pseudonymised-only", "-q")
    assert (out / "codings.csv").is_file()
    assert "王建国" not in (out / "codings.csv").read_text(encoding="utf-8")
    assert "王建国".encode() not in (out / "report.html").read_bytes()


def test_the_study_codebook_is_pseudonymised_too(before, tmp_path) -> None:
    """An adopted concept brings passages (and a proposer's words) into codebook.yaml:
    --apply replaces the terms there as everywhere, and the codebook still loads."""
    from gtcode.codebook import load_codebook

    study = _copy(before, tmp_path)
    book = study / "codebook.yaml"
    book.write_text(book.read_text(encoding="utf-8")
                    + "# 例句（采纳自访谈）：王建国说他只是跑了跑关系\n", encoding="utf-8")
    _scan_and_apply(study)
    text = book.read_text(encoding="utf-8")
    assert "王建国" not in text and "例句（采纳自访谈）" in text
    load_codebook(book)
