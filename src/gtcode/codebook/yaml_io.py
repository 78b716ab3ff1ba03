"""Reading and writing codebook YAML with ruamel.yaml, keeping comments and lines.

The round-trip loader keeps the researcher's comments, key order and quoting,
and remembers the line of every key and list item; :func:`line_of` turns a
path such as ``("codes", 3, "rules", "terms", "zh", 0)`` (a pydantic ``loc``)
into that line, and :func:`format_path` into ``codes[3].rules.terms.zh[0]``.

Files are written in one layout (two-space mappings, list dashes indented by
two under their key), so a codebook in that layout loads and dumps to the
same bytes.
"""

from __future__ import annotations

import datetime as _dt
import io
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.scalarstring import LiteralScalarString

from gtcode.errors import GtcodeError
from gtcode.files import atomic_write_text, read_input, study_owner

Loc = tuple[str | int, ...]

#: A codebook file larger than this is refused (E110): a codebook of 100,000 terms
#: made from a dictionary is about 3 MB.
MAX_CODEBOOK_BYTES = 64 * 2**20


def make_yaml() -> YAML:
    """A round-trip YAML reader/writer in gtcode's layout."""
    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096  # never re-wrap a long line the researcher wrote
    yaml.preserve_quotes = True
    yaml.allow_unicode = True
    return yaml


def read_text(path: Path) -> str:
    """Read a codebook file as UTF-8 (a BOM is allowed).

    Raises:
        GtcodeError: E101 when the file is missing, E201 when it is not UTF-8.
    """
    return decode_text(read_input(Path(path), max_bytes=MAX_CODEBOOK_BYTES), path)


def decode_text(data: bytes, path: str | Path) -> str:
    """The bytes of a codebook file as text (E201 naming the line when not UTF-8)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise GtcodeError("E201", "the codebook is not UTF-8 text.", file=path,
                          where=str(line), hint="save the file as UTF-8") from None


#: Deepest nesting of lists and mappings a codebook may have. A code nested under
#: ``children:`` takes two levels, so this allows codes 30 deep (the method has four).
MAX_YAML_DEPTH = 64
#: Most nodes a codebook may have once its aliases (``*name``) are expanded: a
#: "billion laughs" file of a few lines expands to 10**9 and is refused.
MAX_YAML_NODES = 5_000_000


#: Anchor/alias syntax at the start of a token, and what can open a level of nesting.
_ALIAS_SYNTAX = re.compile(r"(?:^|[\s\[{,:-])[&*][^\s,\[\]{}]")
_NESTING = re.compile(r"^([ -]*)(.*)$")


def _could_be_hostile(text: str) -> bool:
    """Whether ``text`` could nest past the limit or use aliases (a cheap, exact bound).

    Each level of block nesting costs a column of indentation or a ``- ``, and a
    flow level a bracket on its line; without anchor/alias syntax nothing expands.
    (Flow brackets spread over many lines are caught when building the tree
    recurses too deep: see :func:`parse_yaml`.) A codebook as people write it
    passes here and is parsed once.
    """
    if _ALIAS_SYNTAX.search(text):
        return True
    for line in text.split("\n"):
        lead, rest = _NESTING.match(line).groups()
        if len(lead) + rest.count("[") + rest.count("{") >= MAX_YAML_DEPTH:
            return True
    return False


def check_structure(text: str, file: str | Path | None = None, *,
                    always: bool = False) -> None:
    """Refuse YAML nested too deep or whose aliases expand too far (E201, at its line).

    Reads the parser's events only (no tree is built, nothing recurses), so a
    3,000-deep list or a billion-laughs file is refused at once, in bounded memory.
    Text that cannot nest that deep and has no aliases is not read twice.
    """
    if not always and not _could_be_hostile(text):
        return
    from ruamel.yaml.events import (
        AliasEvent,
        CollectionEndEvent,
        CollectionStartEvent,
        ScalarEvent,
    )

    sizes: dict[str, int] = {}
    stack: list[list] = []  # [expanded size so far, anchor] per open list or mapping
    total = 0
    try:
        for event in YAML(typ="rt").parse(text):
            if isinstance(event, (ScalarEvent, AliasEvent, CollectionStartEvent)):
                size = sizes.get(event.anchor, 1) if isinstance(event, AliasEvent) else 1
                total += size
                if total > MAX_YAML_NODES:
                    raise _structure_error(event, file, "its aliases (*name) expand to more "
                                           f"than {MAX_YAML_NODES:,} nodes")
                if isinstance(event, CollectionStartEvent):
                    stack.append([1, event.anchor])
                    if len(stack) > MAX_YAML_DEPTH:
                        raise _structure_error(event, file, "lists and mappings are nested "
                                               f"more than {MAX_YAML_DEPTH} deep")
                    continue
                if isinstance(event, ScalarEvent) and event.anchor:
                    sizes[event.anchor] = 1
                if stack:
                    stack[-1][0] += size
            elif isinstance(event, CollectionEndEvent) and stack:
                size, anchor = stack.pop()
                if anchor:
                    sizes[anchor] = size
                if stack:
                    stack[-1][0] += size
    except MarkedYAMLError as exc:
        raise _parse_error(exc, file) from None
    except YAMLError as exc:
        raise GtcodeError("E201", f"the YAML does not parse: {exc}.", file=file) from None


def _structure_error(event: Any, file: str | Path | None, what: str) -> GtcodeError:
    mark = getattr(event, "start_mark", None)
    return GtcodeError("E201", f"the YAML is refused: {what}.", file=file,
                       where=str(mark.line + 1) if mark is not None else None,
                       hint="a codebook needs neither; write the codes out, or nest them less")


def parse_yaml(text: str, file: str | Path | None = None) -> Any:
    """Parse YAML text with the round-trip loader, after :func:`check_structure`.

    Raises:
        GtcodeError: E201 naming the line when the text does not parse
            (including a key given twice in one mapping), is nested too deep
            or expands too far through its aliases.
    """
    check_structure(text, file)
    try:
        return make_yaml().load(text)
    except RecursionError:  # nesting the quick look could not see (brackets over many lines)
        check_structure(text, file, always=True)
        raise GtcodeError("E201", "the YAML is nested too deep to read.", file=file,
                          hint="a codebook needs no such nesting") from None
    except MarkedYAMLError as exc:
        raise _parse_error(exc, file) from None
    except YAMLError as exc:
        raise GtcodeError("E201", f"the YAML does not parse: {exc}.", file=file) from None


def _parse_error(exc: MarkedYAMLError, file: str | Path | None) -> GtcodeError:
    mark = exc.problem_mark or exc.context_mark
    where = str(mark.line + 1) if mark is not None else None
    problem = str(exc.problem or exc.context or "invalid YAML").splitlines()[0]
    context = exc.context_mark
    if exc.context and context is not None and mark is not None and context.line != mark.line:
        problem += f" ({str(exc.context).replace('while ', '')} from line {context.line + 1})"
    return GtcodeError("E201", f"the YAML does not parse: {problem}.", file=file, where=where,
                       hint="check indentation, colons, brackets and quotes there")


def dumps_yaml(data: Any) -> str:
    """Serialise a (commented) mapping in gtcode's layout."""
    stream = io.StringIO()
    make_yaml().dump(data, stream)
    return stream.getvalue()


def to_plain(node: Any) -> Any:
    """Turn ruamel's commented containers and scalar types into plain Python."""
    if isinstance(node, dict):
        return {to_plain(key): to_plain(value) for key, value in node.items()}
    if isinstance(node, list):
        return [to_plain(item) for item in node]
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, str):
        return str(node)
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, (_dt.date, _dt.datetime)):
        return node.isoformat()
    return node


def format_path(loc: Sequence[str | int]) -> str:
    """``("codes", 3, "rules", "terms", "zh", 0)`` -> ``codes[3].rules.terms.zh[0]``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def line_of(root: Any, loc: Sequence[str | int]) -> int | None:
    """The 1-based line of the deepest node of ``loc`` present in ``root``.

    A missing key maps to the line of the mapping that lacks it; a path into
    a node built in Python (no line information) gives None.
    """
    line = _start_line(root)
    node = root
    for part in loc:
        found = _step(node, part)
        if found is None:
            break
        node, part_line = found
        if part_line is not None:
            line = part_line
    return None if line is None else line + 1


def _start_line(node: Any) -> int | None:
    lc = getattr(node, "lc", None)
    return getattr(lc, "line", None) if lc is not None else None


def _step(node: Any, part: str | int) -> tuple[Any, int | None] | None:
    if isinstance(node, dict) and not isinstance(part, int) and part in node:
        return node[part], _position(node, "key", part)
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return node[part], _position(node, "item", part)
    return None


def _position(node: Any, kind: str, part: str | int) -> int | None:
    # Nodes added in Python (not read from text) carry no line information.
    if not isinstance(node, (CommentedMap, CommentedSeq)):
        return None
    try:
        return getattr(node.lc, kind)(part)[0]
    except (KeyError, IndexError, TypeError):
        return None


class CodebookDocument:
    """A codebook YAML held as ruamel's round-trip tree, for tools that edit it.

    Edits made through :attr:`data` (a ``CommentedMap``) keep the comments,
    key order and quoting of the rest of the file when written back.

    Args:
        data: the parsed top-level mapping.
        path: where it was read from (used in messages and by :meth:`dump`).
    """

    def __init__(self, data: Any, path: Path | None = None) -> None:
        self.data = data
        self.path = Path(path) if path is not None else None

    @classmethod
    def load(cls, path: str | Path, display: str | None = None) -> CodebookDocument:
        """Read and parse a codebook file (E101, E201); ``display`` names it in errors."""
        path = Path(path)
        return cls(parse_yaml(read_text(path), display or path), path)

    @classmethod
    def from_text(cls, text: str, path: str | Path | None = None) -> CodebookDocument:
        """Parse YAML text (E201); ``path`` only names it in messages."""
        return cls(parse_yaml(text, path), Path(path) if path is not None else None)

    def dumps(self) -> str:
        """The document as YAML text, comments included."""
        return dumps_yaml(self.data)

    def dump(self, path: str | Path | None = None) -> Path:
        """Write the document (atomically) to ``path`` or where it came from."""
        target = Path(path) if path is not None else self.path
        if target is None:
            raise ValueError("no path to write the codebook to")
        _write(target, self.dumps())
        return target

    def line_of(self, loc: Sequence[str | int]) -> int | None:
        """Line of a path in this document (see :func:`line_of`)."""
        return line_of(self.data, loc)

    def code_maps(self) -> Iterator[tuple[Loc, Any]]:
        """Every code mapping with its path, depth first in document order."""
        codes = self.data.get("codes") if isinstance(self.data, dict) else None
        yield from _walk_codes(codes, ("codes",))

    def find_code(self, code_id: str) -> Any | None:
        """The mapping of the code with this id (to edit it in place), or None."""
        return next((m for _, m in self.code_maps() if m.get("id") == code_id), None)

    def add_code(self, fields: dict[str, Any]) -> Any:
        """Append a code (flat form, give ``parent``) at the end of ``codes``."""
        entry = CommentedMap(fields)
        codes = self.data.setdefault("codes", CommentedSeq())
        codes.append(entry)
        return entry


def _walk_codes(codes: Any, loc: Loc) -> Iterator[tuple[Loc, Any]]:
    if not isinstance(codes, list):
        return
    for index, entry in enumerate(codes):
        if not isinstance(entry, dict):
            continue
        here = (*loc, index)
        yield here, entry
        yield from _walk_codes(entry.get("children"), (*here, "children"))


def _write(path: Path, text: str) -> None:
    """Write a codebook; a study's own codebook.yaml may be written (it is a codebook,
    edited through this API), never its database or backups."""
    try:
        atomic_write_text(Path(path), text, owner=study_owner(path) == "codebook")
    except OSError as exc:
        raise GtcodeError("E701", f"the codebook cannot be written ({exc.strerror}).",
                          file=path) from None


_FIELD_ORDER = ("id", "name", "name_en", "level", "parent", "definition", "include", "exclude",
                "examples", "paradigm", "color", "memo", "rules")


def codebook_to_data(book: Any) -> CommentedMap:
    """A :class:`Codebook` as a YAML mapping in the flat form (codes with ``parent``).

    Empty and default values are left out, so the result reads like a file a
    person wrote; loading it again gives a codebook with the same hash.
    """
    data = CommentedMap()
    for key in ("name", "version", "language", "description", "authors"):
        value = getattr(book, key)
        if value not in (None, [], ""):
            data[key] = value if not isinstance(value, list) else list(value)
    data["codes"] = CommentedSeq(_code_data(code) for code in book.codes)
    return data


def _code_data(code: Any) -> CommentedMap:
    entry = CommentedMap()
    for key in _FIELD_ORDER:
        value = getattr(code, key)
        if value in (None, [], ""):
            continue
        if key == "rules":
            entry[key] = _rules_data(value)
        elif isinstance(value, list):
            entry[key] = CommentedSeq(_text(item) for item in value)
        else:
            entry[key] = _text(value)
    return entry


def _rules_data(rules: Any) -> CommentedMap:
    data = CommentedMap()
    for key, value in rules.model_dump(by_alias=True, exclude_defaults=True).items():
        if isinstance(value, dict):
            data[key] = _term_tables(value)
        elif key == "near":
            data[key] = CommentedSeq(_near_data(rule) for rule in value)
        elif isinstance(value, list):
            data[key] = CommentedSeq(value)
        else:
            data[key] = value
    return data


def _term_tables(tables: dict[str, list[str]]) -> CommentedMap:
    """Terms per language, each list on one line."""
    return CommentedMap((lang, _flow(terms)) for lang, terms in tables.items())


def _near_data(rule: dict[str, Any]) -> CommentedMap:
    """One ``rules.near`` entry: its term tables, then ``within`` when not the default."""
    data = CommentedMap()
    for key in ("terms", "context"):
        data[key] = _term_tables(rule[key])
    if rule.get("within", "sentence") != "sentence":
        data["within"] = rule["within"]
    return data


def _flow(items: list[str]) -> CommentedSeq:
    seq = CommentedSeq(items)
    seq.fa.set_flow_style()
    return seq


def _text(value: Any) -> Any:
    if isinstance(value, str) and "\n" in value:
        return LiteralScalarString(value)
    return value


def dump_codebook(data: Any, path: str | Path) -> Path:
    """Write a codebook to ``path`` atomically.

    Args:
        data: a :class:`CodebookDocument` (comments kept), a ruamel/plain
            mapping, or a :class:`Codebook` (written in the flat form).
        path: the file to write.

    Returns:
        The path written.
    """
    if isinstance(data, CodebookDocument):
        return data.dump(path)
    if hasattr(data, "codes") and hasattr(data, "hash"):
        data = codebook_to_data(data)
    _write(Path(path), dumps_yaml(data))
    return Path(path)
