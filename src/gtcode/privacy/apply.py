"""``gtcode anonymize STUDY --apply FILE``: replace every reviewed term, everywhere, at once.

The order is what keeps the researcher safe:

1. the review file is read and checked whole (E902), the key path is refused
   inside the study (E903), and each pseudonym is checked against the key (E904);
2. the database is copied beside the key (outside the study: the copy holds the
   identifiers);
3. the key file is written (merged with an earlier key), before the study
   changes: a kill after it leaves the study as it was and a key that a re-run
   writes again;
4. one transaction rewrites every text, span and note (:func:`gtcode.store.
   privacy.rewrite`), records what it did in the decision log, and the terms that stay in
   the text (kept terms and pseudonyms: never a replaced term) as reviewed;
5. freed pages and the write-ahead log are scrubbed, and a review file inside
   the study is removed (the key now holds what it held).

Offsets move with the text: a position before a replaced term stays, one after
it shifts by the difference in length, a span that began or ended inside a
term grows to hold its whole pseudonym. A coded passage therefore reads the
same apart from the replaced terms.
"""

from __future__ import annotations

import bisect
import contextlib
import hashlib
import json
import os
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from gtcode.codebook import CodebookDocument, codebook_from_document
from gtcode.errors import GtcodeError
from gtcode.files import atomic_write_text, describe_os_error
from gtcode.privacy.detect import term_pattern
from gtcode.privacy.found import NUMBER_KINDS
from gtcode.privacy.review import Entry, key_text, read_key, read_review, write_private
from gtcode.privacy.state import check_private_path, record_check
from gtcode.progress import Progress
from gtcode.store import privacy as db
from gtcode.store.meta import now_iso
from gtcode.store.project import Study

_CJK = re.compile(r"[\u3400-\u9fff]")


@dataclass
class ApplyReport:
    """What an applied review did, for the CLI to show."""

    replaced_terms: int = 0
    kept_terms: int = 0
    occurrences: Counter = field(default_factory=Counter)
    rows: dict[str, int] = field(default_factory=dict)
    key: Path | None = None
    backup: Path | None = None
    removed_review: bool = False
    earlier_backups: int = 0
    unreviewed: int = 0
    #: the study's codebook.yaml held replaced terms (adopted passages, names) and was rewritten
    codebook: bool = False


class Replacer:
    """Replaces the terms of a review in texts, and maps old offsets to new ones."""

    def __init__(self, entries: list[Entry]) -> None:
        self.table = {e.term: e for e in entries if e.replaces}
        self.pattern = term_pattern(self.table)
        self.counts: Counter = Counter()

    def _pick(self, term: str, language: str | None) -> str:
        entry = self.table[term]
        if _CJK.search(term):
            return entry.pseudonym
        if entry.kind in NUMBER_KINDS:
            return entry.pseudonym_en if language == "en" else entry.pseudonym
        return entry.pseudonym_en

    def edits(self, text: str, language: str | None) -> list[tuple[int, int, str]]:
        if self.pattern is None:
            return []
        return [(m.start(), m.end(), self._pick(m.group(), language))
                for m in self.pattern.finditer(text)]

    def source(self, text: str, language: str | None) -> tuple[str, Callable[[int, bool], int]]:
        edits = self.edits(text, language)
        for start, end, _new in edits:
            self.counts[self.table[text[start:end]].kind] += 1
        return splice(text, edits), offset_map(edits)

    def string(self, text: str) -> str:
        language = "zh" if _CJK.search(text) else "en"
        return splice(text, self.edits(text, language))

    def content_hash(self, text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def splice(text: str, edits: list[tuple[int, int, str]]) -> str:
    """``text`` with each ``(start, end, new)`` edit made (edits in order, not overlapping)."""
    if not edits:
        return text
    parts, at = [], 0
    for start, end, new in edits:
        parts += [text[at:start], new]
        at = end
    parts.append(text[at:])
    return "".join(parts)


def offset_map(edits: list[tuple[int, int, str]]) -> Callable[[int, bool], int]:
    """Old offset -> new offset after ``edits``; ``is_end`` says which side of a span it is.

    Outside every edit an offset shifts by the length differences before it. At
    an edit's start both sides stay at its start; strictly inside, a start goes
    to the pseudonym's start and an end to its end, so a span never cuts one.
    """
    starts = [start for start, _end, _new in edits]
    new_starts, shift = [], 0
    for start, end, new in edits:
        new_starts.append(start + shift)
        shift += len(new) - (end - start)

    def where(position: int, is_end: bool) -> int:
        k = bisect.bisect_right(starts, position) - 1
        if k < 0:
            return position
        start, end, new = edits[k]
        if position >= end:
            return new_starts[k] + len(new) + position - end
        if position == start or not is_end:
            return new_starts[k]
        return new_starts[k] + len(new)

    return where


def apply_review(study: Study, review: Path, key: Path, *, coder: str,
                 progress: Progress | None = None) -> ApplyReport:
    """Replace every term the review marks ``replace`` across the whole study (see module)."""
    entries = read_review(review)
    key = Path(key)
    check_private_path(study, key, what="key file", outside=True)
    known = read_key(key)
    _check_against_key(entries, known, review)
    report = ApplyReport(key=key)
    report.earlier_backups = len(study.backups())
    if progress:
        progress("Backing up", 0, 1)
    report.backup = study.backup("before-anonymize", folder=key.parent, private=True)
    at = now_iso()
    fresh = {e.term: e for e in entries if e.replaces and e.term not in known}
    merged = {**known, **fresh}
    write_private(key, key_text(study.path.name, merged, dict.fromkeys(fresh, at)))
    replacer = Replacer(entries)
    db.secure_delete(study.conn, True)
    try:
        with study.write() as conn:
            report.rows = db.rewrite(conn, replacer)
            reviewed = _reviewed(study, entries)
            study.set_meta("privacy_reviewed", json.dumps(sorted(reviewed)))
            report.replaced_terms = sum(e.replaces for e in entries)
            report.kept_terms = len(entries) - report.replaced_terms
            report.occurrences = replacer.counts
            applied = {"at": at, "terms_replaced": report.replaced_terms,
                       "terms_kept": report.kept_terms,
                       "occurrences": dict(sorted(replacer.counts.items())),
                       "key_file": key.name, "key_sha256": _sha256(key),
                       "backup": report.backup.name}
            study.set_meta("privacy_applied", json.dumps(applied, sort_keys=True))
            db.log_anonymize(conn, at=at, coder=coder, details=applied)
            report.unreviewed = record_check(study, frozenset(reviewed), progress=progress)
            report.codebook = _rewrite_codebook(study, replacer)  # last: then the commit
        db.scrub(study.conn)
    finally:
        db.secure_delete(study.conn, False)
    report.removed_review = _remove_if_inside(study, review)
    return report


def _rewrite_codebook(study: Study, replacer: Replacer) -> bool:
    """Replace the terms in the study's codebook.yaml too (inside the caller's transaction:
    checked to be a codebook still, then written atomically before the commit)."""
    path = study.codebook_path
    if not path.is_file():
        return False
    text = path.read_text(encoding="utf-8")
    new = replacer.string(text)
    if new == text:
        return False
    codebook_from_document(CodebookDocument.from_text(new, path), file=path.name)
    atomic_write_text(path, new, owner=True)
    return True


def _check_against_key(entries: list[Entry], known: dict[str, Entry], review: Path) -> None:
    for e in entries:
        old = known.get(e.term)
        if e.replaces and old is not None and old.pseudonym != e.pseudonym:
            raise GtcodeError("E904", "this term was pseudonymised before under another "
                              "pseudonym; one person must keep one pseudonym.", file=review,
                              where=f"line {e.line}",
                              hint="use the pseudonym the key file gives for it")


def _reviewed(study: Study, entries: list[Entry]) -> set[str]:
    reviewed = set(json.loads(study.meta("privacy_reviewed") or "[]"))
    for e in entries:  # a replaced term found again (a new import) is not reviewed there
        if e.replaces:
            reviewed |= {e.pseudonym, e.pseudonym_en}
        else:
            reviewed.add(e.term)
    return reviewed


def _sha256(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        raise GtcodeError("E701", f"the key file cannot be read back "
                          f"({describe_os_error(exc)}); nothing was changed.", file=path) from None


def _remove_if_inside(study: Study, review: Path) -> bool:
    """A review file inside the study holds identifiers the key now keeps: remove it."""
    inside = Path(os.path.realpath(study.path)) in Path(os.path.realpath(review)).parents
    if inside:
        with contextlib.suppress(OSError):
            review.unlink()
            return True
    return False
