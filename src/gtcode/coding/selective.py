"""Selective coding: the main categories around the core, the storyline, saturation.

- Reach and centrality of each main category, the relation structures and
  the storyline skeleton (:mod:`gtcode.coding.storyline`); texts the
  researcher edited are kept by every later run.
- Saturation: the hold-out test and the new-concept curve (see
  :mod:`gtcode.coding.saturation`). The held-out interviews need no
  re-coding: they were coded by the same rules and the same human
  decisions as the rest, so their existing codings are what coding them
  against the frozen model gives.

Storyline keys: ``core:<category>``, ``paradigm:<a>><b>``,
``pair:<a>+<b>``, ``storyline``; quote overrides ``quote:<code or key>``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from gtcode.codebook import Codebook
from gtcode.coding import saturation as sat
from gtcode.coding.axial import (
    CodedStudy,
    load_coded_study,
)
from gtcode.coding.coded_study import coded_study_key
from gtcode.coding.proposals import Proposal, case_concepts, study_proposals
from gtcode.coding.quotes import DEFAULT_LIMIT
from gtcode.coding.storyline import (
    STORYLINE_KEY,
    CategoryReach,
    Storyline,
    category_reach,
    generated_texts,
    storyline,
)
from gtcode.errors import GtcodeError
from gtcode.store import analysis as db
from gtcode.store.analysis import StoryRow
from gtcode.store.project import Study

# -- saturation --------------------------------------------------------------------

@dataclass(frozen=True)
class SaturationOptions:
    """Parameters of both saturation assessments.

    ``holdout``: hold out the last K cases (None: one third); ``holdout_cases``:
    name them instead; ``holdout_random``: draw K with ``seed``. ``order``: the
    interview order to assess (cases named first, in that order; the others
    follow in collection order); empty: collection order (the case sheet's).
    ``count``: which concepts count (see :data:`sat.COUNTED`): ``auto`` (those
    human coders used, the machine's only when no human has coded), ``human``
    or ``all`` (every coding that counts, human and machine).
    """

    holdout: int | None = None
    holdout_cases: tuple[str, ...] = ()
    holdout_random: bool = False
    seed: int = 0
    permutations: int = sat.DEFAULT_PERMUTATIONS
    base: int = sat.DEFAULT_BASE
    run: int = sat.DEFAULT_RUN
    threshold: float = sat.DEFAULT_THRESHOLD
    step: int = 1
    order: tuple[str, ...] = ()
    count: str = "auto"


@dataclass(frozen=True)
class Curve:
    """The new-concept curve in collection order, its band and Guest et al."""

    cases: tuple[str, ...]
    new: tuple[tuple[str, ...], ...]
    counts: tuple[int, ...]
    cumulative: tuple[int, ...]
    band: sat.Band
    guest: sat.GuestResult


@dataclass(frozen=True)
class Saturation:
    """Both saturation checks, and which concepts they counted (``counted``: see
    :data:`sat.COUNTED`)."""

    holdout: sat.HoldoutResult | None
    holdout_note: str | None
    curve: Curve
    counted: str = sat.HUMAN


def saturation(data: CodedStudy, options: SaturationOptions = SaturationOptions(),
               proposals: Sequence[Proposal] = ()) -> Saturation:
    """Run the hold-out test and the new-concept curve on a coded study.

    Counted are the concepts human coders used (their codings, and the
    concepts they proposed, each a concept of its own with no category yet);
    only in a study with no human coding at all, the codebook concepts the
    machine suggested (``counted`` says which). Interviews are taken in
    ``options.order`` or collection order. When the study is too small to hold
    anything out (fewer than 2 cases) ``holdout`` is None and ``holdout_note``
    says why.
    """
    cases = sat.ordered_cases(data.cases, options.order)
    counted = sat.counted_kind(options.count, any(r.human for r in data.references))
    concepts: dict[str, set[str]] = {case: set() for case in cases}
    segments: dict[str, dict[int, set[str]]] = {case: {} for case in cases}
    for ref in data.references:
        if counted == sat.HUMAN and not ref.human:
            continue
        concepts.setdefault(ref.case, set()).add(ref.code)
        category = data.hierarchy.category(ref.code)
        if category:
            segments.setdefault(ref.case, {}).setdefault(ref.segment_id, set()).add(category)
    if counted == sat.HUMAN:
        proposals = [p for p in proposals if not p.machine]
    for case, keys in case_concepts(proposals).items():
        concepts.setdefault(case, set()).update(keys)
    # a proposed concept fits where the parent its coder gave it does; without one, nowhere
    parents = {p.key: p.parent for p in proposals if p.parent in data.hierarchy.nodes}
    holdout, note = _holdout(cases, data, concepts, segments, options, parents)
    sets = [concepts[c] for c in cases]
    new = sat.new_concepts(sets)
    counts = [len(n) for n in new]
    curve = Curve(tuple(cases), tuple(tuple(n) for n in new), tuple(counts),
                  tuple(sat.cumulative(counts)),
                  sat.permutation_band(sets, permutations=options.permutations, seed=options.seed),
                  sat.guest_saturation(counts, base=options.base, run=options.run,
                                       threshold=options.threshold, step=options.step))
    return Saturation(holdout, note, curve, counted)


def _holdout(cases: list[str], data: CodedStudy, concepts: dict[str, set[str]],
             segments: dict[str, dict[int, set[str]]], options: SaturationOptions,
             parents: dict[str, str]) -> tuple[sat.HoldoutResult | None, str | None]:
    if len(cases) < 2 and not options.holdout_cases:
        return None, "the hold-out test needs at least 2 interviews"
    k = options.holdout if options.holdout is not None else sat.default_holdout_size(len(cases))
    held = sat.select_holdout(cases, k=k, names=list(options.holdout_cases) or None,
                              random=options.holdout_random, seed=options.seed)
    fits = lambda c: (data.hierarchy.subcategory(parents.get(c, c)),  # noqa: E731
                      data.hierarchy.category(parents.get(c, c)))
    by_case = {c: list(segments.get(c, {}).values()) for c in cases}
    return sat.holdout_test(concepts, by_case, held, fits), None


@dataclass
class SelectiveResult:
    """Everything selective coding reports."""

    reach: list[CategoryReach]
    storyline: Storyline
    saturation: Saturation
    options: SaturationOptions = field(default_factory=SaturationOptions)


def selective(data: CodedStudy, stored: dict[str, StoryRow], *, lang: str = "zh",
              options: SaturationOptions = SaturationOptions(),
              quote_limit: int = DEFAULT_LIMIT,
              proposals: Sequence[Proposal] = ()) -> SelectiveResult:
    """Reach, storyline and saturation of a coded study (pure: nothing is written).

    ``proposals``: the study's proposed concepts (they count in saturation).
    """
    return SelectiveResult(category_reach(data, lang),
                           storyline(data, stored, lang=lang, quote_limit=quote_limit),
                           saturation(data, options, proposals), options)


def structure_keys(line: Storyline) -> Sequence[str]:
    return [s.key for s in line.structures] + [STORYLINE_KEY]


# -- the study-level entry points (read, compute, write the storyline) -----------------

OPTIONS_META = "selective_options"
#: The study's hold-out split (meta table, JSON): the one ``--holdout``, ``--holdout-cases``
#: or ``--holdout-random`` last chose. Every later selective run, ``gtcode run``, the
#: report and the tables use it until another is chosen.
HOLDOUT_META = "holdout_split"


def has_split(options: SaturationOptions) -> bool:
    """True when ``options`` choose a hold-out split (not the default last third)."""
    return options.holdout is not None or bool(options.holdout_cases) or options.holdout_random


def holdout_split(study: Study) -> dict[str, object] | None:
    """The hold-out split stored with the study, or None (the default: the last third).

    ``{"holdout": K or None, "holdout_cases": [...], "holdout_random": bool, "seed": N}``.
    """
    import json

    try:
        value = json.loads(study.meta(HOLDOUT_META) or "null")
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def with_study_split(study: Study, options: SaturationOptions) -> SaturationOptions:
    """``options`` with the study's stored split when they choose none themselves."""
    stored = holdout_split(study)
    if has_split(options) or not stored:
        return options
    import dataclasses

    random = bool(stored.get("holdout_random"))
    try:
        # a random draw is the split only with its seed; otherwise the seed stays the run's
        seed = int(str(stored.get("seed", options.seed))) if random else options.seed
        return dataclasses.replace(
            options, holdout=stored.get("holdout"),
            holdout_cases=tuple(stored.get("holdout_cases") or ()), holdout_random=random,
            seed=seed)
    except (TypeError, ValueError):
        return options


def _split_json(options: SaturationOptions) -> str:
    import json

    return json.dumps({"holdout": options.holdout, "holdout_cases": list(options.holdout_cases),
                       "holdout_random": options.holdout_random, "seed": options.seed},
                      sort_keys=True, ensure_ascii=False)


def stored_options(study: Study) -> SaturationOptions:
    """The saturation options of the last ``gtcode selective`` run (defaults if none),
    with the study's hold-out split.

    Exports use them, so the workbook shows the hold-out the researcher chose.
    """
    import json

    raw = study.meta(OPTIONS_META)
    options = SaturationOptions()
    if raw:
        try:
            values = json.loads(raw)
            values["holdout_cases"] = tuple(values.get("holdout_cases", ()))
            values["order"] = tuple(values.get("order", ()))
            options = SaturationOptions(**values)
        except (TypeError, ValueError):
            options = SaturationOptions()
    return with_study_split(study, options)


def run_selective(study: Study, book: Codebook, *, lang: str = "zh",
                  options: SaturationOptions = SaturationOptions(),
                  quote_limit: int = DEFAULT_LIMIT) -> SelectiveResult:
    """Compute selective coding and store the generated storyline texts.

    Edited texts are kept; generated entries whose relation no longer
    exists are removed. A hold-out split in ``options`` is stored with the
    study (:data:`HOLDOUT_META`); options that choose none use the stored one.
    One write transaction.
    """
    options = with_study_split(study, options)
    data = load_coded_study(study, book)
    stored = db.storyline_rows(study.conn)
    result = selective(data, stored, lang=lang, options=options, quote_limit=quote_limit,
                       proposals=study_proposals(study))
    texts = generated_texts(result.storyline)
    stale = [k for k, row in stored.items() if k not in texts and not row.edited
             and not k.startswith(db.QUOTE_PREFIX)]
    # the storyline texts and options written here are no part of the coded study: it is kept
    with study.write(keep=[coded_study_key(book)]):
        for key, text in texts.items():
            db.put_generated(study.conn, key, text)
        db.delete_generated(study.conn, stale)
        study.set_meta(OPTIONS_META, _options_json(options))
        if has_split(options):
            study.set_meta(HOLDOUT_META, _split_json(options))
    return result


def _options_json(options: SaturationOptions) -> str:
    import dataclasses
    import json

    values = dataclasses.asdict(options)
    values["holdout_cases"] = list(options.holdout_cases)
    values["order"] = list(options.order)
    return json.dumps(values, sort_keys=True)


def edit_storyline(study: Study, book: Codebook, key: str, text: str, author: str) -> None:
    """Store the researcher's text for a relation structure or the storyline.

    Raises:
        GtcodeError: E306 when ``key`` names no current structure.
    """
    selective_edits(study, book, edit=(key, text), author=author)


def set_quotes(study: Study, book: Codebook, target: str, refs: Sequence[str],
               author: str) -> None:
    """Choose the representative quotes of a code or structure (``S03.txt#12`` each).

    Raises:
        GtcodeError: as :func:`selective_edits`.
    """
    selective_edits(study, book, quotes={target: list(refs)}, author=author)


def selective_edits(study: Study, book: Codebook, *, edit: tuple[str, str] | None = None,
                    quotes: dict[str, list[str]] | None = None, author: str) -> None:
    """Store an edited text and chosen quotes: all checked first, then one transaction.

    Args:
        edit: ``(key, text)``: the researcher's text for a structure or the storyline.
        quotes: target (a code id or a structure key) -> segments ``SOURCE#N``,
            each of which must carry the code (a code under it counts; for a
            relation structure, both of its categories).
        author: who wrote the text or chose the quotes.

    Raises:
        GtcodeError: E306 for an unknown key, code or segment; E605 for a
            segment that does not carry the code; E112 for an empty text.
            Nothing is stored when any of them is raised.
    """
    data = load_coded_study(study, book)
    line = storyline(data, db.storyline_rows(study.conn))
    keys = structure_keys(line)
    if edit is not None:
        key, text = edit
        if key not in keys:
            raise GtcodeError("E306", f"no relation structure with key {key!r}.",
                              hint="list the keys with `gtcode selective STUDY`; e.g. "
                              + ", ".join(keys[:3]))
        if not text.strip():
            raise GtcodeError("E112", "the storyline text is empty.",
                              hint="pass --text or a file")
    for target, refs in (quotes or {}).items():
        _check_quotes(study, data, line, target, refs)
    with study.write():
        if edit is not None:
            db.put_edited(study.conn, edit[0], edit[1].strip(), author)
        for target, refs in (quotes or {}).items():
            db.put_edited(study.conn, db.QUOTE_PREFIX + target, "\n".join(refs), author)


def _check_quotes(study: Study, data: CodedStudy, line: Storyline, target: str,
                  refs: Sequence[str]) -> None:
    structures = {s.key: s for s in line.structures}
    if target in data.hierarchy.nodes:
        codes = [target]
    elif target in structures:
        s = structures[target]
        codes = [s.source] if s.kind == "core" else [s.source, s.target]
    else:
        raise GtcodeError("E306", f"no code or relation structure {target!r}.",
                          where=f"--quote {target}=…",
                          hint="use a code id such as resource, or a structure key")
    known = db.segment_ids_by_ref(study.conn)
    counted = {s.id for s in data.segments}
    carried: dict[int, set[str]] = {}
    for ref in data.references:
        carried.setdefault(ref.segment_id, set()).add(ref.code)
    for ref in refs:
        where = f"--quote {target}={ref}"
        if known.get(ref) not in counted:
            raise GtcodeError("E306", f"no respondent segment {ref!r}.", where=where,
                              hint="write SOURCE#N, e.g. S03.txt#12 (N = segment number)")
        has = carried.get(known[ref], set())
        for code in codes:
            if not has & set(data.hierarchy.below(code) if code in data.hierarchy.nodes
                             else [code]):
                label = data.hierarchy.label(code, "zh") if code in data.hierarchy.nodes \
                    else code
                raise GtcodeError(
                    "E605", f"segment {ref} is not coded with {code} ({label}) or a code "
                    "under it, so it cannot be its quote; nothing was stored.", where=where,
                    hint="choose a segment that carries the code (codings.csv from `gtcode "
                    "export STUDY --to csv` lists them)")


def _some(names: Sequence[str], most: int = 6) -> str:
    """``a, b, c`` or, for a long list, ``a, b, c, ... z (40 cases)``."""
    if len(names) <= most:
        return ", ".join(names)
    return f"{', '.join(names[:3])}, ... {names[-1]} ({len(names)} cases)"


def selective_summary(result: SelectiveResult) -> str:
    """One line for ``gtcode run``: structures, hold-out verdict, Guest et al."""
    sat_result = result.saturation
    held = sat_result.holdout
    verdict = ("skipped" if held is None else
               f"{'passed' if held.passed else 'failed'} ({_some(held.held)} held out)")
    guest = sat_result.curve.guest
    point = (f"saturation at interview {guest.saturation_point}, confirmed through "
             f"{guest.confirmed_through}" if guest.reached else "saturation not reached")
    counted = {sat.HUMAN: "human coders' concepts", sat.ALL: "all codings (human and machine)",
               sat.MACHINE: "machine-suggested concepts (no human coding yet)"}[
        sat_result.counted]
    return (f"selective coding: {len(result.reach)} main categories, "
            f"{len(result.storyline.structures)} relation structures; hold-out test {verdict}; "
            f"Guest et al. (base {guest.base}, run {guest.run}, ≤{guest.threshold:.0%}): {point}; "
            f"counted {counted}")


def selective_explanation(result: SelectiveResult) -> list[str]:
    """What the two saturation results mean and what to do, one line each (for the CLI)."""
    lines = []
    held = result.saturation.holdout
    if held is not None and held.passed:
        lines.append(f"  hold-out test passed: the {len(held.held)} held-out interview(s) fit "
                     f"the categories built on the other {len(held.building)} (no new main "
                     "category, subcategory or relation): evidence the categories are "
                     "saturated.")
    elif held is not None:
        lines.append(f"  hold-out test failed: the {len(held.held)} held-out interview(s) "
                     "brought a main category, subcategory or relation the other "
                     f"{len(held.building)} did not have, so the categories may not be "
                     "saturated yet; see which in the hold-out table (report.html, gtcode.xlsx)"
                     ", then interview more people or revise the categories and run again.")
    guest = result.saturation.curve.guest
    if guest.reached:
        lines.append(f"  Guest et al.: interviews {guest.saturation_point + 1}–"
                     f"{guest.confirmed_through} added no more than {guest.threshold:.0%} new "
                     f"concepts (against the {guest.base_total} of the first {guest.base}), "
                     "which the method takes as saturation; the curve in report.html shows "
                     "what later interviews added.")
    else:
        lines.append(f"  Guest et al.: no run of {guest.run} interviews added {guest.threshold:.0%}"
                     " or less new concepts, so saturation is not shown; more interviews may "
                     "still add concepts.")
    return lines


def selective_stage(study: Study, book: Codebook, progress=None) -> str:
    """The ``gtcode run`` stage: the study's hold-out split (default: the last third) and
    storyline sync; the summary line, then what its results mean."""
    lang = "en" if (book.language or "zh").startswith("en") else "zh"
    result = run_selective(study, book, lang=lang)
    return "\n".join([selective_summary(result), *selective_explanation(result)])
