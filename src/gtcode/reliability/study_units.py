"""Building agreement units from the coders inside a study.

For each coder named, gtcode reads the coder's codings and decides which
units the coder looked at; only a unit a coder looked at counts for that
coder (elsewhere the coder's value is missing, not "no code").

Which codings count (status ``rejected`` never does):

* the rule coder ``gtcode-rules`` (and model coders): its suggestions;
* a human coder (``gtcode sheet apply --coder NAME``): the codes accepted
  or added; a rejected suggestion means the code is absent;
* an imported coder (an NVivo user from a ``.qdpx``): its codings.

Which segments a coder looked at:

* rule and model coders: every segment open coding reads (respondent turns
  and turns whose role is unknown), plus any segment they coded;
* human coders: segments with any entry by that coder in the decision log,
  plus segments the coder has any coding row on (accepted or rejected);
* imported coders: every respondent/unknown segment of each source the coder
  coded anything in (NVivo compares whole sources), plus segments coded;
* with ``all_units=True``: every respondent/unknown segment for every coder,
  plus segments coded.

Only segments in scope are units: by default respondent turns and turns
whose role is unknown (``roles``); interviewer turns, which nobody codes,
would otherwise count as agreed "no code" units. ``roles=None`` takes every
turn. For each human coder the decision log says whether she decided each
unit blind (:class:`~gtcode.reliability.coding_units.CoderView`).

A coding is on a segment when it is linked to it; a span coding that is not
(imports) is on every segment it overlaps by at least one character (NVivo's
rule for sentence and paragraph units). A coding that overlaps no segment (a
header line or a speaker label of a transcript) has no segment unit: it is
counted by the character unit and named in a note. At ``level="category"`` each code is
replaced by its main category (the codebook's, else the study's code table
for imported codes); codes under no main category are left out and noted.

Units: ``segment`` (id ``SOURCE#IDX``); ``document`` (a source: seen when any
of its segments was seen, the codes being the union over its segments);
``character`` (NVivo's coding comparison per code x source on the coded
spans, exactly two coders, sources both coders looked at).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from gtcode.codebook import load_codebook
from gtcode.codebook.hierarchy import code_links, main_category
from gtcode.errors import GtcodeError
from gtcode.reliability.coding_units import (
    CODE_LEVELS,
    RESPONDENT_ROLES,
    UNIT_KINDS,
    CharacterUnits,
    CoderView,
    CodeUnits,
    UnitInfo,
    scope_name,
)
from gtcode.reliability.coding_units import document_units as documents_of
from gtcode.store import agreement as db
from gtcode.store.codes import list_codes
from gtcode.store.project import Study

#: Segment roles every coder is taken to have read with ``all_units``.
SEEN_ROLES: tuple[str, ...] = RESPONDENT_ROLES
_MACHINE = ("rule", "model")


@dataclass(frozen=True)
class StudyCoder:
    """A coder named on the command line, with its kind."""

    name: str
    kind: str


@dataclass
class StudyCodings:
    """Every coder's seen segments, codes per segment and spans per (code, source)."""

    level: str
    coders: tuple[StudyCoder, ...]
    segments: list[db.UnitSegment]
    seen: dict[str, set[int]]
    present: dict[str, dict[int, set[str]]]
    spans: dict[str, dict[tuple[str, str], list[tuple[int, int]]]]
    labels: dict[str, str]
    notes: list[str]
    scope: str = ""
    blind: dict[str, dict[int, bool | None]] = field(default_factory=dict)

    def views(self) -> dict[str, CoderView]:
        """Coder -> what she saw when deciding the units she shares with another coder."""
        seen_twice = {sid for sid in set().union(*self.seen.values())
                      if sum(sid in s for s in self.seen.values()) >= 2}
        out = {}
        for coder in self.coders:
            if coder.kind in _MACHINE:
                out[coder.name] = CoderView("machine")
                continue
            marks = [self.blind.get(coder.name, {}).get(sid, None)
                     for sid in self.seen[coder.name] & seen_twice]
            out[coder.name] = CoderView(coder.kind, marks.count(True), marks.count(False),
                                        marks.count(None))
        return out


def resolve_coders(study: Study, names: Sequence[str]) -> tuple[StudyCoder, ...]:
    """Check the coder names against the study and find each coder's kind.

    Raises:
        GtcodeError: E112 for fewer than two or repeated names, E306 for a
            coder the study does not know (the hint lists the known ones).
    """
    names = [n.strip() for n in names if n.strip()]
    if len(names) < 2 or len(set(names)) != len(names):
        raise GtcodeError("E112", f"--coders needs two or more different names, got {names}.",
                          hint="e.g. --coders ann,ben,gtcode-rules")
    kinds = db.coder_kinds(study.conn)
    origins = db.coding_origins(study.conn)
    deciders = db.deciding_coders(study.conn)
    known = sorted(set(kinds) | set(origins) | deciders)
    out = []
    for name in names:
        if name in kinds:
            out.append(StudyCoder(name, kinds[name]))
        elif name in origins:
            kind = next(k for k in ("human", "import", "model", "rule") if k in origins[name])
            out.append(StudyCoder(name, kind))
        elif name in deciders:
            out.append(StudyCoder(name, "human"))
        else:
            raise GtcodeError("E306", f"the study has no coder {name!r}.", file=study.path,
                              hint="coders here: " + (", ".join(known) or "none yet"))
    return tuple(out)


class _SegmentIndex:
    """Segments by id and by source, to place span codings on segments."""

    def __init__(self, segments: list[db.UnitSegment]) -> None:
        self.by_id = {s.id: s for s in segments}
        self.by_source: dict[str, list[db.UnitSegment]] = {}
        for seg in segments:
            self.by_source.setdefault(seg.source, []).append(seg)
        for segs in self.by_source.values():
            segs.sort(key=lambda s: s.start)
        self.ends = {src: [s.end for s in segs] for src, segs in self.by_source.items()}

    def place(self, row: db.CoderCoding) -> list[int]:
        """Ids of the segments a coding is on."""
        if row.segment_id is not None and row.segment_id in self.by_id:
            return [row.segment_id]
        segs = self.by_source.get(row.source, [])
        first = bisect.bisect_right(self.ends.get(row.source, []), row.start)
        hits = []
        for seg in segs[first:]:
            if seg.start >= max(row.end, row.start + 1):
                break
            hits.append(seg.id)
        return hits

    def role_ids(self, sources: set[str] | None = None) -> set[int]:
        """The segments in scope (of some sources only, if given)."""
        return {s.id for s in self.by_id.values()
                if sources is None or s.source in sources}


def _roller(study: Study, level: str) -> Callable[[str], str | None]:
    if level == "concept":
        return lambda code: code
    book = load_codebook(study.codebook_path) if study.codebook_path.is_file() else None
    links = code_links(book.codes if book else (), list_codes(study.conn))
    return lambda code: main_category(code, links)


def _labels(study: Study) -> dict[str, str]:
    return {code: f"{code} {name}" if name and name != code else code
            for code, (name, _en) in db.code_names(study.conn).items()}


def check_options(unit: str, level: str) -> None:
    if unit not in UNIT_KINDS:
        raise GtcodeError("E112", f"unknown unit {unit!r}.",
                          hint="use --unit " + ", ".join(UNIT_KINDS))
    if level not in CODE_LEVELS:
        raise GtcodeError("E112", f"unknown code level {level!r}.",
                          hint="use --level " + " or ".join(CODE_LEVELS))


def load_study_codings(study: Study, coders: Sequence[str], *, level: str = "concept",
                       all_units: bool = False,
                       roles: tuple[str, ...] | None = RESPONDENT_ROLES) -> StudyCodings:
    """Read the named coders' codings and the segments each looked at.

    ``roles``: the segment roles that are units (None: every turn).

    Raises:
        GtcodeError: E112 for a bad level or coder list, E306 for an unknown
            coder, E201/E202 if the study's codebook is broken (category level).
    """
    check_options("segment", level)
    resolved = resolve_coders(study, coders)
    names = tuple(c.name for c in resolved)
    every = db.study_segments(study.conn)
    segments = [s for s in every if roles is None or (s.role or "unknown") in roles]
    index = _SegmentIndex(segments)
    rows = db.coder_codings(study.conn, names)
    decided = db.decided_segments(study.conn, names)
    result = StudyCodings(level, resolved, segments, {}, {}, {}, _labels(study), [],
                          scope_name(roles), decided)
    roll = _roller(study, level)
    skipped = {"orphaned": 0, "uncategorised": 0, "nowhere": 0}
    for coder in resolved:
        mine = [r for r in rows if r.coder == coder.name]
        _collect(result, coder, mine, index, roll, skipped)
        result.seen[coder.name] = _seen(coder, mine, set(decided[coder.name]), index,
                                        all_units)
        result.seen[coder.name] |= set(result.present[coder.name])
    _skip_notes(result, skipped, level)
    if len(segments) < len(every):
        result.notes.append(f"units are {result.scope}: {len(every) - len(segments)} "
                            "interviewer turn(s) left out (--role all counts every turn).")
    if not all_units:
        _seen_note(result, index.role_ids())
    return result


def _seen_note(result: StudyCodings, role_ids: set[int]) -> None:
    humans = [c.name for c in result.coders if c.kind == "human"]
    n_role = len(role_ids)
    if humans:
        counts = ", ".join(f"{name} {len(result.seen[name] & role_ids)}" for name in humans)
        result.notes.append(
            f"human coders count as having seen the segments they decided "
            f"({counts} of {n_role} {result.scope}; rows left undecided in a sheet do not "
            "count). If every coder read every segment, use --all-units.")


def _collect(result: StudyCodings, coder: StudyCoder, rows: list[db.CoderCoding],
             index: _SegmentIndex, roll: Callable[[str], str | None],
             skipped: dict[str, int]) -> None:
    present: dict[int, set[str]] = {}
    spans: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for row in rows:
        if row.orphaned:
            skipped["orphaned"] += 1
            continue
        places = index.place(row)
        for sid in places:
            present.setdefault(sid, set())
        if row.status == "rejected":
            continue
        skipped["nowhere"] += not places
        code = roll(row.code_id)
        if code is None:
            skipped["uncategorised"] += 1
            continue
        for sid in places:
            present[sid].add(code)
        spans.setdefault((code, row.source), []).append((row.start, row.end))
    result.present[coder.name] = present
    result.spans[coder.name] = spans


def _seen(coder: StudyCoder, rows: list[db.CoderCoding], decided: set[int],
          index: _SegmentIndex, all_units: bool) -> set[int]:
    if all_units or coder.kind in _MACHINE:
        return index.role_ids()
    if coder.kind == "import":
        return index.role_ids({r.source for r in rows if not r.orphaned})
    return {sid for sid in decided if sid in index.by_id}


def _skip_notes(result: StudyCodings, skipped: dict[str, int], level: str) -> None:
    if skipped["orphaned"]:
        result.notes.append(f"{skipped['orphaned']} coding(s) that lost their passage on "
                            "--replace were left out.")
    if skipped["nowhere"]:
        result.notes.append(f"{skipped['nowhere']} coding(s) overlap no segment (a header or "
                            "a speaker label); they count with --unit character only.")
    if skipped["uncategorised"]:
        result.notes.append(f"{skipped['uncategorised']} coding(s) of codes under no main "
                            f"category were left out at --level {level}.")


def _segment_info(seg: db.UnitSegment) -> UnitInfo:
    return UnitInfo(f"{seg.source}#{seg.idx}", seg.source, seg.case, seg.speaker,
                    seg.start, seg.end)


def segment_units(codings: StudyCodings) -> CodeUnits:
    """Segment units: every segment at least one coder looked at."""
    names = tuple(c.name for c in codings.coders)
    seen_any = set().union(*codings.seen.values())
    infos = tuple(_segment_info(s) for s in codings.segments if s.id in seen_any)
    ids = {s.id: f"{s.source}#{s.idx}" for s in codings.segments}
    sets = {c: {ids[sid]: frozenset(codings.present[c].get(sid, ()))
                for sid in sorted(codings.seen[c])} for c in names}
    return CodeUnits("segment", codings.level, names, infos, sets, codings.labels,
                     tuple(codings.notes), codings.scope, codings.views())


def document_units(codings: StudyCodings) -> CodeUnits:
    """Document units: a source counts for a coder who looked at any of its segments."""
    return documents_of(segment_units(codings))


def character_units(codings: StudyCodings, lengths: dict[str, int]) -> CharacterUnits:
    """NVivo comparison rows: each code x source both coders looked at, coded by either.

    Raises:
        GtcodeError: E112 unless exactly two coders are compared.
    """
    names = tuple(c.name for c in codings.coders)
    if len(names) != 2:
        raise GtcodeError("E112", f"--unit character compares exactly two coders (as NVivo "
                          f"does), got {len(names)}.", hint="name two coders in --coders")
    by_id = {s.id: s for s in codings.segments}
    looked = [{by_id[sid].source for sid in codings.seen[c]} for c in names]
    both = looked[0] & looked[1]
    order: dict[str, int] = {}
    for seg in codings.segments:
        order.setdefault(seg.source, len(order))
    order_codes = {code: i for i, code in enumerate(codings.labels)}
    keys = sorted({key for c in names for key in codings.spans[c] if key[1] in both},
                  key=lambda k: (order.get(k[1], len(order)), k[1],
                                 order_codes.get(k[0], len(order_codes)), k[0]))
    spans = {key: (codings.spans[names[0]].get(key, []), codings.spans[names[1]].get(key, []))
             for key in keys}
    notes = list(codings.notes)
    alone = sorted((looked[0] | looked[1]) - both)
    if alone:
        notes.append(f"{len(alone)} source(s) looked at by only one coder were not compared.")
    return CharacterUnits(codings.level, (names[0], names[1]), spans,
                          {s: lengths[s] for s in both}, codings.labels, tuple(notes),
                          codings.scope, codings.views())


def build_study_units(study: Study, coders: Sequence[str], *, unit: str = "segment",
                      level: str = "concept", all_units: bool = False,
                      roles: tuple[str, ...] | None = RESPONDENT_ROLES
                      ) -> CodeUnits | CharacterUnits:
    """The units ``gtcode agree STUDY`` compares (rules in the module docstring).

    Args:
        study: an open study.
        coders: two or more coder names (``gtcode-rules`` is the rule coder).
        unit: ``"segment"``, ``"document"`` or ``"character"``.
        level: ``"concept"`` (codes as applied) or ``"category"`` (main categories).
        all_units: count every respondent segment as seen by every coder.
        roles: the segment roles that are units (None: every turn).

    Returns:
        :class:`CodeUnits` for segment and document units, :class:`CharacterUnits`
        for the character unit.

    Raises:
        GtcodeError: E112 for a bad option, E306 for an unknown coder.
    """
    check_options(unit, level)
    codings = load_study_codings(study, coders, level=level, all_units=all_units,
                                 roles=roles)
    if unit == "segment":
        return segment_units(codings)
    if unit == "document":
        return document_units(codings)
    return character_units(codings, db.source_lengths(study.conn))


def study_source_lengths(study: Study) -> dict[str, int]:
    """Source name -> characters, for the character unit."""
    return db.source_lengths(study.conn)


def fill_texts(study: Study, infos: Sequence[UnitInfo]) -> list[UnitInfo]:
    """Copies of segment unit infos with their passage text filled in."""
    wanted = [(i.source or "", i.start or 0, i.end or 0) for i in infos]
    texts = db.source_slices(study.conn, wanted)
    return [UnitInfo(i.id, i.source, i.case, i.speaker, i.start, i.end,
                     t if i.start is not None else None)
            for i, t in zip(infos, texts, strict=True)]
