"""Memos: the grounded theorist's running notes on codes, categories, cases and passages.

A memo is about one *target*, written ``TYPE:NAME``:

- ``study`` (the whole study),
- ``code:resource`` (any code of the codebook: concept, subcategory, category, core),
- ``case:S01``, ``source:S01.txt``, ``segment:S01.txt#12`` (segment 12 of S01.txt).

Memos are dated (UTC) and attributed, never silently changed. They come from
``gtcode memo add`` (origin ``cli``) or from other parts of gtcode (the
coding sheet writes origin ``sheet``); the workbook shows them beside their
targets and REFI-QDA exports carry them as Notes.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable

from gtcode.errors import GtcodeError
from gtcode.store import memos as db
from gtcode.store.memos import MemoRow
from gtcode.store.meta import now_iso
from gtcode.store.project import Study

TARGET_TYPES = ("study", "code", "case", "source", "segment")
#: Namespace of memo GUIDs (uuid5 of a stable key; exports stay deterministic).
MEMO_NAMESPACE = uuid.UUID("6f1c3a52-1d2e-5b8a-9c41-7e0d2b9f4a10")


def parse_target(spec: str) -> tuple[str, str | None]:
    """Split ``"code:resource"`` into ``("code", "resource")``; ``"study"`` has no name.

    Raises:
        GtcodeError: E112 for an unknown type or a missing name.
    """
    kind, sep, name = spec.strip().partition(":")
    kind = kind.strip().lower()
    if kind not in TARGET_TYPES:
        raise GtcodeError("E112", f"unknown memo target type {kind!r}.",
                          hint="use study, code:ID, case:NAME, source:FILE or segment:FILE#N")
    if kind == "study":
        return "study", None
    if not sep or not name.strip():
        raise GtcodeError("E112", f"the memo target {spec!r} lacks a name.",
                          hint=f"write {kind}:NAME, e.g. code:resource or segment:S01.txt#12")
    return kind, name.strip()


def add_memo(study: Study, target: str, text: str, *, author: str, title: str | None = None,
             origin: str = "cli", known_codes: Iterable[str] = ()) -> MemoRow:
    """Add a memo on ``target`` (see :func:`parse_target`) and return it.

    ``known_codes`` are the codebook's code ids (a code target may be one of
    them or a code stored in the study).

    Raises:
        GtcodeError: E306 when the target does not exist, E112 for empty text.
    """
    kind, name = parse_target(target)
    if not text.strip():
        raise GtcodeError("E112", "the memo text is empty.", hint="pass --text, --file or "
                          "write it in the editor")
    if not (kind == "code" and name in set(known_codes)) and \
            not db.target_exists(study.conn, kind, name):
        raise GtcodeError("E306", f"the memo target {kind}:{name} does not exist in this study.",
                          hint="check the name with `gtcode status STUDY` or the codebook")
    at = now_iso()
    key = f"{kind}\x1f{name}\x1f{author}\x1f{at}\x1f{hashlib.sha256(text.encode()).hexdigest()}"
    guid = str(uuid.uuid5(MEMO_NAMESPACE, key))
    with study.write():
        memo_id = db.insert_memo(study.conn, target_type=kind, target=name, author=author,
                                 title=title, text=text.strip(), origin=origin, guid=guid, at=at)
    return db.get_memo(study.conn, memo_id)  # type: ignore[return-value]


def list_memos(study: Study, target: str | None = None) -> list[MemoRow]:
    """All memos, or those on one target, oldest first."""
    if target is None:
        return db.list_memos(study.conn)
    kind, name = parse_target(target)
    return db.list_memos(study.conn, target_type=kind, target=name)


def get_memo(study: Study, memo_id: int) -> MemoRow:
    """One memo by id (E306 when there is none)."""
    memo = db.get_memo(study.conn, memo_id)
    if memo is None:
        raise GtcodeError("E306", f"no memo with id {memo_id}.", hint="see `gtcode memo list`")
    return memo


def by_target(memos: Iterable[MemoRow]) -> dict[tuple[str, str | None], list[MemoRow]]:
    """Group memos by ``(target_type, target)``."""
    grouped: dict[tuple[str, str | None], list[MemoRow]] = {}
    for memo in memos:
        grouped.setdefault((memo.target_type, memo.target), []).append(memo)
    return grouped


def memo_cell(memos: Iterable[MemoRow]) -> str:
    """Memos as one table cell: ``[2025-06-18 author] title: text`` per memo."""
    lines = []
    for memo in memos:
        head = f"[{memo.created_at[:10]} {memo.author}]"
        body = f"{memo.title}: {memo.text}" if memo.title else memo.text
        lines.append(f"{head} {body}")
    return "\n".join(lines)


def target_label(memo: MemoRow) -> str:
    return "study" if memo.target_type == "study" else f"{memo.target_type}:{memo.target}"
