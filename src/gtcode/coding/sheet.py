"""The review loop in a spreadsheet: export a coding sheet, apply a coder's sheet.

One row per segment: its readable id ``<source>#<idx>``, source, case,
speaker, role, text, the rule suggestions with their evidence, then the
coder's columns (codes, new concept, memo) and a hidden hash of the text.
The ``codes`` column comes filled with the suggestions (or, with ``coder``,
that coder's earlier decisions): every row left in the sheet is the coder's
decision on that segment: codes kept are accepted, codes removed rejected,
codes typed in added. Delete the rows you have not decided on.

Applying a sheet checks every row first and writes nothing when any row has
a problem (all problems are reported at once, each naming its row); applying
the same sheet twice changes nothing. xlsx and csv (UTF-8 with BOM) work alike.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from gtcode.coding.sheet_io import (
    SheetRow,
    read_sheet,
    review_rows,
    write_csv_sheet,
    write_xlsx_sheet,
)
from gtcode.errors import GtcodeError, ProblemList
from gtcode.files import guard_output, is_formula_like
from gtcode.store import learned as learned_db
from gtcode.store import open_coding as db
from gtcode.store.codes import list_codes
from gtcode.store.project import Study
from gtcode.workspace import register_codebook

#: Excel keeps at most 32,767 characters in a cell.
MAX_CELL_TEXT = 32_000
_SPLIT_CODES = re.compile(r"[;；,，、\n\r]+")
_SPLIT_PHRASES = re.compile(r"[;；\n\r]+")
MACHINE_ORIGINS = ("rule", "model")
_COUNTERS = {"accept": "accepted", "add": "added", "reject": "rejected", "remove": "removed"}


def text_hash(text: str) -> str:
    """The hash kept in the hidden column: 16 hex digits of the text's sha256."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def cell_text(text: str) -> str:
    """The text as the sheet shows it (cut with a mark when too long for a cell)."""
    return text if len(text) <= MAX_CELL_TEXT else text[:MAX_CELL_TEXT] + " [...]"


def split_codes(cell: str | None) -> list[str]:
    """Code ids from a cell: separated by ; , 、 or new lines (order kept, no repeats)."""
    seen: list[str] = []
    for part in _SPLIT_CODES.split(cell or ""):
        part = part.strip()
        if part and part not in seen:
            seen.append(part)
    return seen


def segment_key(source: str, idx: int) -> str:
    return f"{source}#{idx}"


@dataclass
class ExportReport:
    path: Path
    rows: int = 0
    suggested: int = 0


def export_sheet(study: Study, codebook, path: Path, *, coder: str | None = None,
                 segments: set[int] | None = None, progress=None) -> ExportReport:
    """Write the coding sheet (``.xlsx`` or ``.csv``) for review.

    Args:
        study: an open study.
        codebook: the study's codebook (listed on the second sheet of an xlsx).
        path: where to write; the suffix chooses the format.
        coder: prefill the coder's columns with this coder's earlier decisions.
        segments: only these segment ids (e.g. the turns ``--next N`` chose).

    Raises:
        GtcodeError: E102 for another suffix, E701 when the file cannot be written.
    """
    path = Path(path)
    kind = path.suffix.lower()
    if kind not in (".xlsx", ".csv"):
        raise GtcodeError("E102", "a coding sheet is written as .xlsx or .csv.", file=path,
                          hint="name the output sheet.xlsx or sheet.csv")
    guard_output(path, inspect=unapplied_review(study))
    report = ExportReport(path)
    rows = _sheet_rows(study, codebook, coder, report, progress, segments)
    try:
        if kind == ".xlsx":
            write_xlsx_sheet(path, rows, codebook, created=study.meta("created_at"))
        else:
            write_csv_sheet(path, rows)
    except OSError as exc:
        raise GtcodeError("E701", f"the sheet cannot be written ({exc.strerror}).",
                          file=path) from None
    return report


def unapplied_review(study: Study | None = None):
    """An ``inspect`` for :func:`gtcode.files.guard_output`: what review an existing file
    holds that would be lost by overwriting it.

    A coding sheet with a coder's entries (codes changed, a new concept, a memo) is
    work, unless this very file (its sha256) was applied to ``study``.
    """
    def inspect(path: Path) -> str | None:
        rows = review_rows(path)
        if not rows:
            return None
        if study is not None:
            digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
            if db.sheet_applied(study.conn, digest):
                return None
        return (f"a filled-in review sheet never applied to this study ({len(rows)} row(s) "
                f"with a coder's entries, the first on row {rows[0]})")
    return inspect


def _sheet_rows(study: Study, codebook, coder: str | None, report: ExportReport, progress,
                segments: set[int] | None = None):
    order = {c.id: i for i, c in enumerate(codebook.codes)}
    total = db.source_count(study.conn)
    model = learned_db.machine_coder(study.conn) == learned_db.MODEL_CODER
    origins = ("model",) if model else MACHINE_ORIGINS
    probabilities = learned_db.model_suggestions(study.conn) if model else {}
    for number, source in enumerate(db.iter_source_segments(study.conn), start=1):
        codings = db.source_codings(study.conn, source.id)
        memos = db.source_sheet_memos(study.conn, source.name, coder) if coder else {}
        proposals = db.source_proposals(study.conn, source.id, coder) if coder else {}
        for seg in source.segments:
            if segments is not None and seg.id not in segments:
                continue
            text = source.text[seg.start:seg.end]
            suggested, evidence, codes = _suggestions(codings.get(seg.id, []), coder, order,
                                                      origins, probabilities.get(seg.id, []))
            report.rows += 1
            report.suggested += len(suggested)
            yield (segment_key(source.name, seg.idx), source.name, source.case or "",
                   seg.speaker or "", seg.role or "", cell_text(text), "; ".join(suggested),
                   evidence, "; ".join(codes), "; ".join(proposals.get(seg.id, [])),
                   memos.get(seg.idx, ""), text_hash(text))
        if progress:
            progress("Writing sheet", number, total)


def _suggestions(codings: list[db.SegmentCoding], coder: str | None,
                 order: dict[str, int], origins: tuple[str, ...] = MACHINE_ORIGINS,
                 model: list | None = None) -> tuple[list[str], str, list[str]]:
    def ordered(ids):
        return sorted(set(ids), key=lambda c: (order.get(c, len(order)), c))

    why = {m.code_id: m for m in model or []}
    machine = [c for c in codings if c.origin in origins and c.status == "suggested"]
    suggested = ordered(c.code_id for c in machine)
    lines = []
    for code in suggested:
        terms: list[str] = []
        for c in machine:
            if c.code_id == code:
                for hit in json.loads(c.evidence or "[]"):
                    if hit.get("term") not in terms:
                        terms.append(hit.get("term"))
        found = why.get(code)
        if found is not None and found.probability is not None:
            terms = [*terms, *(f"«{g}»" for g in found.features if g not in terms)]
            lines.append(f"{code} ({found.probability:.2f}): {', '.join(terms)}")
        else:
            lines.append(f"{code}: {', '.join(terms)}")
    mine = [c for c in codings if c.origin == "human" and c.coder == coder] if coder else []
    codes = ordered(c.code_id for c in mine if c.status == "accepted") if mine else suggested
    return suggested, "\n".join(lines), codes


@dataclass
class ApplyReport:
    """What applying a sheet recorded."""

    rows: int = 0
    accepted: int = 0
    rejected: int = 0
    added: int = 0
    removed: int = 0
    proposed: int = 0
    memos: int = 0
    changed_rows: int = 0
    via: str = ""
    actions: dict[str, int] = field(default_factory=dict)

    @property
    def changes(self) -> int:
        return self.accepted + self.rejected + self.added + self.removed + self.proposed + \
            self.memos


@dataclass(frozen=True)
class _Checked:
    row: SheetRow
    segment: db.KeyedSegment
    codes: list[str]
    phrases: list[str]


def apply_sheet(study: Study, codebook, path: Path, *, coder: str) -> ApplyReport:
    """Record a coder's decisions from a reviewed sheet (one transaction).

    Raises:
        GtcodeError: E112 for a missing or reserved coder name; E401 when the
            sheet is malformed (missing sheet or columns, formulas, a segment
            twice); ProblemList with E402/E403/E404 problems, each naming its
            row, for unknown codes, unknown segments or changed text.
    """
    path = Path(path)
    coder = (coder or "").strip()
    if not coder or coder == db.RULE_CODER:
        raise GtcodeError("E112", "a sheet is applied in a coder's name.",
                          hint="pass --coder NAME (your name or initials)")
    rows, cell_problems = read_sheet(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    report = ApplyReport(via=f"{path.name}@sha256:{digest}")
    book_hash = codebook.hash
    with study.write() as conn:  # checked under the write lock: no writer can slip between
        register_codebook(study, codebook)  # with the decisions, in one transaction
        checked = _check(study, codebook, rows, path, cell_problems)
        db.ensure_coder(conn, coder, "human")
        for item in checked:
            _apply_row(conn, item, coder, book_hash, report)
    return report


def _check(study: Study, codebook, rows: list[SheetRow], path: Path,
           problems: list[tuple[int, str, str]]) -> list[_Checked]:
    known = set(codebook.by_id) | {c.id for c in list_codes(study.conn)}
    checked: list[_Checked] = []
    first_row: dict[int, int] = {}
    sources: dict[str, dict[int, db.KeyedSegment]] = {}
    for row in rows:
        segment = _row_segment(study, row, problems, sources)
        if segment is None:
            continue
        if segment.id in first_row:
            problems.append((row.number, "E401", f"segment {row.segment} is also on row "
                             f"{first_row[segment.id]}; keep one row per segment"))
            continue
        first_row[segment.id] = row.number
        if not _same_text(row, segment, problems):
            continue
        codes = split_codes(row.codes)
        unknown = [c for c in codes if c not in known]
        for code in unknown:
            problems.append((row.number, "E402", f"unknown code id {code!r}"))
        phrases = [p.strip() for p in _SPLIT_PHRASES.split(row.new_concept or "") if p.strip()]
        checked.append(_Checked(row, segment, codes, phrases))
    if problems:
        problems.sort()
        raise ProblemList(problems[0][1], [f"[{code}] row {number}: {message}"
                                           for number, code, message in problems], file=path,
                          hint="fix these rows (or delete them) and apply the sheet again; "
                          "nothing was recorded")
    return checked


def _row_segment(study: Study, row: SheetRow, problems: list,
                 sources: dict[str, dict[int, db.KeyedSegment]]) -> db.KeyedSegment | None:
    source, _, idx = (row.segment or "").strip().rpartition("#")
    if not source or not idx.isdigit():
        problems.append((row.number, "E403", "the segment id is missing or not of the form "
                         "<source>#<number>"))
        return None
    if source not in sources:
        sources[source] = db.source_segments_by_idx(study.conn, source)
    segment = sources[source].get(int(idx))
    if segment is None:
        problems.append((row.number, "E403", f"segment {row.segment} does not exist in this "
                         "study"))
    return segment


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


def _apply_row(conn, item: _Checked, coder: str, book_hash: str, report: ApplyReport) -> None:
    seg, codes = item.segment, set(item.codes)
    report.rows += 1
    before = report.changes
    existing = db.segment_codings(conn, seg.id)
    suggested = {c.code_id for c in existing
                 if c.origin in MACHINE_ORIGINS and c.status == "suggested"}
    mine = {c.code_id: c for c in existing if c.origin == "human" and c.coder == coder}
    accepted = {k for k, c in mine.items() if c.status == "accepted"}
    rejected = {k for k, c in mine.items() if c.status == "rejected"}
    details = {"row": item.row.number, "segment": segment_key(seg.source, seg.idx)}

    def record(code: str, status: str | None, action: str) -> None:
        if status is None:
            db.delete_coding(conn, mine[code].id)
        else:
            db.insert_human_coding(conn, source_id=seg.source_id, segment_id=seg.id,
                                   start=seg.start, end=seg.end, code_id=code, coder=coder,
                                   status=status, codebook_hash=book_hash)
        db.log_decision(conn, coder=coder, action=action, segment_id=seg.id, code_id=code,
                        via=report.via, details=details)
        name = _COUNTERS[action]
        setattr(report, name, getattr(report, name) + 1)

    for code in sorted(codes - accepted):
        record(code, "accepted", "accept" if code in suggested else "add")
    for code in sorted(suggested - codes - rejected):
        record(code, "rejected", "reject")
    for code in sorted(accepted - codes - suggested):
        record(code, None, "remove")
    _apply_notes(conn, item, coder, details, report)
    if report.changes > before:
        report.changed_rows += 1
    elif not db.has_decision(conn, coder, seg.id):
        # A row kept as it was is a decision too ("nothing applies here", or
        # "the suggestions are right"): log that the coder reviewed it, once,
        # so agreement counts the segment as seen by this coder.
        db.log_decision(conn, coder=coder, action="review", segment_id=seg.id, code_id=None,
                        via=report.via, details=details)


def _apply_notes(conn, item: _Checked, coder: str, details: dict, report: ApplyReport) -> None:
    seg = item.segment
    for phrase in item.phrases:
        if not db.has_candidate(conn, phrase, "proposed", coder, seg.id):
            db.add_candidate(conn, phrase, "proposed", coder, seg.id, note="coding sheet")
            db.log_decision(conn, coder=coder, action="propose", segment_id=seg.id,
                            code_id=None, via=report.via, details={**details, "phrase": phrase})
            report.proposed += 1
    memo = (item.row.memo or "").strip()
    target = segment_key(seg.source, seg.idx)
    if memo:
        existing = db.sheet_memo(conn, target, coder)
        if existing is None or existing[1] != memo:
            db.upsert_sheet_memo(conn, target, coder, memo)
            db.log_decision(conn, coder=coder, action="memo", segment_id=seg.id, code_id=None,
                            via=report.via, details=details)
            report.memos += 1
