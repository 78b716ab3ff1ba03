"""Constant comparison: the passages of other interviews most like a passage or a code.

``gtcode compare STUDY --segment S01.txt#12`` ranks the respondent turns of
every other interview by their similarity to segment 12 of S01.txt
(:mod:`gtcode.coding.similar`); ``--code ID`` ranks them by their similarity
to the centroid of the passages a person coded with ID or a code beneath it
(the machine's suggestions when no person has coded it yet, and the result
says so), leaving those passages out. Each match names its source, case,
segment and line and the codes that count on it, coded by a person or
suggested, so a researcher sees at once where a concept already reaches and
where a passage that says the same thing is still uncoded.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from gtcode.codebook import Codebook
from gtcode.codebook.hierarchy import ancestors, code_links
from gtcode.coding.similar import Corpus, Passage, load_corpus
from gtcode.errors import GtcodeError
from gtcode.progress import Progress
from gtcode.store import open_coding as segments_db
from gtcode.store.codes import list_codes
from gtcode.store.project import Study

#: How a comparison with a code chose its passages.
BASIS_HUMAN, BASIS_SUGGESTED, BASIS_SEGMENT = "human", "suggested", "segment"


@dataclass(frozen=True)
class Match:
    """A passage and how similar it is to what was compared."""

    passage: Passage
    similarity: float

    def to_dict(self) -> dict:
        p = self.passage
        return {"similarity": round(self.similarity, 4), "ref": p.ref, "source": p.source,
                "case": p.case, "segment": p.idx, "line": p.line, "coded": p.coded,
                "codes": p.codes_dict(), "text": p.text}


@dataclass
class Comparison:
    """What ``gtcode compare`` found, most similar first."""

    query: str
    basis: str
    basis_passages: int
    features: str
    candidates: int
    matches: list[Match] = field(default_factory=list)
    excluded_sources: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"query": self.query, "basis": self.basis, "basis_passages": self.basis_passages,
                "features": self.features, "candidates": self.candidates,
                "excluded_sources": self.excluded_sources,
                "matches": [m.to_dict() for m in self.matches]}


def parse_segment(spec: str) -> tuple[str, int]:
    """``"S01.txt#12"`` (or ``"segment:S01.txt#12"``) -> ``("S01.txt", 12)``.

    Raises:
        GtcodeError: E112 when it is not FILE#N.
    """
    text = spec.strip()
    if text.lower().startswith("segment:"):
        text = text[len("segment:"):]
    source, sep, idx = text.rpartition("#")
    if not sep or not source or not idx.strip().isdigit():
        raise GtcodeError("E112", f"{spec!r} is not a segment.", where="--segment",
                          hint="write FILE#N, e.g. S01.txt#12 (segment 12 of S01.txt, as "
                          "the sheet's 段落 column names it)")
    return source, int(idx)


def compare(study: Study, codebook: Codebook, *, code: str | None = None,
            segment: str | None = None, top: int = 10, uncoded_only: bool = False,
            embeddings: bool | None = None, progress: Progress | None = None) -> Comparison:
    """The ``top`` passages of other interviews most similar to a segment or a code.

    Give exactly one of ``code`` (a code id of the codebook or the study) and
    ``segment`` (``FILE#N``). ``uncoded_only`` keeps passages no coding counts
    on. ``embeddings`` as for :func:`gtcode.coding.learned.embed.wanted`.

    Raises:
        GtcodeError: E112 for a bad option; E306 for an unknown code or segment;
            E601 when the code has no passages to compare with; E804 when
            embeddings are required but not installed.
    """
    if (code is None) == (segment is None):
        raise GtcodeError("E112", "compare needs one of --code and --segment.",
                          hint="e.g. --code resource or --segment S01.txt#12")
    if top < 1:
        raise GtcodeError("E112", f"--top must be at least 1, not {top}.", where="--top")
    if segment is not None:
        source, idx = parse_segment(segment)
        found = segments_db.find_segment(study.conn, source, idx)
        if found is None:
            raise GtcodeError("E306", f"the study has no segment {source}#{idx}.",
                              where="--segment", hint="see the 段落 column of a sheet, or "
                              "`gtcode export STUDY --to csv` (segments.csv)")
        corpus = load_corpus(study, embeddings=embeddings, progress=progress)
        return _by_segment(study, corpus, found, top, uncoded_only)
    below = _codes_below(study, codebook, code)  # type: ignore[arg-type]
    corpus = load_corpus(study, embeddings=embeddings, progress=progress)
    return _by_code(corpus, code, below, top, uncoded_only)  # type: ignore[arg-type]


def _codes_below(study: Study, codebook: Codebook, code: str) -> set[str]:
    """``code`` and every code beneath it (codebook and study codes); E306 if unknown."""
    links = code_links(codebook.codes, list_codes(study.conn))
    if code not in links:
        raise GtcodeError("E306", f"no code {code!r} in the codebook or the study.",
                          where="--code", hint="see `gtcode codebook show STUDY/codebook.yaml`")
    return {c for c in links if c == code or code in ancestors(c, links)}


def _by_segment(study: Study, corpus: Corpus, found: segments_db.KeyedSegment, top: int,
                uncoded_only: bool) -> Comparison:
    row = corpus.index().get(found.id)
    if row is not None:  # a respondent turn: its rows are there already
        ngrams = corpus.ngrams[[row]]
        vectors = corpus.embeddings[[row]] if corpus.embeddings is not None else None
    else:  # an interviewer's turn: encoded as a query
        ngrams, vectors = corpus.encode(study, [found.text])
    keep = [i for i, p in enumerate(corpus.passages) if p.source != found.source]
    result = Comparison(f"segment:{found.source}#{found.idx}", BASIS_SEGMENT, 1,
                        corpus.features, 0, excluded_sources=[found.source])
    return _ranked(result, corpus, ngrams, vectors, keep, top, uncoded_only)


def _by_code(corpus: Corpus, code: str, below: set[str], top: int,
             uncoded_only: bool) -> Comparison:
    basis, rows = BASIS_HUMAN, [i for i, p in enumerate(corpus.passages)
                                if below & set(p.human)]
    if not rows:
        basis, rows = BASIS_SUGGESTED, [i for i, p in enumerate(corpus.passages)
                                        if below & set(p.suggested)]
    if not rows:
        raise GtcodeError("E601", f"no respondent turn is coded with {code} or a code beneath "
                          "it, by a person or a suggestion, so there is nothing to compare with.",
                          where="--code", hint="code a passage with it first, or compare with "
                          "--segment FILE#N")
    ngrams, vectors = corpus.centroid(rows)
    taken = set(rows)
    keep = [i for i in range(len(corpus.passages)) if i not in taken]
    result = Comparison(f"code:{code}", basis, len(rows), corpus.features, 0)
    return _ranked(result, corpus, ngrams, vectors, keep, top, uncoded_only)


def _ranked(result: Comparison, corpus: Corpus, ngrams, vectors, keep: list[int], top: int,
            uncoded_only: bool) -> Comparison:
    """Fill ``result`` with the best ``top`` of the ``keep`` rows (ties: study order)."""
    if uncoded_only:
        keep = [i for i in keep if not corpus.passages[i].coded]
    result.candidates = len(keep)
    if not keep:
        return result
    rows = np.asarray(keep)
    scores = corpus.similarity(ngrams, vectors, rows)[0]
    order = np.argsort(-scores, kind="stable")[:top]
    result.matches = [Match(corpus.passages[rows[k]], float(scores[k])) for k in order]
    return result
