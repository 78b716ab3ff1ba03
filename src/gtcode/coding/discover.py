"""Discovery: respondent turns no concept covers yet, grouped into candidate new concepts.

``gtcode discover STUDY`` takes the respondent turns on which no coding
counts (no person coded them and no machine suggestion stands: the rules
found no term, or the learned model no label above its threshold, or a
person rejected them), leaves out turns too short to say anything
(:data:`MIN_LENGTH`), and clusters the rest by similarity
(:mod:`gtcode.coding.similar`, :mod:`gtcode.coding.clusters`). A cluster of
at least ``min_size`` turns from at least ``min_interviews`` interviews is a
candidate concept: the same thing said in several interviews that the
codebook has no concept for.

Each candidate lists its representative phrases: the in-vivo phrases of its
turns (:func:`gtcode.coding.invivo.segment_phrases`) in at least two of
them, ranked by how much more often the cluster's turns hold them than the
uncovered turns at large (``share in cluster x log(share in cluster / share
in all)``, a document-frequency form of class-based TF-IDF); and its example
passages, the turns most like the rest of the cluster. With ``propose`` the
candidates are stored as proposed concepts by ``gtcode-discover`` (one
proposal per turn, named by the top phrases), replacing the ones an earlier
run proposed and nobody adopted.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from gtcode.coding.axial import count_words
from gtcode.coding.clusters import EXACT_LIMIT, cluster
from gtcode.coding.invivo import segment_phrases
from gtcode.coding.rules import default_tokenizer
from gtcode.coding.similar import NGRAM_WEIGHT, Corpus, load_corpus, unit
from gtcode.errors import GtcodeError
from gtcode.progress import Progress
from gtcode.store import open_coding as db
from gtcode.store.project import Study

#: Who proposes the concepts discovery stores (a machine: kind ``model`` in ``coders``).
DISCOVER_CODER = "gtcode-discover"
#: Shortest turn clustered: Chinese characters plus words of Latin letters or digits.
MIN_LENGTH = 12
#: Representative phrases and example passages shown per candidate.
PHRASES, EXAMPLES = 5, 3
#: Most turns the phrases of a cluster are weighed against.
BACKGROUND = 2000


@dataclass(frozen=True)
class Phrase:
    phrase: str
    turns: int
    score: float


@dataclass
class Candidate:
    """A cluster of uncovered turns: a candidate new concept."""

    number: int
    refs: list[str]
    segment_ids: list[int]
    cases: list[str]
    interviews: int
    cohesion: float
    phrases: list[Phrase] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.refs)

    @property
    def name(self) -> str:
        """What a proposal of it is called: its two best phrases (or its first example)."""
        return " / ".join(p.phrase for p in self.phrases[:2]) or f"cluster {self.number}"

    def to_dict(self) -> dict:
        return {"number": self.number, "name": self.name, "size": self.size,
                "interviews": self.interviews, "cases": self.cases,
                "cohesion": round(self.cohesion, 4),
                "phrases": [{"phrase": p.phrase, "turns": p.turns, "score": round(p.score, 4)}
                            for p in self.phrases],
                "examples": self.examples, "passages": self.refs}


@dataclass
class Discovery:
    """What ``gtcode discover`` found."""

    features: str
    turns: int
    uncovered: int
    clustered: int
    clusters: int
    candidates: list[Candidate] = field(default_factory=list)
    found: int = 0
    proposed: int = 0

    def to_dict(self) -> dict:
        return {"features": self.features, "turns": self.turns, "uncovered": self.uncovered,
                "clustered": self.clustered, "clusters": self.clusters, "found": self.found,
                "proposed": self.proposed,
                "candidates": [c.to_dict() for c in self.candidates]}


def discover(study: Study, *, min_size: int = 3, min_interviews: int = 2,
             min_length: int = MIN_LENGTH, top: int | None = None,
             embeddings: bool | None = None, propose: bool = False,
             progress: Progress | None = None, limit: int = EXACT_LIMIT) -> Discovery:
    """Candidate new concepts: clusters of the turns no coding covers.

    ``top``: keep the best ``top`` candidates (None: all); ``propose`` stores
    those kept.
    ``limit``: most turns clustered from their full matrix of distances
    (:func:`gtcode.coding.clusters.cluster`).

    Raises:
        GtcodeError: E112 for a bad option; E601 when the study has no
            respondent turns; E804 when embeddings are required but missing.
    """
    checks = (("--min-size", min_size, 2), ("--min-interviews", min_interviews, 1),
              ("--min-length", min_length, 0), ("--top", 1 if top is None else top, 1))
    for name, value, least in checks:
        if value < least:
            raise GtcodeError("E112", f"{name} must be at least {least}, not {value}.",
                              where=name)
    corpus = load_corpus(study, embeddings=embeddings, progress=progress)
    uncovered = [i for i, p in enumerate(corpus.passages) if not p.coded]
    rows = np.asarray([i for i in uncovered
                       if count_words(corpus.passages[i].text) >= min_length], dtype=int)
    result = Discovery(corpus.features, len(corpus.passages), len(uncovered), len(rows), 0)
    if len(rows) < min_size:
        return _proposed(study, result, propose)
    labels = cluster(len(rows), lambda part: _square(corpus, rows[part]),
                     lambda: _dense(corpus, rows), limit=limit)
    result.clusters = int(labels.max()) + 1 if len(labels) else 0
    groups = [rows[labels == label] for label in range(result.clusters)]
    kept = [g for g in groups if len(g) >= min_size
            and len({corpus.passages[i].source for i in g}) >= min_interviews]
    phrases = _phrase_sets(corpus, rows)
    background = _background(corpus, phrases)
    candidates = [_candidate(corpus, group, phrases, background) for group in kept]
    candidates.sort(key=lambda c: (-c.interviews, -c.size, -c.cohesion, c.refs[0]))
    result.found = len(candidates)
    candidates = candidates[:top] if top is not None else candidates
    for number, candidate in enumerate(candidates, start=1):
        candidate.number = number
    result.candidates = candidates
    return _proposed(study, result, propose)


def _square(corpus: Corpus, rows: np.ndarray) -> np.ndarray:
    ngrams, vectors = corpus.vectors(rows)
    return corpus.similarity(ngrams, vectors, rows)


def _dense(corpus: Corpus, rows: np.ndarray) -> np.ndarray:
    """Dense unit vectors of the rows, for dividing many turns by k-means first.

    The n-grams are reduced to 100 dimensions by truncated SVD (latent
    semantic analysis, fixed seed) of the columns at least two of the turns
    have (a column of one turn makes it like no other), weighted as in the
    similarity.
    """
    from sklearn.decomposition import TruncatedSVD

    ngrams, vectors = corpus.vectors(rows)
    shared = np.flatnonzero(np.bincount(ngrams.indices, minlength=ngrams.shape[1]) >= 2)
    ngrams = ngrams[:, shared]
    dimensions = max(1, min(100, ngrams.shape[1] - 1, ngrams.shape[0] - 1))
    reduced = unit(TruncatedSVD(n_components=dimensions, random_state=0).fit_transform(ngrams))
    if vectors is None:
        return reduced
    return unit(np.hstack([np.sqrt(NGRAM_WEIGHT) * reduced,
                            np.sqrt(1 - NGRAM_WEIGHT) * vectors]))


def _phrase_sets(corpus: Corpus, rows: np.ndarray) -> dict[int, frozenset[str]]:
    """Row -> the in-vivo phrases of that turn."""
    tokenize = default_tokenizer()
    return {int(i): frozenset(segment_phrases(corpus.passages[i].text, tokenize))
            for i in rows}


def _background(corpus: Corpus, phrases: dict[int, frozenset[str]]) -> tuple[Counter, int]:
    """In how many of the study's turns each phrase occurs, and of how many turns.

    Every respondent turn counts, or :data:`BACKGROUND` of them spread evenly
    over the study when it has more.
    """
    n = len(corpus.passages)
    rows = np.unique(np.linspace(0, n - 1, min(n, BACKGROUND)).astype(int))
    known = {i: found for i, found in phrases.items()}
    missing = np.asarray([i for i in rows if int(i) not in known], dtype=int)
    known.update(_phrase_sets(corpus, missing))
    counts: Counter = Counter(p for i in rows for p in known[int(i)])
    return counts, len(rows)


def _candidate(corpus: Corpus, group: np.ndarray, phrases: dict[int, frozenset[str]],
               background: tuple[Counter, int]) -> Candidate:
    passages = [corpus.passages[i] for i in group]
    square = _square(corpus, group)
    size = len(group)
    closeness = (square.sum(axis=1) - np.diag(square)) / max(size - 1, 1)
    cohesion = float(closeness.mean())
    order = np.argsort(-closeness, kind="stable")[:EXAMPLES]
    cases = list(dict.fromkeys(p.case or p.source for p in passages))
    return Candidate(0, [p.ref for p in passages], [p.segment_id for p in passages], cases,
                     len({p.source for p in passages}), cohesion,
                     _top_phrases(group, phrases, background, corpus),
                     [passages[k].ref for k in order])


def _top_phrases(group: np.ndarray, phrases: dict[int, frozenset[str]],
                 background: tuple[Counter, int], corpus: Corpus) -> list[Phrase]:
    """The cluster's phrases in at least two of its turns, most distinctive first."""
    inside = Counter(p for i in group for p in phrases[int(i)])
    everywhere, population = background
    sources: dict[str, set[str]] = {}
    for i in group:
        for p in phrases[int(i)]:
            sources.setdefault(p, set()).add(corpus.passages[i].source)
    scored = []
    for phrase, count in inside.items():
        if count < 2:
            continue
        share = count / len(group)
        share_all = (everywhere[phrase] + 1) / (population + 1)  # + 1: a sample may miss it
        score = share * float(np.log(share / share_all))
        if score > 0:  # a phrase as common everywhere as here says nothing of the cluster
            scored.append((-(score * (1 if len(sources[phrase]) > 1 else 0.5)), phrase, count))
    chosen: list[Phrase] = []
    for negative, phrase, count in sorted(scored):
        if any(phrase in kept.phrase or kept.phrase in phrase for kept in chosen):
            continue
        chosen.append(Phrase(phrase, count, -negative))
        if len(chosen) == PHRASES:
            break
    return chosen


def _proposed(study: Study, result: Discovery, propose: bool) -> Discovery:
    """Store the candidates as proposed concepts when asked (one transaction)."""
    if not propose:
        return result
    rows = []
    for candidate in result.candidates:
        note = json.dumps({"via": "gtcode discover", "cluster": candidate.number,
                           "phrases": [p.phrase for p in candidate.phrases]},
                          ensure_ascii=False, sort_keys=True)
        rows.extend((candidate.name, segment_id, candidate.cohesion, note)
                    for segment_id in candidate.segment_ids)
    with study.write() as conn:
        db.ensure_coder(conn, DISCOVER_CODER, "model")
        db.replace_discovered(conn, DISCOVER_CODER, rows)
    result.proposed = len(result.candidates)
    return result

