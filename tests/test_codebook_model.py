"""The codebook model: loading, the flat list, look-ups along the hierarchy, the hash."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from gtcode.codebook import (
    BUILTIN_NAMES,
    Code,
    Codebook,
    CodebookDocument,
    Rules,
    builtin_path,
    codebook_from_document,
    load_codebook,
)
from gtcode.errors import GtcodeError

FIXTURES = Path(__file__).parent / "fixtures" / "codebooks"
SMALL = FIXTURES / "small.yaml"


@pytest.fixture
def small() -> Codebook:
    return load_codebook(SMALL)


def test_nested_and_flat_codes_become_one_flat_list_in_document_order(small):
    assert [c.id for c in small.codes] == [
        "pressure_corruption", "resource", "resource.funding", "resource.project_chasing",
        "economic", "economic.low_salary"]
    assert small.by_id["resource.funding"].parent == "resource"  # from nesting
    assert small.by_id["economic.low_salary"].parent == "economic"  # written flat


def test_metadata(small):
    assert small.name == "小型测试编码手册"
    assert small.version == "0.3"
    assert small.language == "zh"
    assert small.authors == ["Test Author", "测试作者"]
    assert small.source_path == SMALL


def test_lookups_along_the_hierarchy(small):
    assert [c.id for c in small.ancestors("resource.project_chasing")] == [
        "resource.funding", "resource", "pressure_corruption"]
    assert small.main_category("resource.project_chasing") == "resource"
    assert small.main_category("resource") == "resource"
    assert small.main_category("pressure_corruption") is None
    assert small.main_category("no.such.code") is None
    assert small.subcategory("resource.project_chasing") == "resource.funding"
    assert small.subcategory("economic.low_salary") is None
    assert small.core().id == "pressure_corruption"
    assert [c.id for c in small.children("pressure_corruption")] == ["resource", "economic"]
    assert [c.id for c in small.level_codes("concept")] == [
        "resource.project_chasing", "economic.low_salary"]


def test_rules_fields(small):
    rules = small.by_id["resource.project_chasing"].rules
    assert rules.terms["zh"] == ["跑项目", "跑部钱进", "争取资金"]
    assert rules.not_ == {"zh": ["自然资源"]}
    assert rules.boundary == "aligned"
    assert small.by_id["economic.low_salary"].rules.regex == ["月薪(才|只有)?[一二三四五两]千"]


def test_multiline_definition_and_examples(small):
    code = small.by_id["resource.project_chasing"]
    assert code.definition.startswith("为争取上级项目")
    assert code.examples == ["“一年到头就是跑项目，跑部钱进嘛。”"]
    assert code.display_name("en") == "Running after projects"
    assert code.display_name("zh") == "跑项目"


def test_warnings_carry_file_and_line(small):
    assert any(w.startswith(f"{SMALL}:65 codes[2].rules.terms.zh[2]") for w in small.warnings)


def test_hash_ignores_comments_and_layout(tmp_path, small):
    text = SMALL.read_text(encoding="utf-8")
    edited = tmp_path / "edited.yaml"
    edited.write_text(text.replace("# the core category / 核心范畴", "# another comment")
                      .replace('version: "0.3"', "version: '0.3'"), encoding="utf-8")
    assert load_codebook(edited).hash == small.hash
    assert len(small.hash) == 64


def test_hash_changes_with_content(tmp_path, small):
    changed = tmp_path / "changed.yaml"
    changed.write_text(SMALL.read_text(encoding="utf-8").replace("工资太低", "工资偏低"),
                       encoding="utf-8")
    assert load_codebook(changed).hash != small.hash


def test_nested_and_flat_forms_give_the_same_hash(tmp_path, small):
    from gtcode.codebook import dump_codebook

    flat = dump_codebook(small, tmp_path / "flat.yaml")
    again = load_codebook(flat)
    assert "children" not in flat.read_text(encoding="utf-8")
    assert again.hash == small.hash


def test_builtin_name_resolves():
    assert "six-pressures" in BUILTIN_NAMES
    path = builtin_path("six-pressures")
    assert path.name == "six-pressures.yaml" and path.is_file()
    assert load_codebook("six-pressures").source_path == path


def test_unknown_builtin_name_is_e203():
    with pytest.raises(GtcodeError) as info:
        load_codebook("seven-pressures")
    assert info.value.code == "E203"
    assert "six-pressures" in info.value.render()


def test_missing_file_is_e101(tmp_path):
    with pytest.raises(GtcodeError) as info:
        load_codebook(tmp_path / "missing.yaml")
    assert info.value.code == "E101"


def test_codebook_built_in_python_is_checked_too():
    with pytest.raises(ValidationError, match="unknown parent 'nowhere'"):
        Codebook(name="x", codes=[Code(id="a", name="A", level="concept", parent="nowhere")])
    book = Codebook(name="x", codes=[Code(id="a", name="A", level="concept",
                                          rules=Rules(terms={"en": ["bribe"]}))])
    assert book.source_path is None and book.warnings == []


def test_models_reject_unknown_keys_and_bad_values():
    with pytest.raises(ValidationError):
        Code(id="a", name="A", level="concept", colour="#FFFFFF")
    with pytest.raises(ValidationError):
        Code(id="Bad Id", name="A", level="concept")
    with pytest.raises(ValidationError):
        Code(id="a", name="A", level="theme")
    with pytest.raises(ValidationError):
        Rules(terms={"zh": [""]})
    with pytest.raises(ValidationError):
        Rules(boundary="loose")


def test_rules_accept_the_not_alias():
    rules = Rules.model_validate({"terms": {"zh": ["红包"]}, "not": {"zh": ["抢红包"]}})
    assert rules.not_ == {"zh": ["抢红包"]}
    assert rules.model_dump(by_alias=True)["not"] == {"zh": ["抢红包"]}


def test_integer_version_is_text_and_float_version_is_refused(tmp_path):
    doc = CodebookDocument.from_text("name: x\nversion: 2\ncodes: []\n")
    assert codebook_from_document(doc).version == "2"
    with pytest.raises(GtcodeError) as info:
        codebook_from_document(CodebookDocument.from_text("name: x\nversion: 1.10\ncodes: []\n", "x.yaml"))
    assert info.value.code == "E202"
    assert "x.yaml:2 version: write the version in quotes" in info.value.render()


def test_model_copy_with_update_rebuilds_lookups_and_hash(small):
    trimmed = small.model_copy(update={"codes": small.codes[:2]})
    assert list(trimmed.by_id) == ["pressure_corruption", "resource"]
    assert trimmed.hash != small.hash
    assert trimmed.source_path == small.source_path


def test_count_codings_rolls_up_and_counts_each_segment_once(small):
    counts = small.count_codings([
        ("resource.project_chasing", "S01.txt", 3),
        ("economic.low_salary", "S01.txt", 3),
        ("economic.low_salary", "S02.txt", 7),
        ("no.such.code", "S02.txt", 9),
    ])
    assert counts["resource.project_chasing"] == (1, 1)
    assert counts["economic"] == (2, 2)
    assert counts["pressure_corruption"] == (2, 2)  # segment S01#3 counted once
    assert "no.such.code" not in counts


def test_the_complete_example_in_the_docs_is_valid():
    import re

    doc = Path(__file__).resolve().parents[1] / "docs" / "codebook.md"
    example = re.findall(r"```yaml\n(.*?)```", doc.read_text(encoding="utf-8"), re.S)[-1]
    book = codebook_from_document(CodebookDocument.from_text(example, "docs example"))
    assert book.warnings == [] and len(book.level_codes("concept")) == 2


# -- the built-in six-pressures codebook ------------------------------------------------------

SIX = ["resource", "subculture", "economic", "work_conflict", "political_future", "social_favour"]


def test_six_pressures_structure():
    book = load_codebook("six-pressures")
    assert book.core().id == "pressure_corruption"
    assert [c.id for c in book.level_codes("category")] == SIX
    assert all(c.parent == "pressure_corruption" and c.paradigm for c in
               book.level_codes("category"))
    for category in SIX:
        subcategories = book.children(category)
        assert 2 <= len(subcategories) <= 4
        assert all(s.level == "subcategory" and book.children(s.id) for s in subcategories)
    assert len(book.level_codes("concept")) >= 40
    assert book.warnings == []


def test_every_concept_is_fully_documented_with_rules_in_both_languages():
    book = load_codebook("six-pressures")
    for code in book.level_codes("concept"):
        assert code.name and code.name_en, code.id
        assert code.definition and code.include and code.exclude, code.id
        assert code.examples, code.id
        assert code.rules.terms.get("zh") and code.rules.terms.get("en"), code.id
        assert book.main_category(code.id) in SIX


def test_six_pressures_says_it_was_tuned_on_development_files_only():
    head = builtin_path("six-pressures").read_text(encoding="utf-8")[:2000]
    assert "tuned on" in head and "development files only" in head
    assert "S07-S10 and E02 are held out" in head


@pytest.fixture(scope="module")
def six_engine():
    from gtcode.coding.rules.engine import RuleEngine

    book = load_codebook("six-pressures")
    return book, RuleEngine(book)


@pytest.mark.parametrize(("text", "expected"), [
    ("那几年天天往县里跑，跑部钱进，求爷爷告奶奶，项目才批下来。", {"resource"}),
    ("那时候潜规则就是这样，不拿白不拿，大家都这么干。", {"subculture"}),
    ("工资太低了，孩子上学、房贷，哪样都要钱。", {"economic"}),
    ("上面千条线，下面一根针，完不成就一票否决。", {"work_conflict"}),
    ("干了十几年，天花板到了，快到点了，想着最后捞一把。", {"political_future"}),
    ("都是乡里乡亲的，亲戚找上门，抹不开面子。", {"social_favour"}),
    ("My salary was low and my son's tuition was due.", {"economic"}),
    ("My cousin asked me for a favour and I couldn't say no.", {"social_favour"}),
    # false friends: 人情 across 老人|情绪, 压力 in 血压, 资源 in 自然资源, prison work quotas
    ("村里老人情绪不好，天天找我唠嗑。", set()),
    ("他血压高，水压不够，压力表坏了。", set()),
    ("我们那里矿产资源丰富，国土资源局在县城。", set()),
    ("We held a tea promotion festival and used pressure cookers.", set()),
    ("监区里每天有劳动任务，完不成就扣分。", set()),
])
def test_builtin_rules_on_typical_sentences(six_engine, text, expected):
    book, engine = six_engine
    found = {book.main_category(m.code_id) for m in engine.match(text)}
    assert found == expected
