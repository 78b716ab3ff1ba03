"""The axial, selective and memo commands through typer's CliRunner."""

import pytest
from typer.testing import CliRunner

from axial_study import build_study
from gtcode.cli import app
from gtcode.store.analysis import storyline_rows
from gtcode.store.project import Study

runner = CliRunner()


@pytest.fixture
def study_dir(tmp_path):
    study, _ = build_study(tmp_path / "s")
    study.close()
    return tmp_path / "s"


def _run(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_axial_prints_matrix_cooccurrence_and_relations(study_dir, tmp_path):
    result = _run("axial", study_dir, "--network", tmp_path / "net")
    assert result.exit_code == 0, result.output
    assert "资源压力" in result.stdout and "candidate relations" in result.stdout
    assert "3 category pairs co-occur" in result.stderr
    assert (tmp_path / "net" / "network.graphml").exists()
    assert (tmp_path / "net" / "network.png").read_bytes()[:4] == b"\x89PNG"
    assert (tmp_path / "net" / "network.svg").read_bytes().startswith(b"<?xml")
    by = _run("axial", study_dir, "--by", "level", "--percent", "row", "--measure", "jaccard",
              "--lang", "en")
    assert by.exit_code == 0 and "Resource" in by.stdout and "村级" in by.stdout


def test_axial_errors(study_dir):
    result = _run("axial", study_dir, "--by", "crime")
    assert result.exit_code == 1 and "[E306]" in result.stderr


@pytest.mark.parametrize("args", [["--cell", "bytes"], ["--measure", "cosine"],
                                  ["--percent", "cell"], ["--lang", "fr"], ["--unit", "word"],
                                  ["--level", "theme"]])
def test_axial_option_values_are_choices(study_dir, args):
    result = _run("axial", study_dir, *args)
    assert result.exit_code == 2 and "Invalid value" in result.stderr and f"'{args[1]}'" in result.stderr


def test_axial_needs_a_study(tmp_path):
    result = _run("axial", tmp_path / "none")
    assert result.exit_code == 1 and "[E301]" in result.stderr


def test_selective_holdout_edit_and_quote(study_dir):
    passed = _run("selective", study_dir, "--holdout-cases", "S3", "--permutations", "20")
    assert passed.exit_code == 0, passed.output
    assert "hold-out test: passed" in passed.stdout
    assert "hold-out test passed (S3 held out)" in passed.stderr
    assert "  hold-out test passed: the 1 held-out interview(s) fit" in passed.stderr
    failed = _run("selective", study_dir, "--holdout", "1", "--permutations", "20",
                  "--count", "all")  # S4's new relation is the machine's
    assert "hold-out test: failed" in failed.stdout
    assert "counted every coding that counts, human and machine" in failed.stdout
    # the result is explained right where it first appears
    lines = failed.stderr.splitlines()
    at = next(i for i, line in enumerate(lines) if "hold-out test failed (S4 held out)" in line)
    assert lines[at + 1].startswith("  hold-out test failed: the 1 held-out interview(s)")
    human = _run("selective", study_dir, "--holdout", "1", "--permutations", "20")
    assert "hold-out test: passed" in human.stdout  # S4 has no human coding: nothing new
    assert "counted concepts used by human coders" in human.stdout
    edited = _run("selective", study_dir, "--edit", "core:res", "--text", "我的解释。",
                  "--author", "ana", "--quote", "res=S2.txt#2", "--permutations", "20")
    assert edited.exit_code == 0, edited.output
    assert "(S4 held out)" in edited.stderr  # the split chosen is kept
    again = _run("selective", study_dir, "--permutations", "20")
    assert again.exit_code == 0 and "我的解释。" in again.stdout
    with Study.open(study_dir) as study:
        rows = storyline_rows(study.conn)
    assert rows["core:res"].edited and rows["core:res"].author == "ana"
    assert rows["quote:res"].text == "S2.txt#2"


def test_a_quote_without_its_code_is_refused_and_changes_nothing(study_dir):
    with Study.open(study_dir) as study:
        before = storyline_rows(study.conn)
    result = _run("selective", study_dir, "--edit", "core:res", "--text", "我的解释。",
                  "--quote", "res=S2.txt#2", "--quote", "eco=S2.txt#3", "--permutations", "20")
    assert result.exit_code == 1 and "[E605]" in result.stderr
    assert "--quote eco=S2.txt#3" in result.stderr and result.stderr.count("\n") == 1
    with Study.open(study_dir) as study:
        assert storyline_rows(study.conn) == before


def test_quiet_axial_and_selective_print_nothing(study_dir):
    for command in (["axial"], ["selective", "--permutations", "20"]):
        result = _run(*command[:1], study_dir, *command[1:], "-q")
        assert result.exit_code == 0, result.output
        assert result.stdout == "" and result.stderr == ""
        loud = _run(*command[:1], study_dir, *command[1:])
        assert len(loud.stdout) > 500


def test_selective_edit_from_file(study_dir, tmp_path):
    text = tmp_path / "story.txt"
    text.write_text("故事线：资源与人情交织。\n", encoding="utf-8")
    result = _run("selective", study_dir, "--edit", "storyline", "--from-file", text,
                  "--permutations", "20")
    assert result.exit_code == 0 and "故事线：资源与人情交织。" in result.stdout


@pytest.mark.parametrize("args, code", [
    (["--holdout-cases", "S9"], "[E306]"),
    (["--holdout", "4"], "[E601]"),
    (["--edit", "core:nothing", "--text", "x"], "[E306]"),
    (["--quote", "res=S1.txt#1"], "[E306]")])
def test_selective_errors(study_dir, args, code):
    result = _run("selective", study_dir, "--permutations", "20", *args)
    assert result.exit_code == 1 and code in result.stderr, result.output


@pytest.mark.parametrize("args, option", [
    (["--holdout", "1", "--holdout-cases", "S2"], "--holdout-cases"),
    (["--holdout-random", "--holdout-cases", "S2"], "--holdout-random"),
    (["--edit", "core:res"], "--edit"),
    (["--edit", "core:res", "--text", "x", "--from-file", "x.txt"], "--text"),
    (["--quote", "res"], "--quote"),
    (["--base", "0"], "--base"),
    (["--run", "0"], "--run")])
def test_selective_usage_errors(study_dir, args, option):
    result = _run("selective", study_dir, "--permutations", "20", *args)
    assert result.exit_code == 2 and "Invalid value" in result.stderr, result.output
    assert option in result.stderr


def test_memo_commands(study_dir, tmp_path):
    added = _run("memo", "add", study_dir, "--on", "code:res", "--text", "项目制。",
                 "--title", "资源", "--author", "ana")
    assert added.exit_code == 0 and "Memo 1 on code:res" in added.stderr
    note = tmp_path / "note.md"
    note.write_text("来自文件的备忘。", encoding="utf-8")
    assert _run("memo", "add", study_dir, "--on", "segment:S1.txt#4", "--file", note,
                "--author", "ben").exit_code == 0
    listed = _run("memo", "list", study_dir)
    assert listed.exit_code == 0 and "code:res" in listed.stdout and "ben" in listed.stdout
    only = _run("memo", "list", study_dir, "--on", "segment:S1.txt#4")
    assert "code:res" not in only.stdout
    shown = _run("memo", "show", study_dir, "1")
    assert shown.exit_code == 0 and "项目制。" in shown.stdout and "ana" in shown.stdout
    exported = _run("memo", "export", study_dir, "-o", tmp_path / "m.md")
    assert exported.exit_code == 0
    assert "来自文件的备忘。" in (tmp_path / "m.md").read_text(encoding="utf-8")


def test_memo_editor(study_dir, monkeypatch):
    monkeypatch.setattr("click.edit", lambda text: "编辑器里写的。\n# ignored\n")
    result = _run("memo", "add", study_dir, "--on", "case:S2", "--author", "ana")
    assert result.exit_code == 0
    assert "编辑器里写的。" in _run("memo", "show", study_dir, "1").stdout
    monkeypatch.setattr("click.edit", lambda text: None)
    closed = _run("memo", "add", study_dir, "--on", "case:S2")
    assert closed.exit_code == 1 and "[E112]" in closed.stderr


@pytest.mark.parametrize("args, code", [
    (["add", "--on", "case:S9", "--text", "x"], "[E306]"),
    (["add", "--on", "theme:x", "--text", "x"], "[E112]"),
    (["show", "7"], "[E306]"),
    (["export", "-o", "m.pdf"], "[E112]")])
def test_memo_errors(study_dir, args, code):
    command, rest = args[0], args[1:]
    result = _run("memo", command, study_dir, *rest)
    assert result.exit_code == 1 and code in result.stderr, result.output


def test_memo_usage_errors(study_dir, tmp_path):
    result = _run("memo", "add", study_dir, "--text", "x")
    assert result.exit_code == 2 and "--on" in result.stderr
    note = tmp_path / "n.md"
    note.write_text("x", encoding="utf-8")
    result = _run("memo", "add", study_dir, "--on", "study", "--text", "x", "--file", note)
    assert result.exit_code == 2 and "--text" in result.stderr


def test_export_xlsx_and_docx_use_the_last_selective_options(study_dir, tmp_path):
    import docx
    import openpyxl

    assert _run("selective", study_dir, "--holdout-cases", "S3",
                "--permutations", "20").exit_code == 0
    xlsx = _run("export", study_dir, "--to", "xlsx")
    assert xlsx.exit_code == 0, xlsx.output
    book = openpyxl.load_workbook(study_dir / "exports" / "gtcode.xlsx")
    held = book["饱和度检验"]
    assert held["A2"].value == "S3" and held["D3"].value == "通过"
    out = tmp_path / "paper.docx"
    assert _run("export", study_dir, "--to", "docx", "-o", out).exit_code == 0
    assert docx.Document(out).paragraphs[0].text == "扎根理论编码表"


def test_texts_are_never_read_as_markup(study_dir):
    assert _run("memo", "add", study_dir, "--on", "study", "--text", "[red]x[/] [bold",
                "--title", "[t]").exit_code == 0
    listed = _run("memo", "list", study_dir)
    assert listed.exit_code == 0 and "[red]x[/]" in listed.stdout
    assert "[red]x[/] [bold" in _run("memo", "show", study_dir, "1").stdout
    edited = _run("selective", study_dir, "--edit", "storyline", "--text", "[b]故事[/b]",
                  "--permutations", "10")
    assert edited.exit_code == 0 and "[b]故事[/b]" in edited.stdout


def test_export_in_english(study_dir, tmp_path):
    import openpyxl

    out = tmp_path / "en.xlsx"
    result = _run("export", study_dir, "--to", "xlsx", "--lang", "en", "-o", out)
    assert result.exit_code == 0, result.output
    assert openpyxl.load_workbook(out).sheetnames[0] == "Open coding"
    bad = _run("export", study_dir, "--to", "docx", "--lang", "fr")
    assert bad.exit_code == 2 and "Invalid value" in bad.stderr and "'fr'" in bad.stderr
