"""Applying a coder's sheet: record the rows she decided, nothing else.

Every row is checked before anything is written (one transaction under the
write lock); a problem anywhere means nothing is recorded, and every problem
is reported with its row. What a row decides is :func:`gtcode.coding.
sheet_rows.decide`; this module turns it into codings and decision-log
entries, each marked blind or not by what the sheet showed.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from gtcode.coding.sheet import MACHINE_ORIGINS, cell_text, segment_key, text_hash
from gtcode.coding.sheet_io import SheetRow, read_sheet
from gtcode.coding.sheet_rows import CodeLookup, RowDecision, Shown, decide, shown_on_row
from gtcode.errors import GtcodeError, ProblemList
from gtcode.files import is_formula_like
from gtcode.store import open_coding as db
from gtcode.store.codes import list_codes
from gtcode.store.project import Study
from gtcode.workspace import register_codebook

_SPLIT_PHRASES = re.compile(r"[;；\n\r]+")
_COUNTERS = {"accept": "accepted", "add": "added", "reject": "rejected", "remove": "removed"}


@dataclass
class ApplyReport:
    """What applying a sheet recorded.

    ``decided`` rows were marked by the coder; ``undecided`` rows were left as
    exported and recorded nothing. ``blind`` is True for a blind sheet, False
    for a review sheet, None when the sheet does not say.
    """

    rows: int = 0
    decided: int = 0
    undecided: int = 0
    accepted: int = 0
    rejected: int = 0
    added: int = 0
    removed: int = 0
    proposed: int = 0
    memos: int = 0
    changed_rows: int = 0
    blind: bool | None = None
    via: str = ""

    @property
    def changes(self) -> int:
        return self.accepted + self.rejected + self.added + self.removed + self.proposed + \
            self.memos


@dataclass(frozen=True)
class _Checked:
    row: SheetRow
    segment: db.KeyedSegment
    shown: Shown
    decision: RowDecision | None
    phrases: list[str]


def apply_sheet(study: Study, codebook, path: Path, *, coder: str) -> ApplyReport:
    """Record a coder's decisions from a reviewed sheet (one transaction).

    Raises:
        GtcodeError: E112 for a missing or reserved coder name; E401 when the
            sheet is malformed (missing sheet or columns, formulas, a segment
            twice, the layout of an earlier gtcode); E403 when none of its
            segments is in this study; ProblemList with E401/E402/E403/E404
            problems, each naming its row, for bad decisions, unknown codes,
            unknown segments or changed text.
    """
    path = Path(path)
    coder = (coder or "").strip()
    if not coder or coder == db.RULE_CODER:
        raise GtcodeError("E112", "a sheet is applied in a coder's name.",
                          hint="pass --coder NAME (your name or initials)")
    rows, cell_problems = read_sheet(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    report = ApplyReport(via=f"{path.name}@sha256:{digest}")
    with study.write() as conn:  # checked under the write lock: no writer can slip between
        register_codebook(study, codebook)  # with the decisions, in one transaction
        checked = _check(study, codebook, rows, path, cell_problems)
        modes = {item.shown.mode for item in checked}
        report.blind = True if modes == {"blind"} else (False if "review" in modes else None)
        db.ensure_coder(conn, coder, "human")
        for item in checked:
            _apply_row(conn, item, coder, codebook.hash, report)
    return report


def _check(study: Study, codebook, rows: list[SheetRow], path: Path,
           problems: list[tuple[int, str, str]]) -> list[_Checked]:
    lookup = CodeLookup.of(codebook, list_codes(study.conn))
    segments = _segments(study, rows, path, problems)
    checked: list[_Checked] = []
    first_row: dict[int, int] = {}
    for row in rows:
        segment = segments.get(row.number)
        if segment is None:
            continue
        if segment.id in first_row:
            problems.append((row.number, "E401", f"segment {row.segment} is also on row "
                             f"{first_row[segment.id]}; keep one row per segment"))
            continue
        first_row[segment.id] = row.number
        if not _same_text(row, segment, problems):
            continue
        shown = _shown(row, lookup, problems)
        if shown is None:
            continue
        decision, found = decide(row.decision, row.codes, shown, lookup.resolve)
        problems.extend((row.number, _code_of(p), p) for p in found)
        phrases = [p.strip() for p in _SPLIT_PHRASES.split(row.new_concept or "") if p.strip()]
        checked.append(_Checked(row, segment, shown, decision, phrases))
    if problems:
        problems.sort()
        raise ProblemList(problems[0][1], [f"[{code}] row {number}: {message}"
                                           for number, code, message in problems], file=path,
                          hint="fix these rows (or delete them) and apply the sheet again; "
                          "nothing was recorded")
    return checked


def _code_of(problem: str) -> str:
    return "E402" if problem.startswith(("unknown code", "the name")) else "E401"


def _segments(study: Study, rows: list[SheetRow], path: Path,
              problems: list) -> dict[int, db.KeyedSegment]:
    """Row number -> its segment; unknown sources are reported once each, not per row."""
    found: dict[int, db.KeyedSegment] = {}
    by_source: dict[str, dict[int, db.KeyedSegment]] = {}
    missing: dict[str, list[int]] = {}
    for row in rows:
        source, _, idx = (row.segment or "").strip().rpartition("#")
        if not source or not idx.isdigit():
            problems.append((row.number, "E403", "the segment id is missing or not of the form "
                             "<source>#<number>"))
            continue
        if source not in by_source:
            by_source[source] = db.source_segments_by_idx(study.conn, source)
        if not by_source[source]:
            missing.setdefault(source, []).append(row.number)
        elif int(idx) not in by_source[source]:
            problems.append((row.number, "E403", f"segment {row.segment} does not exist in "
                             "this study"))
        else:
            found[row.number] = by_source[source][int(idx)]
    if missing and not found:
        names = sorted(missing)
        raise GtcodeError("E403", f"none of this sheet's sources is in this study "
                          f"({_few(names)}); it was exported from another study. Nothing was "
                          "recorded.", file=path,
                          hint=f"apply it to the study it came from; this one holds "
                          f"{_few(db.source_names(study.conn)) or 'no sources'}")
    for source, numbers in missing.items():
        problems.append((numbers[0], "E403", f"source {source} is not in this study "
                         f"({len(numbers)} row(s): {_span(numbers)})"))
    return found


def _few(names: list[str], count: int = 3) -> str:
    return ", ".join(names[:count]) + (f" and {len(names) - count} more"
                                       if len(names) > count else "")


def _span(numbers: list[int]) -> str:
    return f"row {numbers[0]}" if len(numbers) == 1 else f"rows {numbers[0]}–{numbers[-1]}"


def _normal(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.startswith("'") and is_formula_like(text[1:]):
        text = text[1:]
    return text.strip()


def _same_text(row: SheetRow, segment: db.KeyedSegment, problems: list) -> bool:
    current = text_hash(segment.text)
    if row.text is not None and _normal(row.text) != _normal(cell_text(segment.text)):
        problems.append((row.number, "E404", "the text of this row was changed; the sheet's "
                         "text must stay as exported"))
        return False
    if row.text_hash and row.text_hash.strip() != current:
        problems.append((row.number, "E404", "the segment's text changed since this sheet was "
                         "exported (re-imported?); export a new sheet"))
        return False
    return True


def _shown(row: SheetRow, lookup: CodeLookup, problems: list) -> Shown | None:
    """What the row showed; None (a problem noted) when its record or suggestions were edited."""
    try:
        return shown_on_row(row.shown, row.suggested, lookup.resolve)
    except ValueError as exc:
        problems.append((row.number, "E401", str(exc)))
        return None


def _apply_row(conn, item: _Checked, coder: str, book_hash: str, report: ApplyReport) -> None:
    seg = item.segment
    report.rows += 1
    before = report.changes
    details = {"row": item.row.number, "segment": segment_key(seg.source, seg.idx)}
    blind = item.shown.blind
    if item.decision is not None:
        report.decided += 1
        details = {**details, "decision": item.decision.decision,
                   "shown": list(item.shown.suggested)}
        _record_codes(conn, item, coder, book_hash, details, report)
    else:
        report.undecided += 1
    _apply_notes(conn, item, coder, details, report)
    if report.changes > before:
        report.changed_rows += 1
    if item.decision is not None and not db.has_decision(conn, coder, seg.id):
        # A decision that changed no coding ("nothing applies here", or "the codes
        # are right") is logged too, once, so agreement knows the coder decided it.
        db.log_decision(conn, coder=coder, action="review", segment_id=seg.id, code_id=None,
                        via=report.via, details=details, blind=blind)


def _record_codes(conn, item: _Checked, coder: str, book_hash: str, details: dict,
                  report: ApplyReport) -> None:
    seg, decision = item.segment, item.decision
    existing = db.segment_codings(conn, seg.id)
    suggested = {c.code_id for c in existing
                 if c.origin in MACHINE_ORIGINS and c.status == "suggested"}
    suggested |= set(item.shown.suggested)
    mine = {c.code_id: c for c in existing if c.origin == "human" and c.coder == coder}

    def record(code: str, status: str | None, action: str) -> None:
        if status is None:
            db.delete_coding(conn, mine[code].id)
        else:
            db.insert_human_coding(conn, source_id=seg.source_id, segment_id=seg.id,
                                   start=seg.start, end=seg.end, code_id=code, coder=coder,
                                   status=status, codebook_hash=book_hash)
        db.log_decision(conn, coder=coder, action=action, segment_id=seg.id, code_id=code,
                        via=report.via, details=details, blind=item.shown.blind)
        name = _COUNTERS[action]
        setattr(report, name, getattr(report, name) + 1)

    for code in sorted(decision.accepted):
        if code not in mine or mine[code].status != "accepted":
            record(code, "accepted", "accept" if code in suggested else "add")
    for code in sorted(decision.rejected):
        if code in suggested:
            if code not in mine or mine[code].status != "rejected":
                record(code, "rejected", "reject")
        elif code in mine and mine[code].status == "accepted":
            record(code, None, "remove")


def _apply_notes(conn, item: _Checked, coder: str, details: dict, report: ApplyReport) -> None:
    seg = item.segment
    for phrase in item.phrases:
        if not db.has_candidate(conn, phrase, "proposed", coder, seg.id):
            db.add_candidate(conn, phrase, "proposed", coder, seg.id, note="coding sheet")
            db.log_decision(conn, coder=coder, action="propose", segment_id=seg.id,
                            code_id=None, via=report.via, details={**details, "phrase": phrase},
                            blind=item.shown.blind)
            report.proposed += 1
    memo = (item.row.memo or "").strip()
    target = segment_key(seg.source, seg.idx)
    if memo:
        existing = db.sheet_memo(conn, target, coder)
        if existing is None or existing[1] != memo:
            db.upsert_sheet_memo(conn, target, coder, memo)
            db.log_decision(conn, coder=coder, action="memo", segment_id=seg.id, code_id=None,
                            via=report.via, details=details, blind=item.shown.blind)
            report.memos += 1
