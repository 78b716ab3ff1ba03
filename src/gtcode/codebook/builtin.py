"""Built-in codebooks, found by name (``six-pressures``).

The YAML files live at the repository root in ``codebooks/`` so researchers
find and read them; an installed package may carry copies in
``gtcode/codebook/data/``. A reference that is neither a built-in name nor
an existing path is refused with the list of valid names (E203).
"""

from __future__ import annotations

from pathlib import Path

from gtcode.codebook.schema import codebook_json_schema_text
from gtcode.codebook.yaml_io import read_text
from gtcode.errors import GtcodeError
from gtcode.files import Inspect, atomic_write_text, guard_output

#: Names accepted by ``--codebook`` besides a path.
BUILTIN_NAMES: tuple[str, ...] = ("six-pressures",)
#: The codebook used when none is named.
DEFAULT_CODEBOOK = "six-pressures"

_HERE = Path(__file__).resolve()
_SEARCH_DIRS = (_HERE.parents[3] / "codebooks", _HERE.parent / "data")


def builtin_path(name: str) -> Path:
    """The YAML file of a built-in codebook.

    Raises:
        GtcodeError: E203 for an unknown name, or when the file is missing
            from this installation.
    """
    if name not in BUILTIN_NAMES:
        raise GtcodeError("E203", f"there is no built-in codebook named '{name}'.",
                          hint="built-in codebooks: " + ", ".join(BUILTIN_NAMES)
                          + "; or give the path of a codebook YAML")
    for folder in _SEARCH_DIRS:
        candidate = folder / f"{name}.yaml"
        if candidate.is_file():
            return candidate
    raise GtcodeError("E203", f"the built-in codebook '{name}' is missing from this "
                      "installation.", hint="reinstall gtcode")


def is_builtin_ref(ref: str | Path) -> bool:
    """True when ``ref`` names a built-in codebook (not a path)."""
    return isinstance(ref, str) and ref in BUILTIN_NAMES


def resolve_ref(ref: str | Path) -> Path:
    """Turn ``--codebook`` input into a file path.

    A built-in name wins; an existing file is used as is; a bare word that is
    not a file is taken for a mistyped built-in name (E203). Anything else is
    returned as a path, so reading it reports E101.
    """
    if is_builtin_ref(ref):
        return builtin_path(str(ref))
    path = Path(ref)
    if path.exists():
        return path
    text = str(ref)
    looks_like_name = not path.suffix and "/" not in text and "\\" not in text
    if looks_like_name:
        builtin_path(text)  # raises E203 listing the names
    return path


def display_name(ref: str | Path, resolved: Path) -> str:
    """How messages name the file: as the user gave it, or codebooks/<name>.yaml."""
    if is_builtin_ref(ref):
        return f"{resolved.parent.name}/{resolved.name}"
    return str(ref)


def codebook_text(ref: str | Path) -> str:
    """The YAML text of a codebook (built-in or path), e.g. to copy into a study."""
    return read_text(resolve_ref(ref))


# -- a new codebook from the template ------------------------------------------------------

SCHEMA_FILE = "codebook.schema.json"

_TEMPLATE_ZH = '''\
# yaml-language-server: $schema={schema}
# 新编码手册模板 / A new gtcode codebook.
# 每个字段的含义见 docs/codebook.md；修改后用 `gtcode codebook validate 本文件` 检查。
# Every field is explained in docs/codebook.md; check edits with `gtcode codebook validate FILE`.
name: 我的编码手册            # 名称 / name
version: "0.1"                # 版本号，请加引号 / quote the version
language: zh                  # 研究语言：zh 或 en / language of names and quotes
description: 一句话说明研究问题与编码范围。
authors: [研究者甲]
codes:
  # 核心范畴：全书至多一个 / the core category: at most one
  - id: core_category
    name: 核心范畴名称
    name_en: Core category
    level: core
    definition: 把各主范畴串起来的故事线。
    children:                 # 嵌套写法：下级编码写在 children 里 / nested form
      - id: pressure_a
        name: 主范畴甲
        name_en: Main category A
        level: category
        paradigm: causal      # 范式角色 / paradigm role: phenomenon causal context intervening strategy consequence
        color: "#1F77B4"
        definition: 这一主范畴指什么。
        children:
          - id: pressure_a.sub_one
            name: 副范畴一
            name_en: Subcategory one
            level: subcategory
            children:
              - id: pressure_a.concept_one
                name: 概念一
                name_en: Concept one
                level: concept
                definition: 概念的定义。
                include: 什么情况下编码。
                exclude: 什么情况下不编码。
                examples:
                  - “受访者的一句典型原话。”
                rules:
                  terms:
                    zh: [检索词一, 检索词二]      # 字面匹配 / literal terms
                    en: [first term, second term]
                  not:
                    zh: [否定词]                  # 同段出现即不编码 / veto within the segment
                  boundary: aligned              # aligned | inside-word-ok | any（只管中文）
  # 平铺写法：用 parent 指明上级 / flat form: name the parent
  - id: pressure_a.concept_two
    name: 概念二
    name_en: Concept two
    level: concept
    parent: pressure_a.sub_one
    definition: 另一个概念的定义。
    include: 什么情况下编码。
    exclude: 什么情况下不编码。
    examples: ["“另一句原话。”"]
    memo: 研究者备忘。
    rules:
      terms:
        zh: [检索词三]
      near:                         # 须与上下文词同现才算 / count only near a context word
        - terms: {{zh: [都这样]}}
          context: {{zh: [红包, 回扣]}}
          within: 40                # 前后 40 字以内；省略则须在同一句 / characters; default: same sentence
      regex: ["月薪[一二三四五]千"]   # 仅在字面词无法表达时使用 / only where terms cannot say it
'''

_TEMPLATE_EN = '''\
# yaml-language-server: $schema={schema}
# A new gtcode codebook. Every field is explained in docs/codebook.md.
# Check edits with: gtcode codebook validate FILE
name: My codebook
version: "0.1"                # quote the version
language: en                  # language of names and example quotes
description: One sentence on the research question and what is coded.
authors: [First Researcher]
codes:
  # the core category: at most one
  - id: core_category
    name: Core category
    level: core
    definition: The storyline that ties the main categories together.
    children:                 # nested form: sub-codes under children
      - id: pressure_a
        name: Main category A
        level: category
        paradigm: causal      # phenomenon causal context intervening strategy consequence
        color: "#1F77B4"
        definition: What this main category is about.
        children:
          - id: pressure_a.sub_one
            name: Subcategory one
            level: subcategory
            children:
              - id: pressure_a.concept_one
                name: Concept one
                level: concept
                definition: What the concept means.
                include: When to apply it.
                exclude: When not to apply it.
                examples:
                  - "A typical thing a respondent says."
                rules:
                  terms:
                    en: [first term, second term]   # literal, case-insensitive, word forms
                  not:
                    en: [false friend]              # veto within the segment
  # flat form: name the parent
  - id: pressure_a.concept_two
    name: Concept two
    level: concept
    parent: pressure_a.sub_one
    definition: What the second concept means.
    include: When to apply it.
    exclude: When not to apply it.
    examples: ["Another typical quote."]
    memo: The researcher's memo.
    rules:
      terms:
        en: [third term]
      near:                         # these count only near a context word
        - terms: {{en: [very common]}}
          context: {{en: [money, gifts]}}   # in the same sentence (or within: N characters)
      regex: ["\\\\b(one|two|three) thousand a month\\\\b"]   # only where terms cannot say it
'''


def template_text(lang: str = "zh", schema: str = SCHEMA_FILE) -> str:
    """A commented codebook template (valid as written) in ``zh`` or ``en``."""
    if lang not in ("zh", "en"):
        raise GtcodeError("E112", f"no codebook template for language '{lang}'.",
                          hint="use --lang zh or --lang en")
    return (_TEMPLATE_ZH if lang == "zh" else _TEMPLATE_EN).format(schema=schema)


def write_template(path: str | Path, lang: str = "zh", *, force: bool = False,
                   schema: bool = True, inspect: Inspect | None = None) -> list[Path]:
    """Write a new codebook from the template, and its JSON Schema beside it.

    Args:
        path: the codebook file to create.
        lang: template language, ``zh`` or ``en``.
        force: overwrite an existing codebook file.
        schema: also write ``codebook.schema.json`` next to it (kept if present).
        inspect: what work an existing file holds (see :func:`gtcode.files.guard_output`).

    Returns:
        The files written.

    Raises:
        GtcodeError: E701 when the file exists (without ``force``) or cannot
            be written; E112 for an unknown language.
    """
    path = Path(path)
    text = template_text(lang)
    guard_output(path, inspect=inspect)
    if path.exists() and not force:
        raise GtcodeError("E701", "the file exists already.", file=path,
                          hint="choose another name, or pass --force to overwrite it")
    written = []
    try:
        atomic_write_text(path, text)
        written.append(path)
        schema_path = path.parent / SCHEMA_FILE
        if schema and not schema_path.exists():
            atomic_write_text(schema_path, codebook_json_schema_text())
            written.append(schema_path)
    except OSError as exc:
        raise GtcodeError("E701", f"the file cannot be written ({exc.strerror}).",
                          file=path) from None
    return written
