"""``gtcode learn``: train the study's model from the researcher's decisions or a labels file.

Training data (:func:`decision_examples`): every respondent turn one of the
chosen human coders decided on (accepted, rejected, added, removed or kept a
code in an applied sheet) is an example; the codes accepted there are its
labels, and every other code is a negative: an explicit rejection is a
negative by definition, and a code the coder did not give a turn she reviewed
is one too. With ``--labels FILE.csv`` (the gold format of ``gtcode
evaluate``) the labelled turns are the examples instead.

A label is learned when it has at least :data:`~gtcode.coding.learned.train.MIN_POSITIVES`
positive turns in at least two sources: main categories always count their
concepts' turns, a concept is learned on its own when it has enough of its
own. Too few, and the result says how many more are needed. When the study
uses the built-in codebook, the labelled turns the built-in model learned from
are trained on too (the reliability printed is on the study's own interviews
only), so the researcher's decisions add to what gtcode ships.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from gtcode._version import __version__
from gtcode.codebook import Codebook
from gtcode.coding.gold import read_gold
from gtcode.coding.learned import builtin, embed
from gtcode.coding.learned.coder import STUDY_MODEL
from gtcode.coding.learned.features import ngram_counts, rule_columns
from gtcode.coding.learned.model import FeatureSpec, LearnedModel
from gtcode.coding.learned.train import MIN_POSITIVES, MIN_SOURCES, TrainingSet, train
from gtcode.coding.learned.turns import (
    Example,
    decision_examples,
    embeddings_for,
    fingerprint,
    turns_by_id,
)
from gtcode.errors import GtcodeError
from gtcode.progress import Progress
from gtcode.store import learned as db
from gtcode.store import open_coding as segments_db
from gtcode.store.project import Study


@dataclass(frozen=True)
class Shortfall:
    """A code with too few examples to learn, and how many more it needs."""

    code: str
    level: str
    positives: int
    sources: int
    needed: int


@dataclass
class LearnResult:
    """What ``gtcode learn`` trained (not yet stored: see :func:`save_model`)."""

    model: LearnedModel
    examples: int
    sources: int
    trained_on: dict
    shortfalls: list[Shortfall] = field(default_factory=list)


def gold_examples(study: Study, codebook: Codebook, labels: Path) -> list[Example]:
    """The turns a gold labels file names (matched by file and line), with its codes."""
    rows = read_gold(labels, codebook)
    lines = segments_db.segment_lines(study.conn)
    matched = {(row.file, row.line): row for row in rows if (row.file, row.line) in lines}
    if not matched:
        raise GtcodeError("E806", "no row of the labels file matches a segment of this study.",
                          file=labels, hint="import the transcripts it labels; `line` is the "
                          "line of each respondent turn's label")
    turns = turns_by_id(study, [lines[key][0] for key in matched])
    return [Example(turns[lines[key][0]], row.categories)
            for key, row in sorted(matched.items()) if lines[key][1] != "interviewer"]


def _closure(codebook: Codebook, codes: frozenset[str]) -> set[str]:
    found = set(codes)
    for code in codes:
        category = codebook.main_category(code)
        if category:
            found.add(category)
    return found


def plan_labels(examples: Sequence[Example], codebook: Codebook
                ) -> tuple[list[str], list[str], list[Shortfall]]:
    """The labels to learn (main categories, then concepts), and those with too few examples."""
    positives: dict[str, set[str]] = {}
    counts: dict[str, int] = {}
    for example in examples:
        for code in _closure(codebook, example.codes):
            counts[code] = counts.get(code, 0) + 1
            positives.setdefault(code, set()).add(example.turn.source)
    labels, levels, short = [], [], []
    for code in codebook.codes:
        if code.level not in ("category", "concept"):
            continue
        n, sources = counts.get(code.id, 0), len(positives.get(code.id, ()))
        if n >= MIN_POSITIVES and sources >= MIN_SOURCES:
            labels.append(code.id)
            levels.append(code.level)
        elif code.level == "category" or n:
            short.append(Shortfall(code.id, code.level, n, sources,
                                   max(MIN_POSITIVES - n, 0)))
    return labels, levels, short


def learn(study: Study, codebook: Codebook, *, coders: Sequence[str] | None = None,
          labels: Path | None = None, min_kappa: float | None = None,
          embeddings: bool | None = None, shipped: bool = True,
          progress: Progress | None = None) -> LearnResult:
    """Train (and cross-validate) the study's model; store it with :func:`save_model`.

    Raises:
        GtcodeError: E806 when there is nothing to learn from, or no code
            has enough examples (the message lists what each needs).
    """
    if labels is not None:
        examples, trained_on = gold_examples(study, codebook, labels), {"labels": labels.name}
    else:
        examples = decision_examples(study, coders)
        trained_on = {"coders": sorted(coders) if coders else db.human_coders(study.conn),
                      "fingerprint": fingerprint(examples)}
    if not examples:
        raise GtcodeError("E806", "there are no decisions to learn from yet.",
                          hint="review some turns in a sheet (`gtcode sheet export --next 50`) "
                          "and apply it, or give --labels FILE.csv")
    names, levels, short = plan_labels(examples, codebook)
    if not names:
        needs = "; ".join(f"{s.code} {s.positives} (needs {s.needed} more)" for s in short[:6])
        raise GtcodeError("E806", f"no code has {MIN_POSITIVES} positive turns in "
                          f"{MIN_SOURCES} interviews yet: {needs}.",
                          hint="code more turns, then run gtcode learn again")
    use_embeddings = embed.available() if embeddings is None else embeddings
    spec = FeatureSpec(embeddings=use_embeddings,
                       embedding_model=embed.MODEL_NAME if use_embeddings else None)
    data = training_set(study, codebook, examples, names, levels, spec, progress=progress)
    if shipped and builtin.applies(codebook):
        data = with_shipped_turns(data, builtin.shipped_turns(), spec)
        trained_on = {**trained_on, "shipped_turns": int(data.anchored.sum())}
    model = train(data, spec, min_kappa=min_kappa, progress=progress,
                  meta={"kind": "study", "codebook_hash": codebook.hash,
                        "gtcode": __version__, "trained_on": trained_on,
                        "min_kappa": min_kappa})
    return LearnResult(model, len(examples), len({e.turn.source for e in examples}),
                       trained_on, short)


def training_set(study: Study | None, codebook: Codebook, examples: Sequence[Example],
                 labels: list[str], levels: list[str], spec: FeatureSpec, *,
                 vectors: np.ndarray | None = None, groups: Sequence[str] | None = None,
                 rule_mask: np.ndarray | None = None,
                 progress: Progress | None = None) -> TrainingSet:
    """The features and targets of labelled turns (vectors from the study's cache if not given)."""
    texts = [e.turn.text for e in examples]
    targets = np.array([[label in _closure(codebook, e.codes) for label in labels]
                        for e in examples], dtype=np.int8).reshape(len(examples), len(labels))
    hits = [e.turn.rules for e in examples]
    rolls = {code: [code, *(a.id for a in codebook.ancestors(code))]
             for code in {c for h in hits for c in h}}
    if spec.embeddings and vectors is None:
        vectors = embeddings_for(study, texts, progress=progress)
    return TrainingSet(texts, list(groups or [e.turn.source for e in examples]), labels, levels,
                       targets, rule_columns(hits, labels, rolls),
                       vectors if spec.embeddings else None, rule_mask)


def with_shipped_turns(data: TrainingSet, shipped: builtin.ShippedTurns,
                       spec: FeatureSpec) -> TrainingSet:
    """The study's labelled turns and the built-in model's, side by side.

    The shipped turns take part in cross-validation (by author) and in choosing
    the thresholds, but the reliability reported is on the study's own
    interviews only. They carry the main
    categories only: for a concept label their target is unknown (-1) and
    their rule column 0.
    """
    n = len(data.texts)
    index = {label: j for j, label in enumerate(builtin.LABELS)}
    targets = np.full((shipped.counts.shape[0], len(data.labels)), -1, dtype=np.int8)
    rules = np.zeros((shipped.counts.shape[0], len(data.labels)), dtype=np.float32)
    for j, label in enumerate(data.labels):
        if label in index:
            targets[:, j] = shipped.targets[:, index[label]]
            rules[:, j] = shipped.rules[:, index[label]]
    counts = sp.vstack([ngram_counts(data.texts, ngrams=spec.ngrams, bits=spec.bits),
                        shipped.counts], format="csr")
    mask = np.concatenate([np.ones(n, dtype=np.float32),
                           (~shipped.tuned).astype(np.float32)])
    return TrainingSet(
        [*data.texts, *([""] * len(shipped.groups))],
        [*data.groups, *(f"shipped:{g}" for g in shipped.groups)], data.labels, data.levels,
        np.vstack([data.targets, targets]), np.vstack([data.rules, rules]),
        np.vstack([data.embeddings, shipped.vectors]) if spec.embeddings else None,
        mask, counts=counts,
        anchored=np.concatenate([np.zeros(n, dtype=bool), np.ones(len(shipped.groups),
                                                                  dtype=bool)]))


def save_model(study: Study, codebook: Codebook, result: LearnResult) -> None:
    """Store the trained model in the study (replacing an earlier one), in one transaction."""
    with study.write() as conn:
        db.save_model(conn, STUDY_MODEL, result.model.to_bytes(),
                      data_hash=result.model.meta["data_hash"], codebook_hash=codebook.hash,
                      trained_on=result.trained_on)


def forget_model(study: Study) -> bool:
    """Remove the study's model (the built-in model or the rules code again)."""
    with study.write() as conn:
        return db.delete_model(conn, STUDY_MODEL)
