"""Measuring coding quality against gold labels, at main-category level.

Gold labels are a csv ``file,line,codes`` (the format of
``data/sample/labels.csv``): ``line`` is the 1-based line where a respondent
turn's label stands, ``codes`` the gold codes separated by ``;`` (empty for
none). Each gold row is matched to the segment of source ``file`` whose
``line`` equals it; the prediction for that segment is the set of main
categories its effective codings roll up to (human decisions outranking
rule suggestions). Every main category of the codebook is scored as
presence/absence over the matched gold segments: precision, recall, F1 and
Cohen's kappa from the 2x2 table, with macro averages over the categories
whose value is defined.

Only respondent turns (and turns of unknown role) are scored by default: a
gold file that also labels interviewer turns, which nobody codes, would
otherwise add easy true negatives. ``roles=None`` scores every matched turn.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from gtcode.coding.sheet_rows import split_codes
from gtcode.errors import GtcodeError, ProblemList
from gtcode.reliability.coding_units import RESPONDENT_ROLES, scope_name
from gtcode.reliability.cohen import cohen_kappa_from_table
from gtcode.store import open_coding as db
from gtcode.store.codings import effective_codings
from gtcode.store.project import Study


@dataclass(frozen=True)
class GoldRow:
    row: int
    file: str
    line: int
    categories: frozenset[str]


@dataclass(frozen=True)
class CategoryScore:
    """The 2x2 table of one main category and the figures drawn from it."""

    category: str
    tp: int
    fp: int
    fn: int
    tn: int
    precision: float | None
    recall: float | None
    f1: float | None
    kappa: float | None


@dataclass
class Evaluation:
    """Per-category scores, macro averages, and what could not be matched."""

    categories: list[CategoryScore] = field(default_factory=list)
    macro: dict[str, float | None] = field(default_factory=dict)
    units: int = 0
    files: list[str] = field(default_factory=list)
    unmatched: list[tuple[int, str, int]] = field(default_factory=list)
    scope: str = "respondent turns"
    out_of_scope: int = 0

    def to_dict(self) -> dict:
        """JSON-ready form (``gtcode evaluate --json``)."""
        return {"units": self.units, "scope": self.scope, "out_of_scope": self.out_of_scope,
                "files": self.files, "macro": self.macro,
                "categories": [asdict(c) for c in self.categories],
                "unmatched": [{"row": r, "file": f, "line": n} for r, f, n in self.unmatched]}


def read_gold(path: Path, codebook) -> list[GoldRow]:
    """Read gold labels; every code is rolled up to its main category.

    Raises:
        GtcodeError: E101 when missing; E405 (a ProblemList) for a missing
            column, a line that is not a number, or an unknown code.
    """
    path = Path(path)
    if not path.is_file():
        raise GtcodeError("E101", "gold labels file not found.", file=path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise GtcodeError("E405", "the gold labels file is not UTF-8.", file=path) from None
    records = list(csv.reader(io.StringIO(text, newline="")))
    header = [h.strip().lower() for h in (records[0] if records else [])]
    if not {"file", "line", "codes"} <= set(header):
        raise GtcodeError("E405", "the gold labels need the columns file, line, codes.",
                          file=path, where="row 1")
    col = {name: header.index(name) for name in ("file", "line", "codes")}
    rows, problems = [], []
    for number, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue
        cells = {k: (record[i].strip() if i < len(record) else "") for k, i in col.items()}
        if not cells["line"].isdigit():
            problems.append(f"row {number}: line {cells['line']!r} is not a line number")
            continue
        categories = set()
        for code in split_codes(cells["codes"]):
            category = codebook.main_category(code)
            if category is None:
                problems.append(f"row {number}: code {code!r} is not a code of the codebook "
                                "(or has no main category)")
            else:
                categories.add(category)
        rows.append(GoldRow(number, cells["file"], int(cells["line"]), frozenset(categories)))
    if problems:
        raise ProblemList("E405", problems, file=path)
    return rows


def evaluate(study: Study, codebook, gold: Path, *, files: Sequence[str] | None = None,
             roles: tuple[str, ...] | None = RESPONDENT_ROLES) -> Evaluation:
    """Score the study's effective codings against gold labels (see the module doc).

    Args:
        study: an open study.
        codebook: the study's codebook.
        gold: the gold labels csv.
        files: only score gold rows of these source files.
        roles: the segment roles scored (default respondent turns and turns of
            unknown role; None: every turn).

    Raises:
        GtcodeError: E306 for a ``files`` name the gold labels do not hold;
            E405 when the labels are malformed or no gold row matches a segment.
    """
    rows = read_gold(gold, codebook)
    if files:
        unknown = sorted(set(files) - {r.file for r in rows})
        if unknown:
            raise GtcodeError("E306", f"the gold labels hold no rows for {', '.join(unknown)}.",
                              file=gold, hint="name files as the gold labels' file column does")
        rows = [r for r in rows if r.file in set(files)]
    lines = db.segment_lines(study.conn)
    result = Evaluation(files=sorted({r.file for r in rows}), scope=scope_name(roles))
    matched: list[tuple[int, frozenset[str]]] = []
    for row in rows:
        found = lines.get((row.file, row.line))
        if found is None:
            result.unmatched.append((row.row, row.file, row.line))
        elif roles is not None and (found[1] or "unknown") not in roles:
            result.out_of_scope += 1
        else:
            matched.append((found[0], row.categories))
    if not matched:
        raise GtcodeError("E405", "no gold row matches a segment of this study.", file=gold,
                          hint="check that the study holds these files and that `line` is "
                          "the line of each respondent turn's label")
    predicted = _predicted(study, codebook)
    result.units = len(matched)
    result.categories = [_score(c, matched, predicted) for c in _main_categories(codebook)]
    result.macro = _macro(result.categories)
    return result


def _predicted(study: Study, codebook) -> dict[int, set[str]]:
    by_segment: dict[int, set[str]] = {}
    cache: dict[str, str | None] = {}
    for coding in effective_codings(study.conn):
        if coding.segment_id is None:
            continue
        if coding.code_id not in cache:
            cache[coding.code_id] = codebook.main_category(coding.code_id)
        category = cache[coding.code_id]
        if category:
            by_segment.setdefault(coding.segment_id, set()).add(category)
    return by_segment


def _ratio(a: int, b: int) -> float | None:
    return a / b if b else None


def _score(category: str, matched: list[tuple[int, frozenset[str]]],
           predicted: dict[int, set[str]]) -> CategoryScore:
    tp = fp = fn = tn = 0
    for segment_id, gold in matched:
        g, p = category in gold, category in predicted.get(segment_id, ())
        tp += g and p
        fn += g and not p
        fp += p and not g
        tn += not g and not p
    precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    f1 = _ratio(2 * tp, 2 * tp + fp + fn)
    kappa = cohen_kappa_from_table([[tp, fn], [fp, tn]]).value
    return CategoryScore(category, tp, fp, fn, tn, precision, recall, f1,
                         None if math.isnan(kappa) else kappa)


def _macro(scores: list[CategoryScore]) -> dict[str, float | None]:
    macro: dict[str, float | None] = {}
    for name in ("precision", "recall", "f1", "kappa"):
        values = [getattr(s, name) for s in scores if getattr(s, name) is not None]
        macro[name] = sum(values) / len(values) if values else None
    return macro


def _main_categories(codebook) -> list[str]:
    return [code.id for code in codebook.level_codes("category")]
