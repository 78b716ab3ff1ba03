"""What one row of a coding sheet decides: the rules, written once.

``gtcode sheet apply`` records these decisions in a study and ``gtcode agree
SHEET_A SHEET_B`` compares them, so both read a row through :func:`decide`.

A row records something only when the coder marked it: a word in the
``决定 decision`` column or codes in the ``编码 codes`` column. A row left as
exported is *undecided* and records nothing.

* ``接受 accept``: the machine suggestions shown on the row apply (plus any
  codes typed; ``-code`` leaves one suggestion out).
* ``拒绝 reject``: none of the suggestions shown apply; the codes typed do
  (none typed: no code applies).
* ``无编码 none``: no code applies to the segment (no codes may be typed).
* codes typed without a decision: the same as ``拒绝 reject`` with those codes.

A suggestion the sheet did not show (a blind sheet shows none) is never
accepted or rejected by a row: the coder never saw it. Codes are written as
ids or names (Chinese or English), separated by ``;`` ``；`` ``,`` ``、`` or
new lines; an unknown one is reported with the closest code.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

#: Decision words: what each means, and every spelling accepted for it.
DECISION_WORDS: dict[str, tuple[str, ...]] = {
    "accept": ("接受", "accept", "采纳", "同意", "是", "yes", "y", "ok", "✓", "√"),
    "reject": ("拒绝", "reject", "不采纳", "不同意", "否", "no", "n", "✗", "×", "x"),
    "none": ("无编码", "none", "无", "没有", "no code", "nothing", "-", "—"),
}
#: The values of the decision column's drop-down list, per kind of sheet.
DECISION_CHOICES = {"review": ("接受 accept", "拒绝 reject", "无编码 none"),
                    "blind": ("无编码 none",)}
_WORDS = {spelling.casefold(): meaning for meaning, spellings in DECISION_WORDS.items()
          for spelling in spellings}
_SPLIT_CODES = re.compile(r"[;；,，、\n\r]+")
_MINUS = ("-", "－", "−", "–")


def split_codes(cell: str | None) -> list[str]:
    """Code entries from a cell: separated by ; , 、 or new lines (order kept, no repeats)."""
    seen: list[str] = []
    for part in _SPLIT_CODES.split(cell or ""):
        part = part.strip()
        if part and part not in seen:
            seen.append(part)
    return seen


def read_decision(cell: str | None) -> str | None:
    """``"accept"``, ``"reject"``, ``"none"`` or None (empty) from a decision cell.

    ``接受 accept`` (the drop-down value), ``接受`` and ``accept`` all read as
    ``"accept"``.

    Raises:
        ValueError: for a word that is none of these (the message lists them).
    """
    text = " ".join((cell or "").split())
    if not text:
        return None
    if text.casefold() in _WORDS:
        return _WORDS[text.casefold()]
    meanings = {_WORDS.get(part.casefold()) for part in text.split(" ")}
    if len(meanings) == 1 and None not in meanings:
        return meanings.pop()
    raise ValueError(f"the decision {text!r} is not one of 接受 accept, 拒绝 reject, "
                     "无编码 none (or leave it empty)")


# -- code ids and names -------------------------------------------------------------

class CodeLookup:
    """Code ids from what a coder typed: an id, a name, an English name, or ``id name``."""

    def __init__(self, codes: Iterable[tuple[str, str | None, str | None]]) -> None:
        self.names: dict[str, str] = {}
        self._ids: dict[str, str] = {}
        self._by_key: dict[str, set[str]] = {}
        for code_id, name, name_en in codes:
            if code_id in self.names:
                continue
            self.names[code_id] = name or code_id
            self._ids.setdefault(code_id.casefold(), code_id)
            for key in (code_id, name, name_en):
                if key:
                    self._by_key.setdefault(key.strip().casefold(), set()).add(code_id)

    @classmethod
    def of(cls, codebook, extra: Iterable = ()) -> CodeLookup:
        """The codes of a codebook plus ``extra`` rows with ``id``, ``name``, ``name_en``."""
        rows = [(c.id, c.name, c.name_en) for c in (codebook.codes if codebook else ())]
        rows += [(c.id, c.name, c.name_en) for c in extra]
        return cls(rows)

    def label(self, code_id: str) -> str:
        """``id 名称`` as the sheet shows a code."""
        name = self.names.get(code_id)
        return f"{code_id} {name}" if name and name != code_id else code_id

    def resolve(self, text: str) -> str:
        """The code id ``text`` names.

        Raises:
            ValueError: unknown or ambiguous, with the closest code in the message.
        """
        key = " ".join(text.split()).casefold()
        if key in self._ids:  # an id always means itself, even if it is another's name
            return self._ids[key]
        found = self._by_key.get(key)
        head = key.split(" ", 1)[0]
        if not found and head in self._ids:  # "id 名称", as the sheet shows codes
            return self._ids[head]
        if found and len(found) == 1:
            return next(iter(found))
        if found:
            raise ValueError(f"the name {text!r} fits several codes ({', '.join(sorted(found))});"
                             " write the code id")
        raise ValueError(f"unknown code {text!r}{self._did_you_mean(key)}")

    def _did_you_mean(self, key: str) -> str:
        close = difflib.get_close_matches(key, list(self._by_key), n=1, cutoff=0.5)
        if not close:
            return "; see the codebook tab for the codes"
        return f"; did you mean {self.label(sorted(self._by_key[close[0]])[0])!r}?"


# -- what the sheet showed -------------------------------------------------------------

@dataclass(frozen=True)
class Shown:
    """What a sheet showed the coder on a row (its hidden ``shown`` cell).

    Attributes:
        mode: ``"review"`` (machine suggestions shown), ``"blind"`` (none)
            or ``"unknown"`` (a sheet without the record: nothing is taken as shown).
        suggested: the code ids of the suggestions shown.
    """

    mode: str
    suggested: tuple[str, ...] = ()

    @property
    def blind(self) -> bool | None:
        return {"blind": True, "review": False}.get(self.mode)

    def cell(self) -> str:
        """The hidden cell's text (JSON)."""
        data = {"mode": self.mode}
        if self.mode == "review":
            data["suggested"] = list(self.suggested)
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def read(cls, cell: str | None) -> Shown:
        """Parse a hidden cell; None (no such column) gives mode ``unknown``.

        Raises:
            ValueError: when the cell was changed or cleared.
        """
        if cell is None:
            return cls("unknown")
        try:
            data = json.loads(cell)
            mode = data["mode"]
            suggested = tuple(str(c) for c in data.get("suggested", ()))
        except (ValueError, KeyError, TypeError):
            raise ValueError("the hidden 已显示 shown cell was changed; it must stay as "
                             "exported") from None
        if mode not in ("review", "blind") or (mode == "blind" and suggested):
            raise ValueError("the hidden 已显示 shown cell was changed; it must stay as exported")
        return cls(mode, suggested)


def shown_on_row(shown_cell: str | None, suggested_cell: str | None, resolve) -> Shown:
    """What a row showed: its hidden record, checked against the visible suggestion column.

    A sheet without the record (made by hand, or the column deleted) is taken
    to have shown what its visible suggestion column holds, if it has one, and
    its blindness is unknown.

    Raises:
        ValueError: when the record or the visible suggestions were changed.
    """
    shown = Shown.read(shown_cell)
    if suggested_cell is None or shown.mode == "blind":
        return shown
    visible = []
    for entry in split_codes(suggested_cell):
        head = entry.split(" ", 1)[0]  # the sheet writes "id 名称"
        if head in shown.suggested:
            visible.append(head)
            continue
        try:
            visible.append(resolve(entry))
        except ValueError:
            visible.append(head)
    if shown.mode == "unknown":
        return Shown("unknown", tuple(dict.fromkeys(visible)))
    if sorted(set(visible)) != sorted(shown.suggested):
        raise ValueError("the 机器建议 suggestion column was changed; it must stay as exported "
                         "(write your decision in 决定 decision and 编码 codes)")
    return shown


# -- a row's decision ---------------------------------------------------------------------

@dataclass(frozen=True)
class RowDecision:
    """What a marked row decides about the codes of its segment.

    Attributes:
        decision: ``accept``, ``reject``, ``none``, or ``codes`` (codes typed,
            no decision word).
        accepted: codes that apply (suggestions accepted, codes typed).
        rejected: codes that do not apply (shown suggestions not kept, ``-code``).
    """

    decision: str
    accepted: frozenset[str]
    rejected: frozenset[str]


def decide(decision_cell: str | None, codes_cell: str | None, shown: Shown,
           resolve) -> tuple[RowDecision | None, list[str]]:
    """Read a row's decision; ``(None, [])`` for an undecided row.

    Args:
        decision_cell, codes_cell: the row's cells (None: no such column).
        shown: what the row showed.
        resolve: turns a typed code into its id, raising ValueError when unknown.

    Returns:
        the decision (None when undecided) and the problems found (messages
        naming no row; the caller adds it).
    """
    problems: list[str] = []
    try:
        word = read_decision(decision_cell)
    except ValueError as exc:
        return None, [str(exc)]
    plus, minus = [], []
    for entry in split_codes(codes_cell):
        negative = entry.startswith(_MINUS) and len(entry) > 1
        name = entry[1:].strip() if negative else entry
        try:
            (minus if negative else plus).append(resolve(name))
        except ValueError as exc:
            problems.append(str(exc))
    if word is None and not plus and not minus:
        return None, problems
    both = sorted(set(plus) & set(minus))
    if both:
        problems.append(f"{', '.join(both)} is both added and taken out (-) on this row")
    if word == "none" and plus:
        problems.append("无编码 none, yet codes are typed; clear one of them")
    if word == "accept" and shown.mode == "blind":
        problems.append("接受 accept, but this blind sheet shows no suggestion to accept; type "
                        "the codes that apply, or 无编码 none")
    if problems:
        return None, problems
    suggested = frozenset(shown.suggested)
    if word == "accept":
        accepted = (suggested - set(minus)) | set(plus)
        rejected = frozenset(minus)
    else:
        accepted = frozenset(plus)
        rejected = (suggested - set(plus)) | set(minus)
    return RowDecision(word or "codes", frozenset(accepted), frozenset(rejected)), []
