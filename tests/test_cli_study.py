"""gtcode init / import / status / run through the command line."""

from __future__ import annotations

import csv
import hashlib
import subprocess
import sys
from pathlib import Path

from tests.conftest import SAMPLE
from typer.testing import CliRunner

from gtcode._version import __version__
from gtcode.cli import app

runner = CliRunner()
TRANSCRIPT = "问：当时压力大吗？\n答：压力很大，上面千条线下面一根针。\n"


def _db_hash(study: Path) -> str:
    return hashlib.sha256((study / "gtcode.db").read_bytes()).hexdigest()


def test_version_and_help() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and __version__ in result.stdout
    for args in (["-h"], ["run", "-h"], ["import", "--help"], ["status", "-h"]):
        assert runner.invoke(app, args).exit_code == 0


def test_python_dash_m_gtcode_runs() -> None:
    done = subprocess.run([sys.executable, "-m", "gtcode", "--version"], capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0 and done.stdout.strip() == f"gtcode {__version__}"


def test_usage_error_is_exit_2() -> None:
    assert runner.invoke(app, ["import"]).exit_code == 2
    assert runner.invoke(app, ["run", "x.txt"]).exit_code == 2  # --out is required


def test_init_import_status(tmp_path: Path) -> None:
    study = tmp_path / "study"
    assert runner.invoke(app, ["init", str(study)]).exit_code == 0
    assert (study / "gtcode.db").is_file() and (study / "codebook.yaml").is_file()
    (tmp_path / "S01.txt").write_text(TRANSCRIPT, encoding="utf-8")
    result = runner.invoke(app, ["import", str(study), str(tmp_path / "S01.txt")])
    assert result.exit_code == 0, result.output
    status = runner.invoke(app, ["status", str(study)])
    assert status.exit_code == 0
    assert "sources" in status.stdout and "segments" in status.stdout


def test_init_twice_is_a_clean_error(tmp_path: Path) -> None:
    study = tmp_path / "study"
    runner.invoke(app, ["init", str(study)])
    result = runner.invoke(app, ["init", str(study)])
    assert result.exit_code == 1
    assert "[E302]" in result.stderr and "Traceback" not in result.output


def test_import_error_names_file_and_changes_nothing(tmp_path: Path) -> None:
    study = tmp_path / "study"
    runner.invoke(app, ["init", str(study)])
    (tmp_path / "S01.txt").write_text(TRANSCRIPT, encoding="utf-8")
    runner.invoke(app, ["import", str(study), str(tmp_path / "S01.txt")])
    before = _db_hash(study)
    (tmp_path / "S01.txt").write_text(TRANSCRIPT + "问：还有吗？\n答：没了。\n", encoding="utf-8")
    result = runner.invoke(app, ["import", str(study), str(tmp_path / "S01.txt")])
    assert result.exit_code == 1
    assert "[E303]" in result.stderr and "S01.txt" in result.stderr and "--replace" in result.stderr
    assert _db_hash(study) == before
    replaced = runner.invoke(app, ["import", str(study), str(tmp_path / "S01.txt"), "--replace"])
    assert replaced.exit_code == 0 and "Backup kept" in replaced.stderr


def test_encoding_option_and_bad_segment_option(tmp_path: Path) -> None:
    study = tmp_path / "study"
    runner.invoke(app, ["init", str(study)])
    (tmp_path / "S01.txt").write_bytes(TRANSCRIPT.encode("big5", errors="ignore"))
    result = runner.invoke(app, ["import", str(study), str(tmp_path / "S01.txt"),
                                 "--encoding", "big5"])
    assert result.exit_code == 0, result.output
    bad = runner.invoke(app, ["import", str(study), str(tmp_path / "S01.txt"),
                              "--segment", "words"])
    assert bad.exit_code == 2 and "Invalid value" in bad.stderr and "'words'" in bad.stderr


def test_status_of_missing_study(tmp_path: Path) -> None:
    result = runner.invoke(app, ["status", str(tmp_path / "nope")])
    assert result.exit_code == 1 and "[E301]" in result.stderr


def test_run_on_sample_writes_codings_and_segments(sample_run) -> None:
    out = sample_run.study.parent
    with open(out / "segments.csv", encoding="utf-8", newline="") as handle:
        segments = list(csv.DictReader(handle))
    assert list(segments[0]) == ["source", "case", "segment", "start", "end", "speaker", "role",
                                 "text"]
    assert {row["source"] for row in segments} == {p.name for p in SAMPLE.iterdir()
                                                   if p.suffix in (".txt", ".docx")}
    assert sum(row["role"] == "respondent" for row in segments) == 254
    with open(out / "codings.csv", encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = list(reader)
    assert header == ["source", "case", "segment", "start", "end", "speaker", "role", "code",
                      "category", "origin", "coder", "text"]
    texts = {(r["source"], r["segment"]): r["text"] for r in segments}
    for row in rows:
        assert row[9] in ("rule", "human", "model", "import")
        assert row[11] and row[11] in texts[(row[0], row[2])]


def test_run_twice_gives_identical_csv(tmp_path: Path) -> None:
    files = [str(SAMPLE / "S01.txt"), str(SAMPLE / "E01.txt")]
    first = runner.invoke(app, ["run", *files, "--out", str(tmp_path / "o"), "--quiet"])
    assert first.exit_code == 0, first.output
    codings = (tmp_path / "o" / "codings.csv").read_bytes()
    again = runner.invoke(app, ["run", *files, "--out", str(tmp_path / "o"), "--quiet"])
    assert again.exit_code == 0 and again.stderr == ""
    assert (tmp_path / "o" / "codings.csv").read_bytes() == codings


def test_import_and_status_name_a_coding_that_lost_its_passage(tmp_path: Path) -> None:
    from gtcode.store.meta import now_iso
    from gtcode.store.project import Study

    study = tmp_path / "study"
    runner.invoke(app, ["init", str(study)])
    (tmp_path / "S01.txt").write_text(TRANSCRIPT, encoding="utf-8")
    runner.invoke(app, ["import", str(study), str(tmp_path / "S01.txt")])
    start = TRANSCRIPT.index("千条线") - TRANSCRIPT.index("压力很大")  # within the answer
    with Study.open(study) as opened, opened.write() as conn:
        seg_id, src, seg_start = conn.execute(
            "SELECT id, source_id, start FROM segments WHERE idx = 2").fetchone()
        conn.execute("INSERT INTO codings(source_id, segment_id, start, end, code_id, origin, "
                     "coder, status, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                     (src, seg_id, seg_start + start, seg_start + start + 3, "resource",
                      "human", "ann", "accepted", now_iso(), now_iso()))
    (tmp_path / "S01.txt").write_text(TRANSCRIPT.replace("千条线", "很多事"), encoding="utf-8")
    replaced = runner.invoke(app, ["import", str(study), str(tmp_path / "S01.txt"), "--replace"])
    assert replaced.exit_code == 0, replaced.output
    assert "1 coding(s) could not be placed" in replaced.stderr
    assert "S01.txt" in replaced.stderr and "resource" in replaced.stderr and "[ann]" in \
        replaced.stderr
    status = runner.invoke(app, ["status", str(study)])
    assert "1 coding(s) could not be placed" in status.stdout and "[ann]" in status.stdout
