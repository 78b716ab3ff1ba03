"""Validation: each kind of problem gives E202 with its YAML path and line; all at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from gtcode.codebook import (
    Code,
    CodebookDocument,
    Rules,
    codebook_from_document,
    load_codebook,
    validate_file,
)
from gtcode.codebook.checks import cross_check
from gtcode.errors import GtcodeError, ProblemList

FIXTURES = Path(__file__).parent / "fixtures" / "codebooks"


def marked_line(path: Path, marker: str) -> int:
    """The 1-based line of the fixture that carries ``marker`` in its comment."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if marker in line:
            return number
    raise AssertionError(f"{marker!r} not in {path}")


def problems_of(name: str) -> list[str]:
    path = FIXTURES / name
    with pytest.raises(ProblemList) as info:
        load_codebook(path)
    assert info.value.code == "E202"
    return info.value.problems


@pytest.mark.parametrize(("name", "yaml_path", "words"), [
    ("duplicate_id.yaml", "codes[2].id", "duplicate id 'economic.low_salary'"),
    ("cycle.yaml", "codes[1].parent", "cycle in parents: resource.a -> resource.b -> resource.a"),
    ("unknown_key.yaml", "codes[0].colour", "unknown key 'colour' (did you mean 'color'?)"),
    ("unknown_parent.yaml", "codes[1].parent", "unknown parent 'political_futur'"),
    ("bad_regex.yaml", "codes[0].children[0].rules.regex[0]", "regex does not compile"),
    ("empty_term.yaml", "codes[1].rules.terms.zh[1]", "empty term"),
    ("level_order.yaml", "codes[2].level", "a subcategory's parent must be a category"),
])
def test_each_problem_kind_names_file_line_and_yaml_path(name, yaml_path, words):
    path = FIXTURES / name
    problems = problems_of(name)
    assert len(problems) == 1
    line = marked_line(path, "# PROBLEM")
    assert problems[0].startswith(f"{path}:{line} {yaml_path}: ")
    assert words in problems[0]


def test_duplicate_id_points_at_the_first_definition():
    path = FIXTURES / "duplicate_id.yaml"
    first = marked_line(path, "- id: economic.low_salary")
    assert f"(see line {first})" in problems_of("duplicate_id.yaml")[0]


def test_a_file_with_five_problems_reports_five():
    path = FIXTURES / "five_problems.yaml"
    problems = problems_of("five_problems.yaml")
    assert len(problems) == 5
    expected = [
        (1, "codes[0].children[0].colour", "unknown key"),
        (2, "codes[0].children[0].children[0].rules.terms.zh[1]", "empty term"),
        (3, "codes[0].children[0].children[0].rules.regex[0]", "regex does not compile"),
        (4, "codes[1].id", "duplicate id"),
        (5, "codes[2].parent", "unknown parent 'kernel'"),
    ]
    for problem, (number, yaml_path, words) in zip(problems, expected):
        line = marked_line(path, f"# PROBLEM {number} ")
        assert problem.startswith(f"{path}:{line} {yaml_path}: "), problem
        assert words in problem


def test_the_error_message_lists_every_problem():
    with pytest.raises(ProblemList) as info:
        load_codebook(FIXTURES / "five_problems.yaml")
    text = info.value.render()
    assert text.startswith("[E202]") and "5 problems" in text
    assert text.count("five_problems.yaml:") == 6  # the file, then each problem line


def test_yaml_that_does_not_parse_is_e201_with_the_line():
    path = FIXTURES / "not_yaml.yaml"
    with pytest.raises(GtcodeError) as info:
        load_codebook(path)
    assert info.value.code == "E201"
    assert info.value.where == str(marked_line(path, "# PROBLEM") + 1)


def test_a_key_given_twice_is_e201():
    with pytest.raises(GtcodeError) as info:
        CodebookDocument.from_text("name: a\nname: b\ncodes: []\n", "x.yaml")
    assert info.value.code == "E201" and info.value.where == "2"


def test_duplicate_term_is_a_warning_not_an_error():
    path = FIXTURES / "duplicate_term.yaml"
    book, problems, warnings = validate_file(path)
    assert book is not None and problems == []
    line = marked_line(path, "# WARNING")
    assert warnings == [f"{path}:{line} codes[3].rules.terms.zh[1]: term '红包' is also a term "
                        f"of 'subculture.gifts' (see line {marked_line(path, 'zh: [红包')})"]
    assert book.warnings == warnings


def test_nested_child_with_contradicting_parent():
    text = ("name: x\ncodes:\n  - id: a\n    name: A\n    level: category\n    children:\n"
            "      - id: a.b\n        name: B\n        level: concept\n        parent: z\n"
            "  - id: z\n    name: Z\n    level: category\n")
    with pytest.raises(ProblemList) as info:
        codebook_from_document(CodebookDocument.from_text(text, "x.yaml"))
    assert info.value.problems == [
        "x.yaml:10 codes[0].children[0].parent: parent 'z' contradicts its place under 'a' "
        "(leave parent out when nesting)"]


def test_missing_keys_bad_values_and_two_cores():
    text = ("name: x\nversion: \"1\"\ncodes:\n  - id: c1\n    name: C\n    level: core\n"
            "  - id: c2\n    name: D\n    level: core\n  - id: Bad\n    level: theme\n"
            "    color: red\n")
    with pytest.raises(ProblemList) as info:
        codebook_from_document(CodebookDocument.from_text(text, "x.yaml"))
    problems = info.value.problems
    assert problems[0] == ("x.yaml:9 codes[1].level: a codebook has at most one core; 'c1' is "
                           "the core already (see line 6)")
    assert any(p.startswith("x.yaml:10 codes[2].id: 'Bad' is not a valid code id") for p in problems)
    assert any(p.startswith("x.yaml:10 codes[2].name: required key 'name' is missing")
               for p in problems)
    assert any(p.startswith("x.yaml:11 codes[2].level: 'theme' is not allowed") for p in problems)
    assert any(p.startswith("x.yaml:12 codes[2].color: 'red' is not a colour") for p in problems)


def test_unknown_top_level_key_and_missing_codes():
    with pytest.raises(ProblemList) as info:
        codebook_from_document(CodebookDocument.from_text("name: x\nauthor: me\n", "x.yaml"))
    assert info.value.problems == [
        "x.yaml:1 codes: required key 'codes' is missing",
        "x.yaml:2 author: unknown key 'author' (did you mean 'authors'?)"]


def test_empty_file_is_e202():
    with pytest.raises(ProblemList) as info:
        codebook_from_document(CodebookDocument.from_text("# only a comment\n", "x.yaml"))
    assert "the file is empty" in info.value.problems[0]


def test_concept_without_parent_when_categories_exist():
    text = ("name: x\ncodes:\n  - id: a\n    name: A\n    level: category\n"
            "  - id: b\n    name: B\n    level: concept\n")
    with pytest.raises(ProblemList) as info:
        codebook_from_document(CodebookDocument.from_text(text, "x.yaml"))
    assert info.value.problems == [
        "x.yaml:8 codes[1].level: a concept needs a parent (a subcategory or category)"]


def test_flat_list_of_concepts_without_hierarchy_is_valid():
    book = codebook_from_document(CodebookDocument.from_text(
        "name: x\nlanguage: en\ncodes:\n  - id: a\n    name: A\n    level: concept\n"
        "    rules:\n      terms:\n        en: [bribe]\n"))
    assert [c.id for c in book.codes] == ["a"]


def test_cross_check_on_python_codes():
    codes = [(("codes", 0), Code(id="a", name="A", level="category")),
             (("codes", 1), Code(id="a.x", name="X", level="concept", parent="a",
                                 rules=Rules(terms={"zh": ["人情"]}, not_={"zh": ["人情"]})))]
    problems, warnings = cross_check(codes)
    assert problems == []
    assert [w.kind for w in warnings] == ["vetoed-term"]
    assert warnings[0].render() == ("codes[1].rules.terms.zh[0]: term '人情' is also a not-term "
                                    "of this code, so it never matches")


def test_the_builtin_codebook_has_no_problems_and_no_warnings():
    book, problems, warnings = validate_file("six-pressures")
    assert book is not None and problems == [] and warnings == []


NEAR_PROBLEMS = """\
name: near problems
codes:
  - id: a
    name: A
    level: concept
    rules:
      not_scope: paragraph
      near:
        - terms: {zh: [都这样]}
          context: {zh: []}
        - terms: {zh: [都这样]}
          context: {zh: [钱]}
          within: 0
        - terms: {zh: [都这样]}
          contxt: {zh: [钱]}
"""


def test_near_rules_and_not_scope_are_checked_with_their_yaml_paths():
    with pytest.raises(ProblemList) as info:
        codebook_from_document(CodebookDocument.from_text(NEAR_PROBLEMS, "x.yaml"))
    assert info.value.problems == [
        "x.yaml:7 codes[0].rules.not_scope: 'paragraph' is not allowed here; use one of "
        "'segment' or 'sentence'",
        "x.yaml:9 codes[0].rules.near[0]: a near rule needs at least one term in 'context'",
        "x.yaml:13 codes[0].rules.near[1].within: within must be 'sentence' or a whole number "
        "of characters above 0, not 0",
        "x.yaml:14 codes[0].rules.near[2].context: required key 'context' is missing",
        "x.yaml:15 codes[0].rules.near[2].contxt: unknown key 'contxt' (did you mean "
        "'context'?)",
    ]


def test_near_terms_draw_the_duplicate_and_vetoed_warnings_and_count_as_rules():
    text = ("name: w\ncodes:\n"
            "  - id: a\n    name: A\n    level: concept\n    rules:\n"
            "      terms: {zh: [红包]}\n"
            "  - id: b\n    name: B\n    level: concept\n    rules:\n"
            "      not: {zh: [不收]}\n"
            "      near:\n"
            "        - terms: {zh: [红包, 不收]}\n"
            "          context: {zh: [钱]}\n")
    book = codebook_from_document(CodebookDocument.from_text(text, "w.yaml"))
    assert book.warnings == [
        "w.yaml:14 codes[1].rules.near[0].terms.zh[0]: term '红包' is also a term of 'a' "
        "(see line 7)",
        "w.yaml:14 codes[1].rules.near[0].terms.zh[1]: term '不收' is also a not-term of this "
        "code, so it never matches",
    ]
