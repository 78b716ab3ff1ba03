"""CLI: gtcode open, evaluate, sheet export/apply (exit codes and error codes)."""

from __future__ import annotations

import csv
import json

from typer.testing import CliRunner

from gtcode.cli import app
from open_coding_fixtures import make_study
from sheet_helpers import col, mark_xlsx, suggested_segments, xlsx_sheet

runner = CliRunner()
TURNS = {"S01.txt": [("interviewer", "你们送礼吗？"),
                     ("respondent", "逢年过节都要送礼，讲人情世故。圈子文化。"),
                     ("respondent", "工资太低。圈子文化。")]}


def study_dir(tmp_path):
    study, _book = make_study(tmp_path, TURNS)
    study.close()
    return tmp_path / "study"


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_open_and_invivo_only(tmp_path):
    folder = study_dir(tmp_path)
    result = invoke("open", folder, "--quiet")
    assert result.exit_code == 0, result.output
    assert result.stdout == "" and result.stderr == ""
    result = invoke("open", folder)
    assert result.exit_code == 0, result.output
    assert "favour.renqing" in result.stdout and "social_favour" in result.stdout
    assert "圈子文化" in result.stdout
    result = invoke("open", folder, "--invivo-only", "--top", "5")
    assert result.exit_code == 0 and "圈子文化" in result.stdout
    assert "Rule suggestions" not in result.stdout


def test_invivo_candidates_as_json(tmp_path):
    folder = study_dir(tmp_path)
    result = invoke("open", folder, "--invivo-only", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)  # stdout is the JSON and nothing else
    assert isinstance(rows, list) and rows
    assert all({"phrase", "lang", "count", "cases", "sources", "score", "example"} <= set(row)
               for row in rows)
    first = next(row for row in rows if row["phrase"] == "圈子文化")
    assert (first["phrase"], first["lang"], first["count"], first["cases"]) == \
        ("圈子文化", "zh", 2, 1)
    assert first["sources"] == ["S01.txt"] and first["example"]["segment"] == "S01.txt#2"
    # Chinese keeps the formula's score; English is scored by the model (a probability)
    assert {row["ranked_by"] for row in rows if row["lang"] == "zh"} == {"formula"}
    (tmp_path / "en").mkdir()
    study, _book = make_study(tmp_path / "en", {"E01.txt": [
        ("respondent", "We greased the wheels, as everybody did. Then we greased the wheels.")]})
    study.close()
    english = json.loads(invoke("open", tmp_path / "en" / "study", "--invivo-only",
                                "--json").stdout)
    assert english and all(row["lang"] == "en" and row["ranked_by"] == "model"
                           and 0 < row["score"] < 1 for row in english)
    assert "圈子文化" in first["example"]["text"] and "case" in first["example"]
    result = invoke("open", folder, "--json", "--top", "1")  # the whole of open, JSON out
    assert result.exit_code == 0, result.output
    assert [row["phrase"] for row in json.loads(result.stdout)] == [rows[0]["phrase"]]


def test_open_on_a_missing_study(tmp_path):
    result = invoke("open", tmp_path / "nope")
    assert result.exit_code == 1 and "[E301]" in result.stderr


def test_sheet_round_trip_and_refusal(tmp_path):
    folder = study_dir(tmp_path)
    assert invoke("open", folder, "-q").exit_code == 0
    sheet_path = tmp_path / "sheet.xlsx"
    result = invoke("sheet", "export", folder, "-o", sheet_path, "--coder", "li")
    assert result.exit_code == 0, result.output and sheet_path.is_file()
    result = invoke("sheet", "apply", folder, sheet_path, "--coder", "li")
    assert result.exit_code == 0, result.output  # nothing marked: nothing recorded
    assert "0 decided" in result.stderr and "0 accepted" in result.stderr
    marked = mark_xlsx(sheet_path, tmp_path / "marked.xlsx",
                       {seg: ("接受 accept", None) for seg in suggested_segments(sheet_path)})
    result = invoke("sheet", "apply", folder, marked, "--coder", "li")
    assert result.exit_code == 0, result.output
    assert "3 accepted" in result.stderr
    sheet = xlsx_sheet(sheet_path)
    sheet.cell(3, col([c.value for c in sheet[1]], "codes") + 1).value = "made.up"
    sheet.parent.save(sheet_path)
    result = invoke("sheet", "apply", folder, sheet_path, "--coder", "li")
    assert result.exit_code == 1 and "[E402]" in result.stderr and "row 3" in result.stderr
    result = invoke("sheet", "export", folder, "-o", tmp_path / "sheet.txt")
    assert result.exit_code == 1 and "[E102]" in result.stderr
    result = invoke("sheet", "apply", folder, sheet_path)
    assert result.exit_code == 2


def test_evaluate_table_and_json(tmp_path):
    folder = study_dir(tmp_path)
    invoke("open", folder, "-q")
    gold = tmp_path / "gold.csv"
    gold.write_text("file,line,codes\nS01.txt,2,social_favour\nS01.txt,3,economic\n",
                    encoding="utf-8")
    result = invoke("evaluate", folder, gold)
    assert result.exit_code == 0 and "macro" in result.stdout
    result = invoke("evaluate", folder, gold, "--json", "--files", "S01.txt")
    data = json.loads(result.stdout)
    assert data["units"] == 2 and data["macro"]["f1"] == 1.0
    gold.write_text("file,line,codes\nS01.txt,9,economic\n", encoding="utf-8")
    result = invoke("evaluate", folder, gold)
    assert result.exit_code == 1 and "[E405]" in result.stderr


def test_run_writes_rule_codings_and_the_sheet(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "S01.txt").write_text("问：你们送礼吗？\n答：逢年过节都要送礼，讲人情世故。\n"
                                    "问：工资呢？\n答：工资太低了。\n", encoding="utf-8")
    result = invoke("run", folder, "--out", tmp_path / "out", "--no-model")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader((tmp_path / "out" / "codings.csv").open(encoding="utf-8")))
    assert {r["coder"] for r in rows} == {"gtcode-rules"}
    assert {r["category"] for r in rows} >= {"social_favour", "economic"}
    sheet = xlsx_sheet(tmp_path / "out" / "sheet.xlsx")
    assert [r[0] for r in sheet.iter_rows(values_only=True)][1:] == [
        "S01.txt#1", "S01.txt#2", "S01.txt#3", "S01.txt#4"]


def test_blind_sheet_through_the_cli(tmp_path):
    folder = study_dir(tmp_path)
    invoke("open", folder, "-q")
    path = tmp_path / "blind.xlsx"
    result = invoke("sheet", "export", folder, "-o", path, "--blind")
    assert result.exit_code == 0 and "blind sheet, no suggestions" in result.stderr
    header = [c.value for c in xlsx_sheet(path)[1]]
    assert "机器建议 suggestion" not in header and "依据 evidence" not in header
    mark_xlsx(path, path, {"S01.txt#2": (None, "人情"), "S01.txt#3": ("无编码 none", None)})
    result = invoke("sheet", "apply", folder, path, "--coder", "ben")
    assert result.exit_code == 0, result.output
    assert "3 rows read (blind sheet): 2 decided, 1 undecided" in result.stderr
    csv_path = tmp_path / "s.csv"
    result = invoke("sheet", "export", folder, "-o", csv_path)
    assert "no instructions tab" in result.stderr


def test_evaluate_scores_respondent_turns_unless_role_all(tmp_path):
    folder = study_dir(tmp_path)
    invoke("open", folder, "-q")
    gold = tmp_path / "gold.csv"
    gold.write_text("file,line,codes\nS01.txt,1,\nS01.txt,2,social_favour\nS01.txt,3,economic\n",
                    encoding="utf-8")
    result = invoke("evaluate", folder, gold)
    assert "2 gold segments (respondent turns)" in result.stdout
    assert "1 gold row(s) on interviewer turns were not scored" in result.stderr
    data = json.loads(invoke("evaluate", folder, gold, "--json", "--role", "all").stdout)
    assert (data["units"], data["scope"], data["out_of_scope"]) == (3, "all turns", 0)
