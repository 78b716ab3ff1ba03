"""Files for other programs (issue 16): verbatim csv, both REFI-QDA variants, the umask.

- a passage beginning with ``=`` or ``@`` is byte-identical in ``codings.csv``
  (and ``segments.csv``); ``--excel-safe`` guards it;
- ``gtcode run`` writes ``project.qdpx`` (NVivo's UTF-16 units) and
  ``project-codepoints.qdpx`` (code points); ``--positions`` picks one;
- every file gtcode writes follows the umask (0644 under umask 022);
- the project: one PlainTextSelection per coding, dates and users on every
  element whose schema type has them, byte-identical across exports.
"""

from __future__ import annotations

import csv
import io
import os
import stat
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from typer.testing import CliRunner

from gtcode.cli import app
from gtcode.exchange.refi_common import schema_errors

runner = CliRunner()
NS = {"q": "urn:QDA-XML:project:1.0"}
TURNS = ["问：你们那里怎么样？",
         "答：=SUM(A1:A9) 是他们算账的说法，跑项目要钱，送礼 😀 也免不了。",
         "问：然后呢？",
         "答：@王书记 说面子上过不去，人情往来，跑项目。",
         "问：还有吗？",
         "答：-2 度的天也要跑项目，送礼。"]


def gtcode(*args: object) -> str:
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    work = tmp_path_factory.mktemp("files")
    source = work / "T01.txt"
    source.write_text("\n".join(TURNS) + "\n", encoding="utf-8")
    old = os.umask(0o022)
    try:
        gtcode("run", source, "--out", work / "out", "-q")
    finally:
        os.umask(old)
    return work, source


def _rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8"))))


def test_passages_starting_with_formula_characters_are_byte_identical(run):
    work, source = run
    raw = source.read_bytes()
    data = (work / "out" / "codings.csv").read_bytes()
    texts = [row[-1] for row in _rows(work / "out" / "codings.csv")[1:]]
    for marker in ("=SUM(A1:A9)", "@王书记", "-2 度"):
        passage = next(t for t in texts if t.startswith(marker))
        assert passage.encode("utf-8") in raw  # exactly the source's bytes
        assert b"\n" + passage.encode("utf-8") in data or b"," + passage.encode("utf-8") in data
        assert ("'" + passage).encode("utf-8") not in data
    segments = [row[-1] for row in _rows(work / "out" / "segments.csv")[1:]]
    assert any(t.startswith("=SUM(A1:A9)") for t in segments)


def test_excel_safe_guards_them(run, tmp_path):
    work, _source = run
    gtcode("export", work / "out" / "study", "--to", "csv", "-o", tmp_path / "c.csv",
           "--excel-safe", "-q")
    texts = [row[-1] for row in _rows(tmp_path / "c.csv")[1:]]
    assert any(t.startswith("'=SUM(A1:A9)") for t in texts)
    assert any(t.startswith("'@王书记") for t in texts)
    assert not any(t.startswith(("=", "@", "+")) for t in texts)


def test_run_writes_both_position_variants(run):
    work, _source = run
    out = work / "out"
    nvivo, points = out / "project.qdpx", out / "project-codepoints.qdpx"
    text = (work / "T01.txt").read_text(encoding="utf-8")
    emoji_at = text.index("😀")
    starts = {}
    for path in (nvivo, points):
        with zipfile.ZipFile(path) as archive:
            root = etree.fromstring(archive.read("project.qde"))
        assert b"positions=" in etree.tostring(root)
        starts[path.name] = sorted(int(s.get("startPosition")) for s in
                                   root.iterfind(".//q:PlainTextSelection", NS))
    after = [i for i, s in enumerate(starts["project-codepoints.qdpx"]) if s > emoji_at]
    assert after  # codings after the emoji: NVivo counts it twice, code points once
    for i in after:
        assert starts["project.qdpx"][i] == starts["project-codepoints.qdpx"][i] + 1


def test_run_positions_picks_one(tmp_path):
    source = tmp_path / "T01.txt"
    source.write_text("\n".join(TURNS) + "\n", encoding="utf-8")
    gtcode("run", source, "--out", tmp_path / "out", "--positions", "codepoints", "-q")
    assert not (tmp_path / "out" / "project-codepoints.qdpx").exists()
    with zipfile.ZipFile(tmp_path / "out" / "project.qdpx") as archive:
        assert b"positions=codepoints" in archive.read("project.qde")
    bad = runner.invoke(app, ["run", str(source), "--out", str(tmp_path / "x"),
                              "--positions", "utf8"])
    assert bad.exit_code == 2


@pytest.mark.skipif(os.name == "nt", reason="POSIX file modes")
def test_files_follow_the_umask(run, tmp_path):
    work, source = run
    written = [p for p in (work / "out").iterdir() if p.is_file()]
    assert len(written) >= 10
    for path in written:
        assert stat.S_IMODE(path.stat().st_mode) == 0o644, path.name
    old = os.umask(0o077)
    try:
        gtcode("export", work / "out" / "study", "--to", "csv", "-o", tmp_path / "p.csv", "-q")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "p.csv").stat().st_mode) == 0o600


def test_one_selection_per_coding_with_dates_and_users(run, tmp_path):
    work, _source = run
    study = work / "out" / "study"
    gtcode("export", study, "--to", "qdpx", "-o", tmp_path / "a.qdpx", "-q")
    gtcode("export", study, "--to", "qdpx", "-o", tmp_path / "b.qdpx", "-q")
    assert (tmp_path / "a.qdpx").read_bytes() == (tmp_path / "b.qdpx").read_bytes()
    with zipfile.ZipFile(tmp_path / "a.qdpx") as archive:
        qde = archive.read("project.qde")
    assert schema_errors(qde, "project") == []
    root = etree.fromstring(qde)
    users = {u.get("guid") for u in root.iterfind("q:Users/q:User", NS)}
    assert all(u.get("name") for u in root.iterfind("q:Users/q:User", NS))
    selections = root.findall(".//q:PlainTextSelection", NS)
    codings = root.findall(".//q:Coding", NS)
    assert selections and len(codings) == len(selections)
    assert all(len(s.findall("q:Coding", NS)) == 1 for s in selections)
    dated = [root, *root.iterfind(".//q:TextSource", NS), *selections,
             *root.iterfind(".//q:Note", NS)]
    for element in dated:
        user_key = "creatingUserGUID" if element is root else "creatingUser"
        assert element.get("creationDateTime") and element.get("modifiedDateTime"), element.tag
        assert element.get(user_key) in users, element.tag
    for coding in codings:
        assert coding.get("creatingUser") in users and coding.get("creationDateTime")
    names = [n.get("name") for n in root.iterfind(".//q:Note", NS)]
    assert "gtcode codebook.yaml" in names and "gtcode study state.json" in names
