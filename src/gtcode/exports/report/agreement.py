"""Agreement among the study's human coders, for the report.

Which data: every coder with at least one ``human`` coding. A unit is a
respondent (or unknown-role) segment of a source in which *every* compared
coder recorded a decision (an accepted or a rejected code); on such a unit a
coder's codes are the ones that coder accepted (none if the coder only
rejected). The figures are :func:`gtcode.reliability.per_code_report`'s:
each code as present/absent, Cohen's kappa for two coders, Fleiss' for more,
Krippendorff's alpha, and pooled and averaged overall values.
"""

from __future__ import annotations

from collections import defaultdict

from gtcode.errors import GtcodeError
from gtcode.reliability import PerCodeReport, per_code_report
from gtcode.store.codings import CodingRow, iter_codings
from gtcode.store.project import Study

COUNTED_ROLES = (None, "respondent", "unknown")


def human_decisions(rows: list[CodingRow]) -> dict[str, dict[tuple[str, int], set[str]]]:
    """coder -> {(source, segment number): accepted codes} for human codings."""
    found: dict[str, dict[tuple[str, int], set[str]]] = defaultdict(dict)
    for row in rows:
        if row.origin != "human" or row.segment is None or row.role not in COUNTED_ROLES:
            continue
        codes = found[row.coder].setdefault((row.source, row.segment), set())
        if row.status == "accepted":
            codes.add(row.code_id)
    return dict(found)


def units_and_codings(decisions: dict[str, dict[tuple[str, int], set[str]]],
                      segments: list[tuple[str, int]]) -> tuple[list, dict]:
    """The compared units and ``{coder: {unit: codes}}`` (see the module docstring)."""
    sources = None
    for per_unit in decisions.values():
        mine = {source for source, _ in per_unit}
        sources = mine if sources is None else sources & mine
    units = [u for u in segments if u[0] in (sources or set())]
    keep = set(units)
    codings = {coder: {u: codes for u, codes in per_unit.items() if u in keep}
               for coder, per_unit in sorted(decisions.items())}
    return units, codings


def study_agreement(study: Study) -> PerCodeReport | None:
    """Per-code agreement of the study's human coders, or None with fewer than two.

    None also when the coders share no source, or applied no code there.
    """
    rows = list(iter_codings(study.conn, include_rejected=True))
    decisions = human_decisions(rows)
    if len(decisions) < 2:
        return None
    from gtcode.store.analysis import counted_segments

    segments = [(s.source, s.idx) for s in counted_segments(study.conn)]
    units, codings = units_and_codings(decisions, segments)
    if not units:
        return None
    try:
        return per_code_report(codings, units)
    except GtcodeError as error:
        if error.code in ("E601", "E602"):
            return None
        raise
