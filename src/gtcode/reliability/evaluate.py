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

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from gtcode.coding.gold import read_gold
from gtcode.errors import GtcodeError
from gtcode.reliability.coding_units import RESPONDENT_ROLES, scope_name
from gtcode.reliability.cohen import cohen_kappa_from_table
from gtcode.store import open_coding as db
from gtcode.store.codings import coder_codings, coder_names, effective_codings
from gtcode.store.project import Study


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


def evaluate(study: Study, codebook, gold: Path, *, files: Sequence[str] | None = None,
             roles: tuple[str, ...] | None = RESPONDENT_ROLES,
             coder: str | None = None) -> Evaluation:
    """Score the study's effective codings against gold labels (see the module doc).

    Args:
        study: an open study.
        codebook: the study's codebook.
        gold: the gold labels csv.
        files: only score gold rows of these source files.
        roles: the segment roles scored (default respondent turns and turns of
            unknown role; None: every turn).
        coder: score one coder (``gtcode-rules``, ``gtcode-model`` or a person)
            instead of the codings that count.

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
    predicted = _predicted(study, codebook, coder)
    result.units = len(matched)
    result.categories = [_score(c, matched, predicted) for c in _main_categories(codebook)]
    result.macro = _macro(result.categories)
    return result


def _predicted(study: Study, codebook, coder: str | None) -> dict[int, set[str]]:
    if coder is None:
        pairs = [(c.segment_id, c.code_id) for c in effective_codings(study.conn)
                 if c.segment_id is not None]
    else:
        pairs = coder_codings(study.conn, coder)
        if not pairs and coder not in coder_names(study.conn):
            raise GtcodeError("E306", f"this study has no coder named {coder!r}.",
                              hint="coders: " + ", ".join(coder_names(study.conn)))
    by_segment: dict[int, set[str]] = {}
    cache: dict[str, str | None] = {}
    for segment_id, code in pairs:
        if code not in cache:
            cache[code] = codebook.main_category(code)
        if cache[code]:
            by_segment.setdefault(segment_id, set()).add(cache[code])
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
