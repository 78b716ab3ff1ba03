"""Validating a codebook: every problem at once, each with its YAML path and line.

Checking runs in two passes. First each code is validated alone with the
strict pydantic model (unknown keys, wrong levels, empty terms, regexes that
do not compile, ...), so one bad code does not hide the others. Then the
codes that passed are checked against each other: duplicate ids, unknown
parents, cycles, levels out of order, more than one core. Duplicate terms
across codes and other doubtful but usable things are warnings.

Each problem renders as ``file:line yaml.path: message``, e.g.
``codebooks/x.yaml:42 codes[3].rules.terms.zh[0]: empty term``.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from gtcode._version import __version__
from gtcode.cache import cache_key, cached
from gtcode.codebook.builtin import display_name, resolve_ref
from gtcode.codebook.checks import Problem, cross_check
from gtcode.codebook.model import Code, Codebook, CodebookMeta, NearRule, Rules
from gtcode.codebook.yaml_io import (
    MAX_CODEBOOK_BYTES,
    CodebookDocument,
    Loc,
    decode_text,
    format_path,
    parse_yaml,
    to_plain,
)
from gtcode.errors import ProblemList
from gtcode.files import read_input

# -- pass 1: each piece alone -------------------------------------------------------


def _allowed_keys(model: type[BaseModel]) -> list[str]:
    return [field.alias or name for name, field in model.model_fields.items()]


def _model_at(loc: Loc) -> list[str]:
    """The keys allowed at the mapping that holds the last part of ``loc``."""
    parent = loc[:-1]
    if not parent:
        return [*_allowed_keys(CodebookMeta), "codes"]
    if parent[-1] == "rules":
        return _allowed_keys(Rules)
    if len(parent) > 1 and parent[-2] == "near":
        return _allowed_keys(NearRule)
    return [*_allowed_keys(Code), "children"]


def _friendly(error: dict[str, Any], loc: Loc) -> tuple[str, str]:
    """A (kind, message) pair for one pydantic error, in the codebook's words."""
    kind, ctx, value = error["type"], error.get("ctx") or {}, error.get("input")
    key = str(loc[-1]) if loc else ""
    if kind == "extra_forbidden":
        allowed = _model_at(loc)
        close = difflib.get_close_matches(key, allowed, n=1)
        hint = f"did you mean '{close[0]}'?" if close else "allowed: " + ", ".join(allowed)
        return "unknown-key", f"unknown key '{key}' ({hint})"
    if kind == "missing":
        return "missing-key", f"required key '{key}' is missing"
    if kind == "literal_error":
        return "bad-value", f"'{value}' is not allowed here; use one of {ctx.get('expected')}"
    if kind == "string_pattern_mismatch":
        return "bad-value", _pattern_message(key, value)
    if kind == "value_error":
        text = str(ctx.get("error", error["msg"]))
        return _value_kind(text), text
    if kind == "string_too_short":
        return "empty-value", f"'{key}' must not be empty"
    return "bad-value", error["msg"][0].lower() + error["msg"][1:]


def _value_kind(text: str) -> str:
    if text.startswith("empty term") or text.startswith("term has"):
        return "empty-term"
    if text.startswith("regex") or text.startswith("empty regex"):
        return "bad-regex"
    return "bad-value"


def _pattern_message(key: str, value: Any) -> str:
    if key == "color":
        return f"'{value}' is not a colour; write #RRGGBB, e.g. #1F77B4"
    if key in ("id", "parent"):
        return (f"'{value}' is not a valid code id (lowercase letters, digits and _, "
                "parts joined by . or -, e.g. resource.approval_blocked)")
    return f"'{value}' is not a language code such as zh or en"


def _pydantic_problems(exc: ValidationError, prefix: Loc) -> list[Problem]:
    problems = []
    for error in exc.errors(include_url=False):
        loc = (*prefix, *(part for part in error["loc"] if part != "[key]"))
        kind, message = _friendly(error, loc)
        problems.append(Problem(loc, message, kind))
    return problems


@dataclass
class _Collected:
    entries: list[tuple[Loc, Code]]
    problems: list[Problem]
    raw_ids: list[tuple[Loc, str]]


def _collect_codes(codes: Any, loc: Loc, parent: str | None, out: _Collected) -> None:
    if not isinstance(codes, list):
        out.problems.append(Problem(loc, "must be a list of codes", "bad-value"))
        return
    for index, raw in enumerate(codes):
        _collect_code(raw, (*loc, index), parent, out)


def _collect_code(raw: Any, loc: Loc, parent: str | None, out: _Collected) -> None:
    if not isinstance(raw, dict):
        out.problems.append(Problem(loc, "a code must be a mapping (id: ..., name: ...)",
                                    "bad-value"))
        return
    fields = {key: value for key, value in raw.items() if key != "children"}
    raw_id = fields.get("id") if isinstance(fields.get("id"), str) else None
    if raw_id:
        out.raw_ids.append((loc, raw_id))
    try:
        code = Code.model_validate(to_plain(fields))
    except ValidationError as exc:
        out.problems.extend(_pydantic_problems(exc, loc))
        code = None
    if code is not None and parent is not None:
        if code.parent is not None and code.parent != parent:
            out.problems.append(Problem((*loc, "parent"), f"parent '{code.parent}' contradicts "
                                        f"its place under '{parent}' (leave parent out when "
                                        "nesting)", "nesting"))
        code = code.model_copy(update={"parent": parent})
    if code is not None:
        out.entries.append((loc, code))
    if "children" in raw:
        _collect_codes(raw["children"], (*loc, "children"), raw_id, out)


def _collect(data: Any) -> tuple[CodebookMeta | None, _Collected]:
    out = _Collected([], [], [])
    if not isinstance(data, dict):
        what = "empty" if data is None else "not a mapping"
        out.problems.append(Problem((), f"the file is {what}; it needs name, version and codes",
                                    "bad-value"))
        return None, out
    meta = None
    try:
        meta = CodebookMeta.model_validate(to_plain({k: v for k, v in data.items()
                                                     if k != "codes"}))
    except ValidationError as exc:
        out.problems.extend(_pydantic_problems(exc, ()))
    if "codes" not in data:
        out.problems.append(Problem(("codes",), "required key 'codes' is missing",
                                    "missing-key"))
    else:
        _collect_codes(data["codes"], ("codes",), None, out)
    return meta, out


# -- putting it together -----------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    """The outcome of checking one document."""

    codebook: Codebook | None
    problems: list[Problem]
    warnings: list[Problem]
    file: str | None

    def lines(self, items: Sequence[Problem]) -> list[str]:
        """Rendered ``file:line path: message`` lines."""
        return [item.render(self.file) for item in items]


def check_document(doc: CodebookDocument, file: str | None = None) -> Report:
    """Check a parsed document; never raises for content problems."""
    meta, collected = _collect(doc.data)
    problems = list(collected.problems)
    warnings: list[Problem] = []
    if meta is not None or collected.entries:
        cross, warnings = cross_check(collected.entries, collected.raw_ids)
        problems.extend(cross)
    problems = _locate(doc, problems)
    warnings = _locate(doc, warnings)
    book = None
    if not problems and meta is not None:
        book = Codebook(**dict(meta), codes=[code for _, code in collected.entries])
    return Report(book, problems, warnings, file)


def _locate(doc: CodebookDocument, items: list[Problem]) -> list[Problem]:
    located = [dataclasses.replace(
        p, line=doc.line_of(p.path),
        related_line=doc.line_of(p.related) if p.related is not None else None)
        for p in items]
    return sorted(located, key=lambda p: (p.line or 0, format_path(p.path)))


def codebook_from_document(doc: CodebookDocument, file: str | None = None) -> Codebook:
    """Validate a document and return its :class:`Codebook`.

    Raises:
        ProblemList: E202 listing every problem, each ``file:line path: message``.
    """
    file = file if file is not None else (str(doc.path) if doc.path else None)
    report = check_document(doc, file)
    if report.codebook is None:
        raise ProblemList("E202", report.lines(report.problems), file=file)
    return report.codebook._with_origin(doc.path, report.lines(report.warnings))


def validate_file(path: str | Path) -> tuple[Codebook | None, list[str], list[str]]:
    """Check a codebook file (or built-in name) for the ``validate`` command.

    Returns:
        ``(codebook or None, problem lines, warning lines)``.

    Raises:
        GtcodeError: E101 (unreadable), E201 (YAML does not parse), E203
            (unknown built-in name); content problems are returned, not raised.
    """
    try:  # an unchanged valid codebook comes from the cache, with its warnings
        book = load_codebook(path)
        return book, [], book.warnings
    except ProblemList:
        pass  # read it again below for the problems and the warnings together
    resolved = resolve_ref(path)
    file = display_name(path, resolved)
    doc = CodebookDocument.load(resolved, display=file)
    report = check_document(doc, file)
    book = report.codebook
    if book is not None:
        book._with_origin(resolved, report.lines(report.warnings))
    return book, report.lines(report.problems), report.lines(report.warnings)


def load_codebook(ref: str | Path) -> Codebook:
    """Load a codebook by built-in name (``"six-pressures"``) or path.

    A codebook that loaded before and has not changed since comes from the
    cache (:mod:`gtcode.cache`), without parsing the YAML again: the entry is
    valid only for the same bytes, size and modification time of the file, the
    same path and the same gtcode, so any edit, even one that keeps the size or
    the time, is parsed and checked afresh. Codebooks with problems are never
    cached.

    Raises:
        GtcodeError: E101, E201, E202 (a :class:`ProblemList`), E203.
    """
    resolved = resolve_ref(ref)
    file = display_name(ref, resolved)
    data = read_input(resolved, max_bytes=MAX_CODEBOOK_BYTES)

    def parse() -> Codebook:
        doc = CodebookDocument(parse_yaml(decode_text(data, file), file), resolved)
        return codebook_from_document(doc, file)

    try:
        stat = resolved.stat()
        where = str(resolved.resolve())
    except OSError:
        return parse()
    key = cache_key("codebook", hashlib.sha256(data).hexdigest(), str(len(data)),
                    str(stat.st_mtime_ns), str(stat.st_size), where, str(resolved), file,
                    _code_stamp())
    return cached("codebook", key, parse, slot=cache_key("codebook-file", where))


@functools.cache
def _code_stamp() -> str:
    """gtcode's version and its codebook code (an edited install reads afresh)."""
    here = Path(__file__).parent
    stamps = [f"{p.name}:{p.stat().st_mtime_ns}:{p.stat().st_size}"
              for p in sorted(here.glob("*.py"))]
    return " ".join([__version__, *stamps])
