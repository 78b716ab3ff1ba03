"""The learned coder: suggestions that generalise to authors the rules never saw.

It learns, per code, a logistic regression over character n-grams, the rule
engine's hits (the rules become evidence, not the last word) and, when
installed, multilingual sentence embeddings (:mod:`~gtcode.coding.learned.embed`),
from labelled turns: the transcripts gtcode ships for the built-in codebook
(:mod:`~gtcode.coding.learned.builtin`), or the researcher's own decisions
(``gtcode learn``, :mod:`~gtcode.coding.learned.learn`). Its reliability is
measured by cross-validation grouped by source (:mod:`~gtcode.coding.learned.train`)
and shown beside its suggestions; :mod:`~gtcode.coding.learned.coder` turns
its decisions and the rule hits into one combined suggestion per (segment,
code), and :mod:`~gtcode.coding.learned.active` picks the turns to code next.
"""
