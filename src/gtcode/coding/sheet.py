"""The review loop in a spreadsheet: export a coding sheet, apply a coder's sheet.

One row per segment: its readable id ``<source>#<idx>``, source, case,
speaker, role and text; in a *review* sheet the machine's suggestions with
their evidence and probability (and, exported for a named coder, her earlier
codes), all for reading; then the coder's own columns, exported empty:
``决定 decision``, ``编码 codes``, ``新概念 new concept``, ``备忘 memo``; and
two hidden columns (what the row showed, a hash of the text). A *blind*
sheet (``blind=True``) shows no machine suggestion and no earlier decision.

Only rows the coder marks are decisions (:mod:`gtcode.coding.sheet_rows`
has the rules); applying a sheet checks every row first and writes nothing
when any row has a problem (all problems are reported at once, each naming
its row); applying the same sheet twice changes nothing. The first tab of an
xlsx sheet carries the instructions (:mod:`gtcode.coding.sheet_help`). xlsx
and csv (UTF-8 with BOM) work alike.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from gtcode.coding.learned.explain import FeatureNamer
from gtcode.coding.sheet_io import layout, review_rows, write_csv_sheet, write_xlsx_sheet
from gtcode.coding.sheet_rows import CodeLookup, Shown, split_codes
from gtcode.errors import GtcodeError
from gtcode.files import guard_output
from gtcode.store import learned as learned_db
from gtcode.store import open_coding as db
from gtcode.store.codes import list_codes
from gtcode.store.project import Study
from gtcode.workspace import require_sources

__all__ = ["MACHINE_ORIGINS", "ExportReport", "cell_text", "export_sheet", "segment_key",
           "split_codes", "text_hash", "unapplied_review"]

#: Excel keeps at most 32,767 characters in a cell.
MAX_CELL_TEXT = 32_000
MACHINE_ORIGINS = ("rule", "model")


def text_hash(text: str) -> str:
    """The hash kept in the hidden column: 16 hex digits of the text's sha256."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def cell_text(text: str) -> str:
    """The text as the sheet shows it (cut with a mark when too long for a cell)."""
    return text if len(text) <= MAX_CELL_TEXT else text[:MAX_CELL_TEXT] + " [...]"


def segment_key(source: str, idx: int) -> str:
    return f"{source}#{idx}"


@dataclass
class ExportReport:
    path: Path
    rows: int = 0
    suggested: int = 0
    mode: str = "review"


def export_sheet(study: Study, codebook, path: Path, *, coder: str | None = None,
                 blind: bool = False, segments: set[int] | None = None,
                 progress=None) -> ExportReport:
    """Write the coding sheet (``.xlsx`` or ``.csv``) for review.

    Args:
        study: an open study.
        codebook: the study's codebook (listed on the codebook tab of an xlsx).
        path: where to write; the suffix chooses the format.
        coder: show this coder's earlier codes (review sheets) and keep her
            memos and proposed concepts in their columns.
        blind: write no machine suggestion and no earlier decision.
        segments: only these segment ids (e.g. the turns ``--next N`` chose).

    Raises:
        GtcodeError: E102 for another suffix, E601 for a study without
            transcripts, E701 when the file cannot be written.
    """
    path = Path(path)
    kind = path.suffix.lower()
    if kind not in (".xlsx", ".csv"):
        raise GtcodeError("E102", "a coding sheet is written as .xlsx or .csv.", file=path,
                          hint="name the output sheet.xlsx or sheet.csv")
    require_sources(study, "put in a coding sheet")
    guard_output(path, inspect=unapplied_review(study))
    mode = "blind" if blind else "review"
    keys = layout(mode, earlier=bool(coder) and not blind)
    report = ExportReport(path, mode=mode)
    lookup = CodeLookup.of(codebook, list_codes(study.conn))
    values = _sheet_rows(study, codebook, coder, mode, lookup, report, progress, segments)
    rows = ([row[key] for key in keys] for row in values)
    try:
        if kind == ".xlsx":
            write_xlsx_sheet(path, keys, rows, codebook, mode=mode,
                             created=study.meta("created_at"))
        else:
            write_csv_sheet(path, keys, rows)
    except OSError as exc:
        raise GtcodeError("E701", f"the sheet cannot be written ({exc.strerror}).",
                          file=path) from None
    return report


def unapplied_review(study: Study | None = None):
    """An ``inspect`` for :func:`gtcode.files.guard_output`: what review an existing file
    holds that would be lost by overwriting it.

    A coding sheet in which a coder marked rows is work, unless this very file
    (its sha256) was applied to ``study``.
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


def _sheet_rows(study: Study, codebook, coder: str | None, mode: str, lookup: CodeLookup,
                report: ExportReport, progress, segments: set[int] | None = None):
    order = {c.id: i for i, c in enumerate(codebook.codes)}
    total = db.source_count(study.conn)
    model = learned_db.machine_coder(study.conn) == learned_db.MODEL_CODER
    # when the learned coder made the suggestions, the rule hits are its evidence only
    origins = ("model",) if model else MACHINE_ORIGINS
    why = learned_db.model_suggestions(study.conn) if model and mode == "review" else {}
    namer = FeatureNamer(study)
    for number, source in enumerate(db.iter_source_segments(study.conn), start=1):
        codings = db.source_codings(study.conn, source.id) if mode == "review" else {}
        named = _named(namer, source, why, segments) if why else {}
        memos = db.source_sheet_memos(study.conn, source.name, coder) if coder else {}
        proposals = db.source_proposals(study.conn, source.id, coder) if coder else {}
        for seg in source.segments:
            if segments is not None and seg.id not in segments:
                continue
            text = source.text[seg.start:seg.end]
            row = {"segment": segment_key(source.name, seg.idx), "source": source.name,
                   "case": source.case or "", "speaker": seg.speaker or "",
                   "role": seg.role or "", "text": cell_text(text), "decision": "",
                   "codes": "", "new_concept": "; ".join(proposals.get(seg.id, [])),
                   "memo": memos.get(seg.idx, ""), "text_hash": text_hash(text)}
            if mode == "review":
                shown = _machine_columns(row, codings.get(seg.id, []), coder, order, lookup,
                                         origins, {m.code_id: m for m in named.get(seg.id, [])})
                report.suggested += len(shown.suggested)
            else:
                shown = Shown("blind")
            row["shown"] = shown.cell()
            report.rows += 1
            yield row
        if progress:
            progress("Writing sheet", number, total)


def _named(namer: FeatureNamer, source, why: dict, segments: set[int] | None) -> dict:
    """The learned coder's suggestions on the source's rows, their strongest n-grams named
    (:mod:`gtcode.coding.learned.explain`): only for the rows the sheet shows."""
    return namer.named(why, {seg.id: source.text[seg.start:seg.end] for seg in source.segments
                             if seg.id in why and (segments is None or seg.id in segments)})


def _machine_columns(row: dict, codings: list[db.SegmentCoding], coder: str | None,
                     order: dict[str, int], lookup: CodeLookup,
                     origins: tuple[str, ...] = MACHINE_ORIGINS,
                     model: dict | None = None) -> Shown:
    """Fill the suggestion, evidence, probability and earlier columns of a review row.

    ``model``: code -> the learned coder's suggestion (its probability and the
    n-grams that weighed most, shown in «» after the rule terms).
    """
    def ordered(ids):
        return sorted(set(ids), key=lambda c: (order.get(c, len(order)), c))

    model = model or {}
    machine = [c for c in codings if c.origin in origins and c.status == "suggested"]
    suggested = ordered(c.code_id for c in machine)
    evidence, chances = [], []
    for code in suggested:
        terms: list[str] = []
        chance = None
        for c in machine:
            if c.code_id == code:
                hits, probability = _evidence(c.evidence)
                terms += [t for t in hits if t not in terms]
                chance = probability if chance is None else max(chance, probability or 0)
        learned = model.get(code)
        if learned is not None:
            chance = learned.probability if learned.probability is not None else chance
            terms += [f"«{gram}»" for gram in learned.features]
        evidence.append(f"{code}: {', '.join(terms)}")
        chances.append(f"{chance:.2f}" if chance is not None else "")
    row["suggested"] = "\n".join(lookup.label(c) for c in suggested)
    row["evidence"] = "\n".join(evidence)
    # written only when the machine gives a probability (the learned coder does; rules do not)
    row["probability"] = "\n".join(chances) if any(chances) else ""
    mine = [c for c in codings if c.origin == "human" and c.coder == coder] if coder else []
    row["earlier"] = "\n".join(
        [lookup.label(c) for c in ordered(m.code_id for m in mine if m.status == "accepted")]
        + ["✗ " + lookup.label(c) for c in ordered(m.code_id for m in mine
                                                   if m.status == "rejected")])
    return Shown("review", tuple(suggested))


def _evidence(raw: str | None) -> tuple[list[str], float | None]:
    """The evidence terms of a machine suggestion and its probability, if it has one.

    Rule suggestions keep a list of ``{term, start, end}`` hits; a suggestion
    with a probability keeps an object ``{"probability": p, "hits": [...]}``.
    """
    try:
        data = json.loads(raw or "[]")
    except ValueError:
        return [], None
    probability = None
    if isinstance(data, dict):
        value = data.get("probability")
        probability = float(value) if isinstance(value, (int, float)) else None
        data = data.get("hits", [])
    terms = [str(h.get("term")) for h in data if isinstance(h, dict) and h.get("term")]
    return terms, probability
