"""Selective coding: the main categories around the core, the storyline, saturation.

- Reach of each main category (cases, segments, share of respondents), its
  centrality in the within-segment co-occurrence network, and its tie to the
  core category (the paradigm role the codebook gives it).
- The storyline skeleton: one *relation structure* (典型关系结构) per main
  category → core, per paradigm link, and per strongest co-occurring pair,
  each with generated meaning text (关系结构的内涵) and representative
  quotes, plus an overall storyline paragraph. The texts live in the study's
  ``storyline`` table: a text the researcher edited (``edited = 1``) is
  kept by every later run; generated ones follow the data.
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

import networkx as nx

from gtcode.codebook import Codebook
from gtcode.coding import saturation as sat
from gtcode.coding.axial import (PARADIGM_LINKS, CodedStudy, cooccurrence, load_coded_study,
                                 paradigm_roles, relations)
from gtcode.coding.quotes import DEFAULT_LIMIT, Quote, choose_quotes
from gtcode.errors import GtcodeError
from gtcode.store import analysis as db
from gtcode.store.analysis import StoryRow
from gtcode.store.project import Study

STORYLINE_KEY = "storyline"
#: How many co-occurring pairs become relation structures (strongest first).
TOP_PAIRS = 5
#: A pair must co-occur in at least this many segments to become a structure.
MIN_PAIR_SEGMENTS = 2

ROLE_NAMES = {
    "zh": {"causal": "因果条件", "phenomenon": "现象", "context": "情境条件",
           "intervening": "中介条件", "strategy": "行动/互动策略", "consequence": "结果"},
    "en": {"causal": "causal condition", "phenomenon": "phenomenon", "context": "context",
           "intervening": "intervening condition", "strategy": "action/interaction strategy",
           "consequence": "consequence"},
}
LINK_NAMES = {"zh": {"leads to": "导致", "calls for": "引发", "shapes": "影响",
                     "conditions": "制约", "results in": "产生"},
              "en": {k: k for k in ("leads to", "calls for", "shapes", "conditions",
                                    "results in")}}


@dataclass(frozen=True)
class CategoryReach:
    """A main category's reach, centrality and tie to the core category."""

    id: str
    cases: int
    share: float
    segments: int
    degree: int
    centrality: float
    strength: float
    betweenness: float
    core_tie: str | None


def category_graph(data: CodedStudy) -> nx.Graph:
    """Main categories joined where coded together in a segment (weight = Jaccard)."""
    co = cooccurrence(data, unit="segment")
    graph = nx.Graph()
    for code in co.codes:
        graph.add_node(code, segments=co.totals.get(code, 0))
    for pair in co.all_pairs(min_count=1):
        graph.add_edge(pair.a, pair.b, n12=pair.n12, weight=pair.value("jaccard"))
    return graph


def category_reach(data: CodedStudy, lang: str = "zh") -> list[CategoryReach]:
    """Reach and centrality of each coded main category, in codebook order.

    ``centrality`` is degree centrality (degree / (categories − 1)),
    ``strength`` the sum of Jaccard weights, ``betweenness`` weighted
    betweenness with distance 1/Jaccard.
    """
    graph = category_graph(data)
    case_co = cooccurrence(data, unit="case")
    centrality = nx.degree_centrality(graph) if len(graph) > 1 else {n: 0.0 for n in graph}
    for _, _, attrs in graph.edges(data=True):
        attrs["distance"] = 1 / attrs["weight"] if attrs["weight"] else float("inf")
    between = nx.betweenness_centrality(graph, weight="distance") if len(graph) > 2 \
        else {n: 0.0 for n in graph}
    total = len(data.cases) or 1
    return [CategoryReach(
        code, case_co.totals.get(code, 0), case_co.totals.get(code, 0) / total,
        graph.nodes[code]["segments"], graph.degree(code), centrality[code],
        sum(w for _, _, w in graph.edges(code, data="weight")), between[code],
        _core_tie(data, code, lang)) for code in graph.nodes]


def _core_tie(data: CodedStudy, code: str, lang: str) -> str | None:
    core = data.hierarchy.core()
    if core is None:
        return None
    node = data.hierarchy.nodes[code]
    if node.paradigm:
        return ROLE_NAMES[lang][node.paradigm]
    return "维度（构成）" if lang == "zh" else "dimension (part of)"


# -- relation structures and the storyline -------------------------------------------

@dataclass(frozen=True)
class Structure:
    """A relation structure (典型关系结构) with its meaning and quotes."""

    key: str
    kind: str
    source: str
    target: str
    label: str
    meaning: str
    edited: bool
    quotes: tuple[Quote, ...]


@dataclass(frozen=True)
class Storyline:
    structures: tuple[Structure, ...]
    text: str
    edited: bool


def storyline(data: CodedStudy, stored: dict[str, StoryRow], *, lang: str = "zh",
              quote_limit: int = DEFAULT_LIMIT) -> Storyline:
    """The storyline skeleton, with the researcher's edited texts where she wrote them."""
    reach = {r.id: r for r in category_reach(data, lang)}
    drafts = [*_core_drafts(data, reach, lang), *_paradigm_drafts(data, lang),
              *_pair_drafts(data, lang)]
    structures, used = [], set()
    for key, kind, a, b, label, text, codes in drafts:
        row = stored.get(key)
        edited = bool(row and row.edited)
        overrides = data.overrides.get(key) or (data.overrides.get(a, []) if kind == "core"
                                                else [])
        quotes = choose_quotes(data, codes, limit=quote_limit, overrides=overrides, lang=lang,
                               avoid=used)
        used.update(q.segment_id for q in quotes)
        structures.append(Structure(key, kind, a, b, label, row.text if edited else text,
                                    edited, tuple(quotes)))
    row = stored.get(STORYLINE_KEY)
    if row and row.edited:
        return Storyline(tuple(structures), row.text, True)
    return Storyline(tuple(structures), _story_text(data, reach, lang), False)


def generated_texts(line: Storyline) -> dict[str, str]:
    """Key -> text of every entry the store should hold (edited ones included)."""
    texts = {s.key: s.meaning for s in line.structures}
    texts[STORYLINE_KEY] = line.text
    return texts


def _name(data: CodedStudy, code: str, lang: str) -> str:
    return data.hierarchy.label(code, lang)


def _definition(data: CodedStudy, code: str, lang: str) -> str:
    return data.hierarchy.nodes[code].meaning(lang).rstrip("。.；;")


def _core_drafts(data: CodedStudy, reach: dict[str, CategoryReach], lang: str) -> list[tuple]:
    core = data.hierarchy.core()
    if core is None:
        return []
    drafts = []
    for code, r in reach.items():
        a, c = _name(data, code, lang), core.label(lang)
        role = data.hierarchy.nodes[code].paradigm
        meaning = _core_meaning(a, c, role, _definition(data, code, lang), r, len(data.cases),
                               lang)
        drafts.append((f"core:{code}", "core", code, core.id, f"{a} → {c}", meaning, [code]))
    return drafts


def _core_meaning(a: str, c: str, role: str | None, definition: str, r: CategoryReach,
                  n: int, lang: str) -> str:
    if lang == "en":
        kind = f"a {ROLE_NAMES['en'][role]} of" if role else "a dimension of"
        text = f"{a} is {kind} {c}" + (f": {definition}." if definition else ".")
        return text + (f" Coded for {r.cases} of {n} respondents ({r.share:.0%}) in "
                       f"{r.segments} segments.")
    kind = f"的{ROLE_NAMES['zh'][role]}" if role else "的构成维度之一"
    text = f"{a}是{c}{kind}" + (f"：{definition}。" if definition else "。")
    return text + f"该范畴见于{n}名受访者中的{r.cases}名（{r.share:.0%}），共{r.segments}个片段。"


def _paradigm_drafts(data: CodedStudy, lang: str) -> list[tuple]:
    coded = set(data.rolled("category")) | set(data.rolled("subcategory"))
    roles = {role: [c for c in ids if c in coded]
             for role, ids in paradigm_roles(data.hierarchy)}
    drafts = []
    for src, dst, verb in PARADIGM_LINKS:
        for a in roles[src]:
            for b in roles[dst]:
                if a == b:
                    continue
                na, nb, v = _name(data, a, lang), _name(data, b, lang), LINK_NAMES[lang][verb]
                meaning = (f"{na} ({ROLE_NAMES['en'][src]}) {v} {nb} ({ROLE_NAMES['en'][dst]})."
                           if lang == "en" else
                           f"{na}（{ROLE_NAMES['zh'][src]}）{v}{nb}（{ROLE_NAMES['zh'][dst]}）。")
                drafts.append((f"paradigm:{a}>{b}", "paradigm", a, b, f"{na} → {nb}", meaning,
                               [a, b]))
    return drafts


def _pair_drafts(data: CodedStudy, lang: str) -> list[tuple]:
    links = {frozenset((r.source, r.target)) for r in relations(data) if r.kind == "paradigm"}
    pairs = [r for r in relations(data, min_segments=MIN_PAIR_SEGMENTS)
             if r.kind == "cooccurrence" and frozenset((r.source, r.target)) not in links]
    pairs.sort(key=lambda r: (-r.jaccard, -r.segments))
    drafts = []
    for r in pairs[:TOP_PAIRS]:
        na, nb = _name(data, r.source, lang), _name(data, r.target, lang)
        if lang == "en":
            meaning = (f"{na} and {nb} are often told together ({r.segments} segments, "
                       f"{r.cases} respondents; Jaccard = {r.jaccard:.2f}); they may reinforce "
                       "each other. The direction and nature of the relation must be read "
                       "from the transcripts.")
        else:
            meaning = (f"{na}与{nb}常在同一段陈述中交织出现（{r.segments}个片段、{r.cases}名受访者；"
                       f"Jaccard = {r.jaccard:.2f}），提示二者可能相互强化；关系的方向与性质需研读原文后确定。")
        drafts.append((f"pair:{r.source}+{r.target}", "cooccurrence", r.source, r.target,
                       f"{na} ↔ {nb}", meaning, [r.source, r.target]))
    return drafts


def _story_text(data: CodedStudy, reach: dict[str, CategoryReach], lang: str) -> str:
    """The storyline skeleton: the core, the main categories by paradigm role, reach."""
    if not reach:
        return ""
    core = data.hierarchy.core()
    widest = max(reach.values(), key=lambda r: (r.cases, r.segments))
    central = max(reach.values(), key=lambda r: (r.strength, r.degree))
    roles = _by_role(data, reach, lang)
    n, w, c = len(data.cases), _name(data, widest.id, lang), _name(data, central.id, lang)
    if lang == "en":
        core_name = core.label(lang) if core else "(no core category)"
        parts = [f"{role}: {', '.join(names)}" for role, names in roles]
        tail = (", and is told together with the other categories most often" if widest is central
                else f"; {c} is told together with the other categories most often")
        return (f"The core category is {core_name}. {len(reach)} main categories relate to it: "
                + "; ".join(parts) + f". {w} reaches the most respondents ({widest.cases} of "
                f"{n}){tail}. [Skeleton generated by gtcode: rewrite it as the storyline of "
                "your theory.]")
    core_name = core.label(lang) if core else "（未设核心范畴）"
    parts = [f"{'、'.join(names)}为其{role}" for role, names in roles]
    tail = ("，且与其他主范畴共现最为广泛" if widest is central
            else f"；“{c}”与其他主范畴共现最为广泛")
    return (f"本研究的核心范畴为“{core_name}”。{len(reach)}个主范畴围绕核心范畴展开："
            + "；".join(parts) + f"。从覆盖面看，“{w}”见于{widest.cases}/{n}名受访者{tail}。"
            "［本段为 gtcode 生成的故事线骨架，请研究者据原始资料改写。］")


def _by_role(data: CodedStudy, reach: dict[str, CategoryReach],
             lang: str) -> list[tuple[str, list[str]]]:
    """(role name, category names) in paradigm order; categories without a role last."""
    groups: dict[str | None, list[str]] = {}
    for code in reach:
        groups.setdefault(data.hierarchy.nodes[code].paradigm, []).append(_name(data, code, lang))
    ordered = [(ROLE_NAMES[lang][role], groups[role]) for role in ROLE_NAMES[lang]
               if role in groups]
    if None in groups:
        ordered.append(("构成维度" if lang == "zh" else "further dimensions", groups[None]))
    return ordered


# -- saturation --------------------------------------------------------------------

@dataclass(frozen=True)
class SaturationOptions:
    """Parameters of both saturation assessments.

    ``holdout``: hold out the last K cases (None: one third); ``holdout_cases``:
    name them instead; ``holdout_random``: draw K with ``seed``.
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
    holdout: sat.HoldoutResult | None
    holdout_note: str | None
    curve: Curve


def saturation(data: CodedStudy, options: SaturationOptions = SaturationOptions()) -> Saturation:
    """Run the hold-out test and the new-concept curve on a coded study.

    When the study is too small to hold anything out (fewer than 2 cases)
    ``holdout`` is None and ``holdout_note`` says why.
    """
    concepts = {case: set() for case in data.cases}
    segments: dict[str, dict[int, set[str]]] = {case: {} for case in data.cases}
    for ref in data.references:
        concepts.setdefault(ref.case, set()).add(ref.code)
        category = data.hierarchy.category(ref.code)
        if category:
            segments.setdefault(ref.case, {}).setdefault(ref.segment_id, set()).add(category)
    holdout, note = _holdout(data, concepts, segments, options)
    sets = [concepts[c] for c in data.cases]
    new = sat.new_concepts(sets)
    counts = [len(n) for n in new]
    curve = Curve(tuple(data.cases), tuple(tuple(n) for n in new), tuple(counts),
                  tuple(sat.cumulative(counts)),
                  sat.permutation_band(sets, permutations=options.permutations, seed=options.seed),
                  sat.guest_saturation(counts, base=options.base, run=options.run,
                                       threshold=options.threshold, step=options.step))
    return Saturation(holdout, note, curve)


def _holdout(data: CodedStudy, concepts: dict[str, set[str]],
             segments: dict[str, dict[int, set[str]]],
             options: SaturationOptions) -> tuple[sat.HoldoutResult | None, str | None]:
    cases = list(data.cases)
    if len(cases) < 2 and not options.holdout_cases:
        return None, "the hold-out test needs at least 2 interviews"
    k = options.holdout if options.holdout is not None else sat.default_holdout_size(len(cases))
    held = sat.select_holdout(cases, k=k, names=list(options.holdout_cases) or None,
                              random=options.holdout_random, seed=options.seed)
    fits = lambda c: (data.hierarchy.subcategory(c), data.hierarchy.category(c))  # noqa: E731
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
              quote_limit: int = DEFAULT_LIMIT) -> SelectiveResult:
    """Reach, storyline and saturation of a coded study (pure: nothing is written)."""
    return SelectiveResult(category_reach(data, lang),
                           storyline(data, stored, lang=lang, quote_limit=quote_limit),
                           saturation(data, options), options)


def structure_keys(line: Storyline) -> Sequence[str]:
    return [s.key for s in line.structures] + [STORYLINE_KEY]


# -- the study-level entry points (read, compute, write the storyline) -----------------

OPTIONS_META = "selective_options"


def stored_options(study: Study) -> SaturationOptions:
    """The saturation options of the last ``gtcode selective`` run (defaults if none).

    Exports use them, so the workbook shows the hold-out the researcher chose.
    """
    import json

    raw = study.meta(OPTIONS_META)
    if not raw:
        return SaturationOptions()
    try:
        values = json.loads(raw)
        values["holdout_cases"] = tuple(values.get("holdout_cases", ()))
        return SaturationOptions(**values)
    except (TypeError, ValueError):
        return SaturationOptions()


def run_selective(study: Study, book: Codebook, *, lang: str = "zh",
                  options: SaturationOptions = SaturationOptions(),
                  quote_limit: int = DEFAULT_LIMIT) -> SelectiveResult:
    """Compute selective coding and store the generated storyline texts.

    Edited texts are kept; generated entries whose relation no longer
    exists are removed. One write transaction.
    """
    data = load_coded_study(study, book)
    stored = db.storyline_rows(study.conn)
    result = selective(data, stored, lang=lang, options=options, quote_limit=quote_limit)
    texts = generated_texts(result.storyline)
    stale = [k for k, row in stored.items() if k not in texts and not row.edited
             and not k.startswith(db.QUOTE_PREFIX)]
    with study.write():
        for key, text in texts.items():
            db.put_generated(study.conn, key, text)
        db.delete_generated(study.conn, stale)
        study.set_meta(OPTIONS_META, _options_json(options))
    return result


def _options_json(options: SaturationOptions) -> str:
    import dataclasses
    import json

    values = dataclasses.asdict(options)
    values["holdout_cases"] = list(options.holdout_cases)
    return json.dumps(values, sort_keys=True)


def edit_storyline(study: Study, book: Codebook, key: str, text: str, author: str) -> None:
    """Store the researcher's text for a relation structure or the storyline.

    Raises:
        GtcodeError: E306 when ``key`` names no current structure.
    """
    data = load_coded_study(study, book)
    keys = structure_keys(storyline(data, db.storyline_rows(study.conn)))
    if key not in keys:
        raise GtcodeError("E306", f"no relation structure with key {key!r}.",
                          hint="list the keys with `gtcode selective STUDY`; e.g. "
                          + ", ".join(keys[:3]))
    if not text.strip():
        raise GtcodeError("E112", "the storyline text is empty.", hint="pass --text or a file")
    with study.write():
        db.put_edited(study.conn, key, text.strip(), author)


def set_quotes(study: Study, book: Codebook, target: str, refs: Sequence[str],
               author: str) -> None:
    """Choose the representative quotes of a code or structure (``S03.txt#12`` each).

    Raises:
        GtcodeError: E306 for an unknown target or a reference to no
            respondent segment.
    """
    data = load_coded_study(study, book)
    keys = set(structure_keys(storyline(data, db.storyline_rows(study.conn))))
    if target not in data.hierarchy.nodes and target not in keys:
        raise GtcodeError("E306", f"no code or relation structure {target!r}.",
                          hint="use a code id such as resource, or a structure key")
    known = db.segment_ids_by_ref(study.conn)
    counted = {s.id for s in data.segments}
    for ref in refs:
        if known.get(ref) not in counted:
            raise GtcodeError("E306", f"no respondent segment {ref!r}.",
                              hint="write SOURCE#N, e.g. S03.txt#12 (N = segment number)")
    with study.write():
        db.put_edited(study.conn, db.QUOTE_PREFIX + target, "\n".join(refs), author)


def selective_summary(result: SelectiveResult) -> str:
    """One line for ``gtcode run``: structures, hold-out verdict, Guest et al."""
    sat_result = result.saturation
    held = sat_result.holdout
    verdict = ("skipped" if held is None else
               f"{'passed' if held.passed else 'failed'} ({', '.join(held.held)} held out)")
    guest = sat_result.curve.guest
    point = (f"saturation at interview {guest.saturation_point}, confirmed through "
             f"{guest.confirmed_through}" if guest.reached else "saturation not reached")
    return (f"selective coding: {len(result.reach)} main categories, "
            f"{len(result.storyline.structures)} relation structures; hold-out test {verdict}; "
            f"Guest et al. (base {guest.base}, run {guest.run}, ≤{guest.threshold:.0%}): {point}")


def selective_stage(study: Study, book: Codebook, progress=None) -> str:
    """The ``gtcode run`` stage: default hold-out (last third) and storyline sync."""
    lang = "en" if (book.language or "zh").startswith("en") else "zh"
    return selective_summary(run_selective(study, book, lang=lang))
