"""How alike two respondent turns are: the ground of constant comparison and discovery.

A :class:`Corpus` holds every respondent turn of a study (and turns of
unknown role, as open coding reads them) with the codes that count on it,
and two views of its text, each fitted on the study's turns of the same
language (Chinese or English, :func:`gtcode.transcripts.nlp.detect_language`):

- the learned coder's character n-grams (:mod:`gtcode.coding.learned.features`:
  hashed, sublinear TF-IDF, rows of unit length): the words a turn shares with
  another. Chinese turns are read as 1- to 3-grams of characters (the length
  of Chinese words), English turns as 3- to 5-grams of letters (1- to 3-grams
  of letters are shared by nearly all English text, and made every two English
  turns look alike). The idf is the language's own: in a mostly Chinese study
  every Latin letter would otherwise look rare;
- its sentence embedding (multilingual-e5-small, kept in the study by text
  hash; only when installed and not turned off), centred on the mean vector
  of the language's turns and scaled to unit length again: e5's vectors lie in
  a narrow cone (any two turns have a cosine of about 0.8, two turns in one
  language more), and removing the common direction puts unrelated turns near
  0, on the scale of the n-grams.

The similarity of two turns is the cosine of their n-gram rows, or, with
embeddings, the mean of that cosine and the cosine of their centred
embeddings (:data:`NGRAM_WEIGHT`). It lies in [-1, 1]; 1 is the same text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from gtcode.coding.learned import embed
from gtcode.coding.learned.features import BITS, fit_idf, ngram_counts, tfidf
from gtcode.coding.learned.turns import ROLES, embeddings_for
from gtcode.errors import GtcodeError
from gtcode.progress import Progress
from gtcode.store import open_coding as segments_db
from gtcode.store.codings import effective_codings
from gtcode.store.project import Study
from gtcode.transcripts.nlp import detect_language

#: Weight of the n-gram cosine when embeddings are used (the embedding cosine has the rest).
NGRAM_WEIGHT = 0.5
#: Character n-grams read in each language (see the module's docstring).
NGRAMS = {"zh": (1, 2, 3), "en": (3, 4, 5)}
#: Origins of codings a person made (in gtcode or in the program they were imported from).
HUMAN_ORIGINS = ("human", "import")


@dataclass(frozen=True)
class Passage:
    """A respondent turn: where it is, its text, and the codes that count on it."""

    segment_id: int
    source: str
    case: str | None
    idx: int
    line: int | None
    text: str
    lang: str = "zh"
    human: tuple[str, ...] = ()
    suggested: tuple[str, ...] = ()

    @property
    def ref(self) -> str:
        """``S01.txt#12``: segment 12 of S01.txt, as sheets and memos name it."""
        return f"{self.source}#{self.idx}"

    @property
    def coded(self) -> bool:
        return bool(self.human or self.suggested)

    def codes_dict(self) -> list[dict[str, str]]:
        """The codes on the passage, human ones first: ``{"code": id, "by": human|suggested}``."""
        return [{"code": c, "by": "human"} for c in self.human] + \
            [{"code": c, "by": "suggested"} for c in self.suggested]


@dataclass
class Corpus:
    """A study's respondent turns, their n-gram rows and (optionally) their embeddings.

    ``idf`` and ``means`` hold, per language, the n-grams' idf and the mean
    embedding the rows were made with; :meth:`encode` makes rows for a text
    that is not in the corpus the same way.
    """

    passages: list[Passage]
    ngrams: sp.csr_matrix
    idf: dict[str, np.ndarray]
    embeddings: np.ndarray | None = None
    means: dict[str, np.ndarray] | None = None

    @property
    def features(self) -> str:
        """What the similarity reads, as the outputs name it."""
        return "n-grams + embeddings" if self.embeddings is not None else "n-grams"

    def index(self) -> dict[int, int]:
        """Segment id -> row."""
        return {p.segment_id: row for row, p in enumerate(self.passages)}

    def encode(self, study: Study, texts: Sequence[str], *,
               progress: Progress | None = None) -> tuple[sp.csr_matrix, np.ndarray | None]:
        """Rows of the two views for texts that are not in the corpus (a query)."""
        langs = [detect_language(text) for text in texts]
        rows = _tfidf(list(texts), langs, self.idf)
        if self.embeddings is None or self.means is None:
            return rows, None
        vectors = embeddings_for(study, list(texts), progress=progress)
        return rows, _centre(vectors, langs, self.means)

    def similarity(self, ngram_rows: sp.spmatrix, embedding_rows: np.ndarray | None,
                   rows: np.ndarray | None = None) -> np.ndarray:
        """Queries × passages (``rows`` of the corpus only, when given): the similarity."""
        ngrams = self.ngrams if rows is None else self.ngrams[rows]
        cosine = np.asarray((sp.csr_matrix(ngram_rows) @ ngrams.T).todense(), dtype=np.float64)
        if self.embeddings is None or embedding_rows is None:
            return cosine
        vectors = self.embeddings if rows is None else self.embeddings[rows]
        semantic = np.asarray(embedding_rows, dtype=np.float64) @ vectors.T.astype(np.float64)
        return NGRAM_WEIGHT * cosine + (1 - NGRAM_WEIGHT) * semantic

    def vectors(self, rows: Sequence[int]) -> tuple[sp.csr_matrix, np.ndarray | None]:
        """The rows of both views of the given passages."""
        picked = list(rows)
        return (self.ngrams[picked],
                self.embeddings[picked] if self.embeddings is not None else None)

    def centroid(self, rows: Sequence[int]) -> tuple[sp.csr_matrix, np.ndarray | None]:
        """The mean of the given passages in each view, scaled to unit length."""
        ngrams, vectors = self.vectors(rows)
        mean = np.asarray(ngrams.mean(axis=0))
        centre = sp.csr_matrix(unit(mean))
        return centre, (unit(vectors.mean(axis=0, keepdims=True)) if vectors is not None
                        else None)


def load_corpus(study: Study, *, embeddings: bool | None = None,
                progress: Progress | None = None) -> Corpus:
    """Every respondent turn of the study (empty ones left out), in study order.

    ``embeddings`` as for :func:`~gtcode.coding.learned.embed.wanted`; turns not yet embedded are
    embedded once and kept in the study.

    Raises:
        GtcodeError: E601 when the study has no respondent turn; E804 as above.
    """
    wanted = embed.wanted(embeddings)
    passages = _passages(study)
    if not passages:
        raise GtcodeError("E601", "the study has no respondent turns to compare.",
                          file=study.path, hint="import transcripts first (`gtcode import`)")
    texts, langs = [p.text for p in passages], [p.lang for p in passages]
    counts = {lang: ngram_counts([t for t, g in zip(texts, langs) if g == lang],
                                 ngrams=NGRAMS[lang])
              for lang in sorted(set(langs))}
    idf = {lang: fit_idf(found) for lang, found in counts.items()}
    corpus = Corpus(passages, _tfidf(texts, langs, idf, counts), idf)
    if wanted:
        vectors = embeddings_for(study, texts, progress=progress)
        corpus.means = {lang: vectors[[g == lang for g in langs]].mean(axis=0)
                        for lang in sorted(set(langs))}
        corpus.embeddings = _centre(vectors, langs, corpus.means)
    return corpus


def _passages(study: Study) -> list[Passage]:
    human: dict[int, set[str]] = {}
    suggested: dict[int, set[str]] = {}
    for coding in effective_codings(study.conn):
        if coding.segment_id is not None:
            into = human if coding.origin in HUMAN_ORIGINS else suggested
            into.setdefault(coding.segment_id, set()).add(coding.code_id)
    passages = []
    for source in segments_db.iter_source_segments(study.conn, roles=ROLES):
        for seg in source.segments:
            text = source.text[seg.start:seg.end]
            if not text.strip():
                continue
            mine = human.get(seg.id, set())
            passages.append(Passage(seg.id, source.name, source.case, seg.idx, seg.line, text,
                                    detect_language(text), tuple(sorted(mine)),
                                    tuple(sorted(suggested.get(seg.id, set()) - mine))))
    return passages


def _tfidf(texts: list[str], langs: list[str], idf: dict[str, np.ndarray],
           counted: dict[str, sp.csr_matrix] | None = None) -> sp.csr_matrix:
    """TF-IDF rows of ``texts``, each with the n-grams and idf of its language.

    A text in a language the corpus has no turns of gets an empty row.
    ``counted``: the n-gram counts of each language's texts, in their order,
    when the caller has them already (they are not counted again).
    """
    width = 1 << BITS
    order, blocks = [], []
    for lang in sorted(set(langs)):
        picked = [i for i, g in enumerate(langs) if g == lang]
        order.extend(picked)
        if lang in idf:
            counts = (counted or {}).get(lang)
            if counts is None:
                counts = ngram_counts([texts[i] for i in picked], ngrams=NGRAMS[lang])
            blocks.append(tfidf(counts, idf[lang]))
        else:
            blocks.append(sp.csr_matrix((len(picked), width), dtype=np.float32))
    stacked = sp.vstack(blocks, format="csr")
    return sp.csr_matrix(stacked[np.argsort(np.asarray(order), kind="stable")])


def unit(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (a zero row stays zero), as float32."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1
    return (vectors / norms).astype(np.float32)


def _centre(vectors: np.ndarray, langs: Sequence[str],
            means: dict[str, np.ndarray]) -> np.ndarray:
    """Each vector less the mean of its language's turns, at unit length."""
    zero = np.zeros(vectors.shape[1], dtype=np.float32)
    return unit(vectors - np.vstack([means.get(lang, zero) for lang in langs]))
