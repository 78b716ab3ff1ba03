"""Memos written out as a file of their own: Markdown, Word or csv (``gtcode memo export``)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from gtcode.coding.memos import target_label
from gtcode.coding.sheet import unapplied_review
from gtcode.errors import GtcodeError
from gtcode.exports.docx_tables import write_memos_docx
from gtcode.files import atomic_write_text, guard_output, write_csv
from gtcode.store import memos as db
from gtcode.store.memos import MemoRow
from gtcode.store.project import Study

EXPORT_SUFFIXES = (".md", ".docx", ".csv")
CSV_HEADER = ("id", "target_type", "target", "title", "text", "author", "origin", "created_at",
              "updated_at", "guid")


def memos_markdown(memos: Iterable[MemoRow]) -> str:
    """Memos as Markdown: a heading per memo with target, author and dates."""
    parts = ["# Memos\n"]
    for memo in memos:
        title = memo.title or target_label(memo)
        parts.append(f"## {memo.id}. {title}\n\n*{target_label(memo)} · {memo.author} · "
                     f"{memo.created_at}*\n\n{memo.text}\n")
    return "\n".join(parts)


def export_memos(study: Study, path: Path, *, excel_safe: bool = False) -> int:
    """Write every memo to ``path`` (.md, .docx or .csv); return how many.

    A csv holds the memo text verbatim; ``excel_safe`` guards formula-like cells.

    Raises:
        GtcodeError: E112 for another suffix.
    """
    path = Path(path)
    guard_output(path, inspect=unapplied_review(study))
    suffix = path.suffix.lower()
    if suffix not in EXPORT_SUFFIXES:
        raise GtcodeError("E112", f"memos cannot be exported as {suffix or 'a file without suffix'}.",
                          file=path, hint="use .md, .docx or .csv")
    memos = db.list_memos(study.conn)
    if suffix == ".md":
        atomic_write_text(path, memos_markdown(memos))
    elif suffix == ".csv":
        write_csv(path, CSV_HEADER, ((m.id, m.target_type, m.target or "", m.title or "", m.text,
                                      m.author, m.origin, m.created_at, m.updated_at, m.guid or "")
                                     for m in memos), excel_safe=excel_safe)
    else:
        write_memos_docx(path, memos)
    return len(memos)
