"""Round trip: a codebook the tool edits keeps the researcher's comments and key order."""

from __future__ import annotations

from pathlib import Path

from gtcode.codebook import (
    CodebookDocument,
    builtin_path,
    codebook_to_data,
    dump_codebook,
    load_codebook,
)
from gtcode.codebook.yaml_io import dumps_yaml

FIXTURES = Path(__file__).parent / "fixtures" / "codebooks"
SMALL = FIXTURES / "small.yaml"


def test_load_and_dump_without_edits_gives_the_same_bytes(tmp_path):
    for source in (SMALL, builtin_path("six-pressures")):
        target = tmp_path / source.name
        dump_codebook(CodebookDocument.load(source), target)
        assert target.read_bytes() == source.read_bytes(), source.name


def test_an_edit_keeps_comments_and_key_order(tmp_path):
    doc = CodebookDocument.load(SMALL)
    code = doc.find_code("economic.low_salary")
    code["definition"] = "收入低，养家困难。"
    code["rules"]["terms"]["zh"].append("死工资")
    target = doc.dump(tmp_path / "edited.yaml")
    text = target.read_text(encoding="utf-8")
    for comment in ("# A small codebook for tests: nested and flat codes mixed.",
                    "# the core category / 核心范畴",
                    "# Flat form: the parent is named instead of nesting.",
                    "# 跑项目 repeats a term of another code: a warning",
                    "# yaml-language-server: $schema=codebook.schema.json"):
        assert comment in text
    assert "definition: 收入低，养家困难。" in text
    assert "zh: [工资低, 工资太低, 跑项目, 死工资]" in text
    assert list(CodebookDocument.load(target).find_code("economic.low_salary")) == [
        "id", "name", "name_en", "level", "parent", "definition", "include", "exclude",
        "examples", "memo", "rules"]
    book = load_codebook(target)
    assert book.by_id["economic.low_salary"].rules.terms["zh"][-1] == "死工资"


def test_only_the_edited_line_changes():
    doc = CodebookDocument.load(SMALL)
    doc.find_code("resource")["color"] = "#FF7F0E"
    before = SMALL.read_text(encoding="utf-8").splitlines()
    after = doc.dumps().splitlines()
    changed = [(a, b) for a, b in zip(before, after) if a != b]
    assert len(before) == len(after)
    assert changed == [('        color: "#1F77B4"', '        color: "#FF7F0E"')]


def test_adding_a_code_in_the_flat_form(tmp_path):
    doc = CodebookDocument.load(SMALL)
    doc.add_code({"id": "economic.debts", "name": "欠债", "level": "concept",
                  "parent": "economic"})
    target = doc.dump(tmp_path / "added.yaml")
    book = load_codebook(target)
    assert book.codes[-1].id == "economic.debts"
    assert book.main_category("economic.debts") == "economic"
    assert "# Flat form: the parent is named instead of nesting." in target.read_text("utf-8")


def test_line_numbers_of_nested_nodes():
    doc = CodebookDocument.load(SMALL)
    lines = SMALL.read_text(encoding="utf-8").splitlines()
    line = doc.line_of(("codes", 0, "children", 0, "children", 0, "children", 0, "rules",
                        "terms", "zh", 1))
    assert "跑部钱进" in lines[line - 1]
    assert doc.line_of(("codes", 2, "no_such_key")) == doc.line_of(("codes", 2))
    assert lines[doc.line_of(("codes", 2)) - 1].strip() == "- id: economic.low_salary"


def test_a_codebook_model_dumps_to_yaml_that_loads_to_the_same_hash(tmp_path):
    book = load_codebook("six-pressures")
    target = dump_codebook(book, tmp_path / "flat.yaml")
    again = load_codebook(target)
    assert again.hash == book.hash
    text = target.read_text(encoding="utf-8")
    assert "definition: |-" in text or "definition: |" in text  # multi-line stays readable
    assert "zh: [" in text  # term lists in flow style


def test_codebook_to_data_leaves_out_defaults():
    book = load_codebook(SMALL)
    data = codebook_to_data(book)
    first_concept = data["codes"][3]
    assert "boundary" not in first_concept["rules"]  # "aligned" is the default
    assert "not" in first_concept["rules"]
    assert dumps_yaml(data).startswith("name: 小型测试编码手册\n")


def test_near_rules_and_not_scope_dump_in_the_file_layout_and_keep_the_hash(tmp_path):
    pad = " " * 18
    text = SMALL.read_text(encoding="utf-8").replace(
        f"{pad}not:\n", f"{pad}not_scope: sentence\n{pad}near:\n"
        f"{pad}  - terms: {{zh: [都这样], en: [very common]}}\n"
        f"{pad}    context: {{zh: [红包]}}\n"
        f"{pad}  - terms: {{zh: [很正常]}}\n"
        f"{pad}    context: {{zh: [送礼]}}\n"
        f"{pad}    within: 20\n"
        f"{pad}not:\n", 1)
    source = tmp_path / "near.yaml"
    source.write_text(text, encoding="utf-8")
    book = load_codebook(source)
    assert book.hash != load_codebook(SMALL).hash
    written = dump_codebook(book, tmp_path / "flat.yaml").read_text(encoding="utf-8")
    assert ("      not_scope: sentence\n      near:\n        - terms:\n            zh: [都这样]\n"
            "            en: [very common]\n          context:\n            zh: [红包]\n"
            "        - terms:\n            zh: [很正常]\n          context:\n"
            "            zh: [送礼]\n          within: 20\n") in written
    assert load_codebook(tmp_path / "flat.yaml").hash == book.hash


def test_rules_without_near_or_not_scope_hash_as_before():
    # The canonical form leaves out the defaults of the two rule fields added in 1.2 of the
    # built-in codebook, so that studies coded with older codebooks keep their hash.
    rules = next(code.rules for code in load_codebook(SMALL).codes if code.rules)
    assert rules.not_ and rules.not_scope == "segment" and rules.near == []
    dumped = rules.model_dump(by_alias=True)
    assert "near" not in dumped and "not_scope" not in dumped
