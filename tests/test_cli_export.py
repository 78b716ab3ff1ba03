"""``gtcode export`` and ``gtcode init --from`` through the command line."""

from __future__ import annotations

import csv
import zipfile

import pytest
from typer.testing import CliRunner

from gtcode.cli import app
from gtcode.exchange.refi_common import schema_errors
from refi_helpers import build_study, make_zip

runner = CliRunner()


@pytest.fixture(scope="module")
def study_dir(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cli-export")
    build_study(tmp).close()
    return tmp / "study"


def gtcode(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def test_export_qdpx_and_init_from_it(study_dir, tmp_path):
    out = tmp_path / "p.qdpx"
    result = gtcode("export", study_dir, "--to", "qdpx", "-o", out, "--positions", "codepoints")
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as archive:
        assert schema_errors(archive.read("project.qde"), "project") == []
    result = gtcode("init", tmp_path / "back", "--from", out)
    assert result.exit_code == 0, result.output
    assert "8 codings" in result.output and "codepoints" in result.output
    result = gtcode("export", tmp_path / "back", "--to", "csv", "-o", tmp_path / "back.csv")
    assert result.exit_code == 0, result.output
    original = gtcode("export", study_dir, "--to", "csv", "-o", tmp_path / "orig.csv")
    assert original.exit_code == 0
    back, orig = _rows(tmp_path / "back.csv"), _rows(tmp_path / "orig.csv")
    # a rule suggestion a human rejected is in neither codings.csv nor the exchange
    rejected = [r for r in orig if r[0] == "S02.txt" and r[7] == "resource.funding.gap"
                and r[9] == "gtcode-rules"]
    assert rejected == []
    assert back == orig
    assert len(back) == 8


def _rows(path):
    """codings.csv rows without the origin column (import vs human/rule)."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][9] == "origin"
    return sorted(r[:9] + r[10:] for r in rows[1:])


@pytest.mark.parametrize(("to", "name", "check"), [
    ("qdc", "b.qdc", b"urn:QDA-XML:codebook:1.0"),
    ("classification", "c.csv", "Person,年龄".encode()),
    ("matrix", "m.csv", "case,资源压力,人情压力".encode()),
])
def test_other_formats(study_dir, tmp_path, to, name, check):
    result = gtcode("export", study_dir, "--to", to, "-o", tmp_path / name)
    assert result.exit_code == 0, result.output
    assert check in (tmp_path / name).read_bytes()


def test_matrix_options(study_dir, tmp_path):
    result = gtcode("export", study_dir, "--to", "matrix", "--rows", "性别", "--cell", "words",
                    "--level", "concept", "-o", tmp_path / "m.csv")
    assert result.exit_code == 0, result.output
    lines = (tmp_path / "m.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("性别,") and lines[1].startswith("女,")


def test_default_output_goes_to_the_exports_folder(study_dir):
    result = gtcode("export", study_dir, "--to", "qdc")
    assert result.exit_code == 0, result.output
    assert (study_dir / "exports" / "codebook.qdc").is_file()


def test_unknown_format_and_options(study_dir, tmp_path):
    result = gtcode("export", study_dir, "--to", "pdf")
    assert result.exit_code == 2 and "Invalid value" in result.output and "'pdf'" in result.output
    result = gtcode("export", study_dir, "--to", "qdpx", "--positions", "bytes",
                    "-o", tmp_path / "x.qdpx")
    assert result.exit_code == 2 and "Invalid value" in result.output and "'bytes'" in result.output
    assert not (tmp_path / "x.qdpx").exists()
    result = gtcode("export", tmp_path / "nothing", "--to", "qdpx")
    assert result.exit_code == 1 and "[E301]" in result.output


def test_init_from_a_hostile_archive(tmp_path):
    path = make_zip(tmp_path / "evil.qdpx", {"project.qde": b"<Project/>", "../x.txt": b"x"})
    result = gtcode("init", tmp_path / "s", "--from", path)
    assert result.exit_code == 1 and "[E502]" in result.output
    assert not (tmp_path / "s").exists()
    result = gtcode("init", tmp_path / "s", "--from", path, "--positions", "bytes")
    assert result.exit_code == 2 and not (tmp_path / "s").exists()


def test_run_writes_the_exchange_files(sample_run):
    out = sample_run.study.parent
    for name in ("project.qdpx", "codebook.qdc", "classification.xlsx"):
        assert out / name in sample_run.outputs and (out / name).is_file()
    with zipfile.ZipFile(out / "project.qdpx") as archive:
        assert schema_errors(archive.read("project.qde"), "project") == []
    assert schema_errors((out / "codebook.qdc").read_bytes(), "codebook") == []


def test_codebook_import_from_a_qdc(study_dir, tmp_path):
    assert gtcode("export", study_dir, "--to", "qdc", "-o", tmp_path / "b.qdc").exit_code == 0
    result = gtcode("codebook", "import", tmp_path / "b.qdc", "-o", tmp_path / "codebook.yaml")
    assert result.exit_code == 0, result.output
    result = gtcode("codebook", "validate", tmp_path / "codebook.yaml")
    assert result.exit_code == 0, result.output
    text = (tmp_path / "codebook.yaml").read_text(encoding="utf-8")
    assert "name: 缺钱 😀" in text and "definition: 资源不足带来的压力" in text
    result = gtcode("codebook", "import", tmp_path / "missing.qdc", "-o", tmp_path / "x.yaml")
    assert result.exit_code == 1 and "[E101]" in result.output


def test_docx_table_style_and_title(study_dir, tmp_path):
    import docx

    result = gtcode("export", study_dir, "--to", "docx", "--table-style", "grid", "--title",
                    "村干部研究", "-o", tmp_path / "t.docx")
    assert result.exit_code == 0, result.output
    assert "(grid)" in result.output
    document = docx.Document(tmp_path / "t.docx")
    assert document.paragraphs[0].text == "村干部研究"
    assert document.tables[0].style.name == "Table Grid"
    bad = gtcode("export", study_dir, "--to", "docx", "--table-style", "fancy",
                 "-o", tmp_path / "u.docx")
    assert bad.exit_code == 2 and "'fancy'" in bad.output and not (tmp_path / "u.docx").exists()


def test_run_draws_the_network_as_png_and_svg(sample_run):
    from gtcode.exports.network import find_cjk_font

    out = sample_run.study.parent
    assert out / "network.png" in sample_run.outputs and out / "network.svg" in sample_run.outputs
    font_warnings = [w for w in sample_run.warnings if "CJK" in w]
    assert len(font_warnings) == (0 if find_cjk_font() else 1)
