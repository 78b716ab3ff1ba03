"""The codebook as strict pydantic models.

A codebook file holds metadata and a list (or tree) of codes. Every model
forbids unknown keys, so a typo such as ``defintion:`` is an error, not a
silently ignored line. :class:`CodebookFile` describes the file as written
(codes may nest under ``children:``) and is the source of the JSON Schema;
:class:`Codebook` is what the rest of gtcode uses: a flat, ordered list of
:class:`Code` with every ``parent`` resolved, plus look-ups along the
hierarchy core > category > subcategory > concept.

Cross-code rules (unique ids, known parents, no cycles, levels in order) live
in :mod:`gtcode.codebook.validate`; a :class:`Codebook` built in Python runs
them too, so an inconsistent one cannot exist.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PositiveInt,
    PrivateAttr,
    SerializerFunctionWrapHandler,
    model_serializer,
    model_validator,
)

from gtcode.codebook.checks import cross_check
from gtcode.codebook.hierarchy import Links, ancestors, code_links, level_up
from gtcode.codebook.patterns import compile_problem, nested_repetition

#: The levels of a grounded-theory codebook, from the top down.
LEVELS: tuple[str, ...] = ("core", "category", "subcategory", "concept")
#: Roles of Strauss & Corbin's paradigm model, given to (sub)categories.
PARADIGM_ROLES: tuple[str, ...] = ("phenomenon", "causal", "context", "intervening",
                                   "strategy", "consequence")
#: How a Chinese term must sit among the words around it (see docs/codebook.md).
BOUNDARIES: tuple[str, ...] = ("aligned", "inside-word-ok", "any")
#: Where a ``not`` term vetoes its code: the whole segment, or only its own sentence.
NOT_SCOPES: tuple[str, ...] = ("segment", "sentence")

CODE_ID_PATTERN = r"^[a-z][a-z0-9_]*(?:[.-][a-z0-9_]+)*$"
LANG_PATTERN = r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$"
COLOR_PATTERN = r"^#[0-9A-Fa-f]{6}$"

Level = Literal["core", "category", "subcategory", "concept"]
Paradigm = Literal["phenomenon", "causal", "context", "intervening", "strategy", "consequence"]
Boundary = Literal["aligned", "inside-word-ok", "any"]
NotScope = Literal["segment", "sentence"]


def _check_term(value: str) -> str:
    _check_name(value)
    if not value.strip():
        raise ValueError("empty term")
    if value != value.strip():
        raise ValueError("term has leading or trailing spaces")
    return value


def _check_regex(value: str) -> str:
    if not value.strip():
        raise ValueError("empty regex")
    problem = compile_problem(value)
    if problem:
        raise ValueError(problem)
    nested = nested_repetition(value)
    if nested:
        raise ValueError(f"regex can backtrack catastrophically ({nested}, as in (a+)+); "
                         "it could hang coding on a long text: repeat the inner part "
                         "possessively (a++) or atomically ((?>a+)), or rewrite it")
    return value


def _check_within(value: Any) -> Any:
    # One clear message instead of one per member of the union below.
    if value == "sentence" or (type(value) is int and value > 0):
        return value
    raise ValueError(f"within must be 'sentence' or a whole number of characters above 0, "
                     f"not {value!r}")


def _version_text(value: Any) -> Any:
    # YAML reads `version: 2` as an int: accept it. A float (1.10 -> 1.1) would
    # silently lose digits, so it must be quoted.
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        raise ValueError('write the version in quotes, e.g. version: "1.0"')
    return value


#: Control characters no name may hold: they break Word, Excel and XML files (and
#: are invisible in an editor). Long texts may hold line breaks and tabs.
_NAME_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")
_TEXT_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


def _control_problem(value: str, pattern: re.Pattern[str], what: str) -> str:
    found = pattern.search(value)
    if found:
        raise ValueError(f"{what} holds the control character U+{ord(found.group()):04X} at "
                         f"position {found.start() + 1}; remove it (it breaks Word, Excel and "
                         "XML exports)")
    return value


def _check_name(value: str) -> str:
    return _control_problem(value, _NAME_CONTROLS, "the name")


def _check_text(value: str) -> str:
    return _control_problem(value, _TEXT_CONTROLS, "the text")


Text = Annotated[str, Field(min_length=1), AfterValidator(_check_name)]
Name = Annotated[str, AfterValidator(_check_name)]
Prose = Annotated[str, AfterValidator(_check_text)]
CodeId = Annotated[str, Field(pattern=CODE_ID_PATTERN,
                              description="Stable slug: lowercase letters, digits and _, parts "
                                          "joined by . or - (e.g. resource.approval_blocked).")]
LangKey = Annotated[str, Field(pattern=LANG_PATTERN)]
Term = Annotated[str, AfterValidator(_check_term)]
Pattern = Annotated[str, AfterValidator(_check_regex)]


class NearRule(BaseModel):
    """Terms that count only with a context word close by (``rules.near``).

    A hit of one of ``terms`` counts for the code only when a term of
    ``context`` occurs in the same sentence (``within: sentence``, the
    default) or at most ``within`` characters before or after it, inside
    the same segment. It narrows a generic phrase (大家都这样, "very common")
    to the talk it is about.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    terms: dict[LangKey, list[Term]] = Field(
        description="Terms that need a context word close by. 需要上下文词才成立的检索词。")
    context: dict[LangKey, list[Term]] = Field(
        description="Context words; one of them must occur close to the term. 上下文词。")
    within: Annotated[Literal["sentence"] | PositiveInt, BeforeValidator(_check_within)] = Field(
        "sentence",
        description="How close: 'sentence' (the same sentence) or a number of characters. "
                    "范围：同一句，或前后若干字符。")

    @model_validator(mode="after")
    def _both_sides(self) -> NearRule:
        for side in ("terms", "context"):
            if not any(getattr(self, side).values()):
                raise ValueError(f"a near rule needs at least one term in '{side}'")
        return self

    def all_terms(self) -> list[tuple[str, str]]:
        """Every ``(language, term)`` pair of ``terms``, in file order."""
        return [(lang, term) for lang, terms in self.terms.items() for term in terms]


class Rules(BaseModel):
    """How the rule coder finds a code in text.

    ``terms`` are literal phrases per language; a segment holding any ``not``
    term (same language) gets no hit for this code, or with ``not_scope:
    sentence`` only the hits in that term's sentence are vetoed. ``near``
    holds terms that count only with a context word close by. ``boundary``
    governs Chinese matches only: ``aligned`` (the hit starts and ends on
    word boundaries), ``inside-word-ok`` or ``any``. ``regex`` is for what
    literal terms cannot say (Python ``re`` syntax).
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)

    terms: dict[LangKey, list[Term]] = Field(
        default_factory=dict,
        description="Literal terms per language (zh, en, ...). 每种语言的字面检索词。")
    not_: dict[LangKey, list[Term]] = Field(
        default_factory=dict, alias="not",
        description="Terms that veto a hit of this code in the same segment (or sentence, see "
                    "not_scope). 否定词：同一段落（或同一句）出现即不编码。")
    not_scope: NotScope = Field(
        "segment",
        description="Where a not term vetoes: the whole segment (default) or only its own "
                    "sentence. 否定词的作用范围：整段（默认）或所在句。")
    near: list[NearRule] = Field(
        default_factory=list,
        description="Terms that count only with a context word close by. 须与上下文词同现的"
                    "检索词。")
    boundary: Boundary = Field(
        "aligned",
        description="Chinese word-boundary policy: aligned | inside-word-ok | any. 中文词边界。")
    regex: list[Pattern] = Field(
        default_factory=list,
        description="Python regular expressions, only where terms cannot express it. 正则。")

    @model_serializer(mode="wrap")
    def _leave_out_unused(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # Rules without near terms or a sentence scope dump as before 1.2 of the
        # built-in codebook, so a codebook's content hash does not change.
        data = handler(self)
        if not self.near:
            data.pop("near", None)
        if self.not_scope == "segment":
            data.pop("not_scope", None)
        return data

    def all_terms(self) -> list[tuple[str, str]]:
        """Every ``(language, term)`` pair of ``terms``, in file order."""
        return [(lang, term) for lang, terms in self.terms.items() for term in terms]


class Code(BaseModel):
    """One code of the codebook (a node of the hierarchy)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: CodeId
    name: Text = Field(description="Name in the study's language. 名称（研究语言）。")
    name_en: Name | None = Field(None, description="English name. 英文名称。")
    level: Level = Field(description="core | category | subcategory | concept. "
                                     "核心范畴 | 主范畴 | 副范畴 | 概念。")
    parent: CodeId | None = Field(None, description="Id of the parent code (flat lists). 上级。")
    definition: Prose | None = Field(None, description="What the code means. 定义。")
    include: Prose | None = Field(None, description="When to apply it. 适用情形。")
    exclude: Prose | None = Field(None, description="When not to apply it. 不适用情形。")
    examples: list[Prose] = Field(default_factory=list, description="Example quotes. 典型语句。")
    paradigm: Paradigm | None = Field(
        None, description="Paradigm-model role of a category: phenomenon | causal | context | "
                          "intervening | strategy | consequence. 范式模型角色。")
    color: Annotated[str, Field(pattern=COLOR_PATTERN)] | None = Field(
        None, description="Colour as #RRGGBB. 颜色。")
    memo: Prose | None = Field(None, description="The researcher's memo. 备忘录。")
    rules: Rules | None = Field(None, description="Rules for the rule coder. 编码规则。")

    def display_name(self, lang: str = "zh") -> str:
        """``name_en`` when ``lang`` is ``"en"`` and one is given, else ``name``."""
        if lang == "en" and self.name_en:
            return self.name_en
        return self.name


class CodeNode(Code):
    """A code as written in the file: it may hold its sub-codes in ``children``."""

    model_config = ConfigDict(extra="forbid", frozen=True, title="Code")

    children: list[CodeNode] = Field(default_factory=list,
                                     description="Sub-codes (nested form). 下级编码（嵌套写法）。")


class CodebookMeta(BaseModel):
    """The metadata at the top of a codebook file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Text = Field(description="Codebook name. 编码手册名称。")
    version: Annotated[str, BeforeValidator(_version_text)] = Field(
        "1", description="Version, a string such as \"1.0\". 版本号（加引号）。")
    language: Annotated[str, Field(pattern=LANG_PATTERN)] = Field(
        "zh", description="Language of `name` and examples (zh, en, ...). 研究语言。")
    description: Prose | None = Field(None, description="What the codebook is for. 说明。")
    authors: list[Name] = Field(default_factory=list, description="Authors. 作者。")


class CodebookFile(CodebookMeta):
    """The whole file as written: metadata and a list or tree of codes."""

    model_config = ConfigDict(extra="forbid", frozen=True, title="gtcode codebook")

    codes: list[CodeNode] = Field(description="Codes: a flat list with `parent`, or a tree "
                                              "with `children`. 编码：平铺或嵌套。")


class Codebook(CodebookMeta):
    """A validated codebook: flat codes in document order, parents resolved.

    Treat it as immutable (it is frozen); the look-ups are built once.
    """

    codes: list[Code] = Field(default_factory=list)

    _by_id: dict[str, Code] = PrivateAttr(default_factory=dict)
    _children: dict[str | None, list[Code]] = PrivateAttr(default_factory=dict)
    _links: Links = PrivateAttr(default_factory=dict)
    _source_path: Path | None = PrivateAttr(default=None)
    _warnings: list[str] = PrivateAttr(default_factory=list)
    _hash: str | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _consistent(self) -> Codebook:
        problems, _ = cross_check([(("codes", i), code) for i, code in enumerate(self.codes)])
        if problems:
            raise ValueError("; ".join(problem.render() for problem in problems))
        return self

    def model_post_init(self, context: Any, /) -> None:
        self._by_id = {code.id: code for code in self.codes}
        children: dict[str | None, list[Code]] = {}
        for code in self.codes:
            children.setdefault(code.parent, []).append(code)
        self._children = children
        self._links = code_links(self.codes)

    def model_copy(self, *, update: dict[str, Any] | None = None, deep: bool = False
                   ) -> Codebook:
        """A copy; with ``update``, the look-ups and the hash are rebuilt."""
        copy = super().model_copy(update=update, deep=deep)
        copy.model_post_init(None)
        copy._hash = None
        return copy

    # -- where it came from ---------------------------------------------------
    @property
    def source_path(self) -> Path | None:
        """The YAML file it was read from (None when built in Python)."""
        return self._source_path

    @property
    def warnings(self) -> list[str]:
        """Non-fatal problems found on loading (``file:line path: message``)."""
        return list(self._warnings)

    def _with_origin(self, path: Path | None, warnings: list[str]) -> Codebook:
        self._source_path = path
        self._warnings = list(warnings)
        return self

    # -- look-ups ---------------------------------------------------------------
    @property
    def by_id(self) -> dict[str, Code]:
        """Codes by id (a copy; the codebook itself does not change)."""
        return dict(self._by_id)

    def get(self, code_id: str) -> Code | None:
        """The code with this id, or None."""
        return self._by_id.get(code_id)

    def children(self, code_id: str | None) -> list[Code]:
        """Direct sub-codes of ``code_id`` in document order (None: the top level)."""
        return list(self._children.get(code_id, []))

    def ancestors(self, code_id: str) -> list[Code]:
        """Parent first, up to the top (the core); empty for unknown ids."""
        return [self._by_id[parent] for parent in ancestors(code_id, self._links)]

    @property
    def links(self) -> Links:
        """code id -> (parent id, level), for :mod:`gtcode.codebook.hierarchy`."""
        return self._links

    def main_category(self, code_id: str) -> str | None:
        """Id of the level-``category`` ancestor-or-self (None above or unknown)."""
        return level_up(code_id, "category", self._links)

    def subcategory(self, code_id: str) -> str | None:
        """Id of the level-``subcategory`` ancestor-or-self, if any."""
        return level_up(code_id, "subcategory", self._links)

    def core(self) -> Code | None:
        """The core category, if the codebook has one."""
        return next((c for c in self.codes if c.level == "core"), None)

    def level_codes(self, level: str) -> list[Code]:
        """Codes of one level in document order."""
        return [c for c in self.codes if c.level == level]

    def descendants(self, code_id: str) -> list[Code]:
        """Every code below ``code_id``, depth first in document order."""
        found: list[Code] = []
        for child in self.children(code_id):
            found.append(child)
            found.extend(self.descendants(child.id))
        return found

    def count_codings(self, codings: Iterable[tuple[str, str, Any]]
                      ) -> dict[str, tuple[int, int]]:
        """Sources and references per code, each coding also counted for its ancestors.

        Args:
            codings: ``(code_id, source, segment)`` triples; a segment counts
                once per code however many of its concepts were applied.

        Returns:
            ``{code_id: (sources, references)}`` for codes with any coding.
        """
        places: dict[str, set[tuple[str, Any]]] = {}
        for code_id, source, segment in codings:
            if code_id not in self._by_id:
                continue
            for target in [code_id, *(c.id for c in self.ancestors(code_id))]:
                places.setdefault(target, set()).add((source, segment))
        return {code_id: (len({src for src, _ in found}), len(found))
                for code_id, found in places.items()}

    # -- identity -----------------------------------------------------------------
    def canonical_json(self) -> str:
        """The model as canonical JSON: the same content gives the same text."""
        data = self.model_dump(mode="json", by_alias=True)
        return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    @property
    def hash(self) -> str:
        """sha256 hex of :meth:`canonical_json` (comments and layout do not count)."""
        if self._hash is None:
            self._hash = hashlib.sha256(self.canonical_json().encode("utf-8")).hexdigest()
        return self._hash
