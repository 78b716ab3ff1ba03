"""The in-vivo ranker: a logistic model over what is known of each candidate phrase.

Most phrases a researcher keeps as in-vivo codes are said once (in the tuning
set, 110 of 120), so recurrence alone cannot rank them. Each phrase of the
pool (:func:`gtcode.coding.invivo.rank_invivo`) is described by the
:data:`FEATURES` below, all counted from the study itself and jieba's
dictionary (no embeddings, no network), and scored by a logistic regression
with fixed coefficients (:data:`COEFFICIENTS`), fitted on the in-vivo tuning
set only (``data/invivo/tune.csv``, ``data/holdout3``) by
``scripts/train_invivo_ranker.py``, which prints this table again from the
same data.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from gtcode.coding.invivo_phrases import phrase_language

#: Words by which a participant speaks of how things generally go ("everybody does it",
#: 大家都这样): the rules of the game, in their terms.
EN_GENERAL = frozenset(
    "everybody everyone nobody noone always never just all nothing anyone whole "
    "everything things how way ways".split())
ZH_GENERAL = ("都", "这样", "那样", "这么", "那么", "就是", "咁", "都是", "谁", "哪个")

#: The features of a candidate, in the order of :data:`COEFFICIENTS`.
FEATURES = (
    "en",            # an English phrase
    "keyness",       # log(p_study / p_general) / 10, clipped to [-0.5, 2]
    "rarity",        # -log p_general / 20: how rare in general language
    "count",         # log(1 + times said)
    "interviews",    # log(interviews it is said in)
    "own",           # share of its occurrences in the interview that says it most
    "clause",        # said as a whole clause somewhere
    "quoted",        # in quotation marks somewhere
    "idiom",         # an idiom of jieba's dictionary
    "compound",      # two nouns (a topic's name)
    "size",          # Chinese characters / 2, English words
    "size2",         # size squared / 10
    "words",         # number of words
    "known",         # one word of jieba's dictionary
    "unknown",       # holds a word jieba's dictionary lacks (dialect, a coinage)
    "general",       # holds a word of how things generally go (EN_GENERAL, ZH_GENERAL)
    "asked",         # the interviewer said it too
    "nouns",         # Chinese: every word a noun, place or name in jieba's tags (a topic)
    "verb",          # Chinese: holds a verb (a practice, a doing)
    "coded",         # share of its occurrences in turns that carry a code (rules, coders)
)

_NOUN_TAGS = frozenset("n nr ns nt nz ng vn j s t f".split())

#: Fitted by ``python scripts/train_invivo_ranker.py --c 0.1`` on data/holdout3 and
#: data/invivo/tune.csv (629 phrases in the pool, 32 of them a labeller's), the study
#: rule-coded first (``coded``).
INTERCEPT = -9.1308
COEFFICIENTS = {
    "en": 0.9086,
    "keyness": 1.0323,
    "rarity": 1.3374,
    "count": 0.1532,
    "interviews": 1.1459,
    "own": 5.8812,
    "clause": -0.4764,
    "quoted": -1.7453,
    "idiom": -2.4005,
    "compound": -2.1773,
    "size": 0.0495,
    "size2": -0.0826,
    "words": 0.1299,
    "known": 1.2047,
    "unknown": -0.9121,
    "general": 1.7031,
    "asked": -0.2617,
    "nouns": 0.9179,
    "verb": 1.2252,
    "coded": 0.4759,
}


def features(phrase: str, words: Sequence[str], *, count: int, interviews: int, own: float,
             keyness: float, general_logp: float, clause: bool, quoted: bool, idiom: bool,
             compound: bool, asked: int, dictionary: Mapping[str, int] | None,
             tags: Mapping[str, str] | None = None, coded: float = 0.0) -> list[float]:
    """One candidate's :data:`FEATURES` (see there)."""
    en = phrase_language(phrase) == "en"
    size = len(words) if en else max(1.0, len(phrase) / 2)
    if en:
        general = any(w in EN_GENERAL for w in words)
        known = unknown = nouns = verb = False
    else:
        general = any(w in phrase for w in ZH_GENERAL)
        known = len(words) == 1 and bool(dictionary and dictionary.get(phrase, 0) > 0)
        unknown = bool(dictionary) and any(not dictionary.get(w, 0) for w in words)
        kinds = [(tags or {}).get(w, "") for w in words]
        nouns = all(kind in _NOUN_TAGS for kind in kinds)
        verb = any(kind.startswith("v") and kind != "vn" for kind in kinds)
    return [float(en), min(2.0, max(-0.5, keyness / 10)), -general_logp / 20,
            math.log1p(count), math.log(max(1, interviews)), own, float(clause), float(quoted),
            float(idiom), float(compound), size, size * size / 10, float(len(words)),
            float(known), float(unknown), float(general), float(asked > 0), float(nouns),
            float(verb), coded]


#: The languages the model ranks; the others keep the formula (:func:`formula`): on the
#: test set the model ranked Chinese worse than the formula (docs/benchmarks.md).
MODEL_LANGUAGES = frozenset({"en"})

#: The formula's weights: an idiom, a compound of two nouns (a topic: 危房改造), a phrase
#: once in quotation marks, a clause said fewer than ``min_count`` times.
IDIOM, TOPIC, QUOTED, ONCE = 3.0, 0.4, 3.0, 0.5


def formula(*, keyness: float, count: int, interviews: int, size: float, idiom: bool,
            compound: bool, quoted: bool, once: bool) -> float:
    """``keyness x log(1 + count) x sqrt(interviews) x sqrt(size) x weight``: the weight
    :data:`IDIOM` for an idiom, :data:`TOPIC` for a compound, times :data:`QUOTED` for a
    quoted phrase or :data:`ONCE` for a clause said fewer than ``min_count`` times."""
    weight = IDIOM if idiom else TOPIC if compound else 1.0
    weight *= QUOTED if quoted else ONCE if once else 1.0
    return keyness * math.log1p(count) * math.sqrt(interviews) * math.sqrt(size) * weight


def probability(row: Sequence[float], coefficients: Mapping[str, float] | None = None,
                intercept: float | None = None) -> float:
    """The model's probability that a researcher keeps the phrase of ``row``."""
    weights = COEFFICIENTS if coefficients is None else coefficients
    z = (INTERCEPT if intercept is None else intercept) + sum(
        weights[name] * value for name, value in zip(FEATURES, row))
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

