"""`gtcode codebook ...`: validate, show, new, diff, export, schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gtcode.cli import app
from gtcode.codebook import load_codebook

FIXTURES = Path(__file__).parent / "fixtures" / "codebooks"
SMALL = FIXTURES / "small.yaml"
XSD = Path(__file__).resolve().parents[2] / "shared" / "spec" / "refi-qda" / \
    "Codebook-mrt2019.xsd"

runner = CliRunner()


def gtcode(*args: object):
    return runner.invoke(app, ["codebook", *map(str, args)])


def marked_line(path: Path, marker: str = "# PROBLEM") -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if marker in line)


# -- validate ------------------------------------------------------------------------------


def test_validate_the_builtin_codebook_exits_0():
    result = gtcode("validate", "codebooks/six-pressures.yaml")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("OK codebooks/six-pressures.yaml")
    assert "6 category" in result.stdout and result.stderr == ""


def test_validate_by_builtin_name():
    assert gtcode("validate", "six-pressures").exit_code == 0


@pytest.mark.parametrize("name", ["duplicate_id.yaml", "cycle.yaml", "unknown_key.yaml",
                                  "unknown_parent.yaml", "bad_regex.yaml", "empty_term.yaml",
                                  "level_order.yaml"])
def test_validate_a_bad_codebook_exits_1_naming_the_line(name):
    path = FIXTURES / name
    result = gtcode("validate", path)
    assert result.exit_code == 1
    assert "[E202]" in result.stderr and result.stdout == ""
    assert f"{path}:{marked_line(path)} " in result.stderr


def test_validate_lists_all_five_problems():
    path = FIXTURES / "five_problems.yaml"
    result = gtcode("validate", path)
    assert result.exit_code == 1
    assert "5 problems" in result.stderr
    assert sum(1 for line in result.stderr.splitlines()
               if line.strip().startswith(f"{path}:")) == 5


def test_validate_yaml_that_does_not_parse_is_e201():
    path = FIXTURES / "not_yaml.yaml"
    result = gtcode("validate", path)
    assert result.exit_code == 1 and "[E201]" in result.stderr
    assert f"{path}:{marked_line(path) + 1}:" in result.stderr


def test_validate_shows_warnings_but_passes():
    result = gtcode("validate", FIXTURES / "duplicate_term.yaml")
    assert result.exit_code == 0
    assert "warning:" in result.stderr and "'红包'" in result.stderr


def test_unknown_builtin_name_is_e203():
    result = gtcode("validate", "seven-pressures")
    assert result.exit_code == 1 and "[E203]" in result.stderr
    assert "six-pressures" in result.stderr


# -- show ------------------------------------------------------------------------------------


def test_show_table_and_tree_in_both_languages():
    table = gtcode("show", SMALL)
    assert table.exit_code == 0
    assert "resource.project_chasing" in table.stdout and "跑项目" in table.stdout
    tree = gtcode("show", "six-pressures", "--tree", "--lang", "en")
    assert tree.exit_code == 0
    assert "Pressure of resources for getting things done" in tree.stdout
    assert "social_favour.face" in tree.stdout and "因果条件" in tree.stdout


def test_show_a_study_counts_codings(tmp_path):
    transcript = tmp_path / "T01.txt"
    transcript.write_text("问：最难的是什么？\n答：一年到头就是跑项目，跑部钱进。\n"
                          "问：工资呢？\n答：工资太低了。\n", encoding="utf-8")
    study = tmp_path / "study"
    for args in (["init", study, "--codebook", SMALL], ["import", study, transcript],
                 ["open", study]):
        result = runner.invoke(app, [str(a) for a in args])
        assert result.exit_code == 0, result.stderr
    shown = gtcode("show", study, "--tree")
    assert shown.exit_code == 0, shown.stderr
    assert "sources/references" in shown.stdout
    def count(code_id: str) -> str:
        line = next(x for x in shown.stdout.splitlines() if f" {code_id} " in x)
        return line.split()[-1]

    assert count("pressure_corruption") == "1/2"  # two segments roll up to the core
    assert count("resource.project_chasing") == "1/1"
    assert count("economic.low_salary") == "1/2"  # 跑项目 is also one of its terms


# -- new -------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_new_writes_a_template_that_validates(tmp_path, lang):
    path = tmp_path / "mine.yaml"
    result = gtcode("new", path, "--lang", lang)
    assert result.exit_code == 0, result.stderr
    assert path.read_text(encoding="utf-8").startswith(
        "# yaml-language-server: $schema=codebook.schema.json\n")
    assert json.loads((tmp_path / "codebook.schema.json").read_text(encoding="utf-8"))
    assert gtcode("validate", path).exit_code == 0


def test_new_refuses_to_overwrite(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("keep me", encoding="utf-8")
    result = gtcode("new", path)
    assert result.exit_code == 1 and "[E701]" in result.stderr
    assert path.read_text(encoding="utf-8") == "keep me"
    assert gtcode("new", path, "--force", "--no-schema").exit_code == 0
    assert not (tmp_path / "codebook.schema.json").exists()


# -- diff ------------------------------------------------------------------------------------


def test_diff_reports_each_kind_of_change(tmp_path):
    text = SMALL.read_text(encoding="utf-8")
    text = (text.replace("name: 工资低", "name: 工资偏低")                       # renamed
                .replace("parent: economic\n", "parent: resource\n")          # moved
                .replace("收入低，不够家用。", "收入低，难以养家。")              # redefined
                .replace("  - id: economic.low_salary", "  - id: economic.debts\n"
                         "    name: 欠债\n    level: concept\n    parent: economic\n"
                         "  - id: economic.low_salary"))                       # added
    newer = tmp_path / "newer.yaml"
    newer.write_text(text, encoding="utf-8")
    result = gtcode("diff", SMALL, newer)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert any(line.startswith("added") and "economic.debts" in line for line in lines)
    assert any(line.startswith("renamed") and "工资低 -> 工资偏低" in line for line in lines)
    assert any(line.startswith("moved") and "economic -> resource" in line for line in lines)
    assert any(line.startswith("redefined") and "definition" in line for line in lines)
    as_json = json.loads(gtcode("diff", newer, SMALL, "--json").stdout)
    assert {"kind": "removed", "code_id": "economic.debts", "detail": "欠债"} in \
        as_json["changes"]


def test_diff_counts_terms_moved_into_a_near_rule(tmp_path):
    pad = " " * 18
    text = SMALL.read_text(encoding="utf-8").replace(
        "zh: [跑项目, 跑部钱进, 争取资金]", "zh: [跑项目, 跑部钱进]", 1).replace(
        f"{pad}  en: [chase projects, project funding]\n",
        f"{pad}  en: [chase projects, project funding]\n{pad}near:\n"
        f"{pad}  - terms: {{zh: [争取资金]}}\n{pad}    context: {{zh: [县里]}}\n", 1)
    near = tmp_path / "near.yaml"
    near.write_text(text, encoding="utf-8")
    changes = json.loads(gtcode("diff", SMALL, near, "--json").stdout)["changes"]
    assert [c["detail"] for c in changes if c["kind"] == "rules"] == ["-1 terms, +1 near terms"]
    other = tmp_path / "other.yaml"
    other.write_text(text.replace("context: {zh: [县里]}", "context: {zh: [市里]}"),
                     encoding="utf-8")
    changes = json.loads(gtcode("diff", near, other, "--json").stdout)["changes"]
    assert [c["detail"] for c in changes] == [
        "not-terms, context words, scopes, boundary or regex"]


def test_diff_of_identical_codebooks():
    result = gtcode("diff", SMALL, SMALL)
    assert result.exit_code == 0 and "No code changed." in result.stdout


def test_diff_detects_a_changed_id(tmp_path):
    newer = tmp_path / "newer.yaml"
    newer.write_text(SMALL.read_text(encoding="utf-8").replace(
        "economic.low_salary", "economic.low_pay"), encoding="utf-8")
    result = gtcode("diff", SMALL, newer)
    assert "renamed    economic.low_pay  id economic.low_salary -> economic.low_pay" in \
        result.stdout


# -- export ----------------------------------------------------------------------------------


def test_export_xlsx_reads_back(tmp_path):
    from openpyxl import load_workbook

    target = tmp_path / "book.xlsx"
    result = gtcode("export", "six-pressures", "--to", "xlsx", "--out", target)
    assert result.exit_code == 0, result.stderr
    sheet = load_workbook(target)["codebook"]
    rows = list(sheet.iter_rows(values_only=True))
    book = load_codebook("six-pressures")
    assert rows[0][0] == "id" and len(rows) == len(book.codes) + 1
    by_id = {row[0]: row for row in rows[1:]}
    assert by_id["resource.project_chasing"][3] == "resource"
    assert "跑部钱进" in by_id["resource.project_chasing"][12]
    assert rows[0][15] == "near 须同现"
    near = by_id["subculture.everyone_does_it"][15]
    assert "都这样" in near and " — near zh: 拿 | 收" in near and "(within 80 characters)" in near
    assert by_id["subculture.take_it_anyway"][14].endswith(" (sentence)")  # not_scope
    again = tmp_path / "again.xlsx"
    gtcode("export", "six-pressures", "--to", "xlsx", "--out", again)
    assert again.read_bytes() == target.read_bytes()  # deterministic


def test_export_markdown(tmp_path):
    target = tmp_path / "book.md"
    assert gtcode("export", SMALL, "--to", "md", "-o", target).exit_code == 0
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# 小型测试编码手册\n")
    assert "#### 跑项目 / Running after projects `resource.project_chasing`" in text
    assert "- **Not 否定词 (zh)**: 自然资源" in text
    assert "Near" not in text  # SMALL has no near rules


def test_export_markdown_shows_near_rules_and_the_not_scope(tmp_path):
    target = tmp_path / "book.md"
    assert gtcode("export", "six-pressures", "--to", "md", "-o", target).exit_code == 0
    text = target.read_text(encoding="utf-8")
    assert "- **Near 须同现**: zh: 都这样 · " in text
    assert "(within 80 characters)" in text and "(within 300 characters)" in text
    assert "- **Not scope 否定范围**: sentence" in text


def test_export_qdc_validates_against_the_refi_qda_schema(tmp_path):
    lxml = pytest.importorskip("lxml.etree")
    if not XSD.is_file():
        pytest.skip("REFI-QDA schema not available")
    target = tmp_path / "book.qdc"
    assert gtcode("export", "six-pressures", "--to", "qdc", "-o", target).exit_code == 0
    schema = lxml.XMLSchema(lxml.parse(str(XSD)))
    document = lxml.parse(str(target))
    assert schema.validate(document), schema.error_log
    ns = {"q": "urn:QDA-XML:codebook:1.0"}
    codes = document.findall(".//q:Code", ns)
    assert len(codes) == len(load_codebook("six-pressures").codes)
    top = document.find("q:Codes/q:Code", ns)
    assert top.get("isCodable") == "false"  # the core
    assert all(c.get("isCodable") == "true" for c in codes if c is not top)
    assert document.findall(".//q:Set", ns)  # paradigm sets, never an empty <Sets/>
    again = tmp_path / "again.qdc"
    gtcode("export", "six-pressures", "--to", "qdc", "-o", again)
    assert again.read_bytes() == target.read_bytes()


def test_export_unknown_format_is_a_usage_error(tmp_path):
    result = gtcode("export", SMALL, "--to", "pdf", "-o", tmp_path / "x.pdf")
    assert result.exit_code == 2 and "Invalid value" in result.stderr and "'pdf'" in result.stderr
    assert not (tmp_path / "x.pdf").exists()


# -- schema ----------------------------------------------------------------------------------


def test_schema_prints_json_schema():
    result = gtcode("schema")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert schema["additionalProperties"] is False
    code = schema["$defs"]["CodeNode"]
    assert code["additionalProperties"] is False
    assert "not" in schema["$defs"]["Rules"]["properties"]
    assert schema["$defs"]["Rules"]["properties"]["not_scope"]["enum"] == ["segment", "sentence"]
    near = schema["$defs"]["NearRule"]
    assert near["additionalProperties"] is False and near["required"] == ["terms", "context"]
    assert code["properties"]["level"]["enum"] == ["core", "category", "subcategory",
                                                   "concept"]


def test_schema_to_a_file(tmp_path):
    target = tmp_path / "codebook.schema.json"
    assert gtcode("schema", "-o", target).exit_code == 0
    assert json.loads(target.read_text(encoding="utf-8"))["title"] == "gtcode codebook"


def test_code_guids_match_the_study_export():
    from gtcode.codebook.export import code_guid
    from gtcode.exchange.refi_common import make_guid

    assert code_guid("resource.project_chasing") == make_guid("code", "resource.project_chasing")
